from django.urls import path

from counts import views

app_name = "counts"
urlpatterns = [
    path("", views.home, name="home"),
    path("regions/", views.regions, name="regions"),
]
