from django.urls import path
from django.views.decorators.http import require_safe

from statements import views
from statements.feeds import LatestStatements
from tuidang.lib.http import public_read

app_name = "statements"
urlpatterns = [
    path("submit/", views.submit, name="submit"),
    path("submit/done/", views.submit_done, name="submit_done"),
    path("submit/replace/", views.replace, name="replace"),
    path("receipt/", views.receipt_lookup, name="receipt"),
    path("receipt/hide/", views.receipt_hide, name="receipt_hide"),
    path("receipt/unhide/", views.receipt_unhide, name="receipt_unhide"),
    path("receipt/retract/", views.receipt_retract, name="receipt_retract"),
    path("receipt/certificate/", views.receipt_certificate, name="certificate"),
    path("statements/", views.statement_list, name="list"),
    path("statements/<number:number>/", views.statement_detail, name="detail"),
    path("statements/feed/", public_read(require_safe(LatestStatements())), name="feed"),
]
