from django.urls import path

from statements import views

app_name = "statements"
urlpatterns = [
    path("submit/", views.submit, name="submit"),
    path("submit/done/", views.submit_done, name="submit_done"),
    path("receipt/", views.receipt_lookup, name="receipt"),
    path("statements/", views.statement_list, name="list"),
    path("statements/<number:number>/", views.statement_detail, name="detail"),
]
