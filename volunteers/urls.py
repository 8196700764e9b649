from django.contrib.auth import views as auth_views
from django.urls import path

from volunteers import views

app_name = "volunteers"
urlpatterns = [
    path("", views.review_queue, name="review_queue"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("statements/", views.find_statement, name="find_statement"),
    path("statements/<int:pk>/", views.statement, name="statement"),
    path("statements/<int:pk>/remove/", views.remove, name="remove"),
    path("statements/<int:pk>/approve/", views.approve, name="approve"),
    path("statements/<int:pk>/reject/", views.reject, name="reject"),
]
