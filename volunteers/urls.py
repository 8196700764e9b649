from django.contrib.auth import views as auth_views
from django.urls import path

from volunteers.views import accounts, dashboard, review

app_name = "volunteers"
urlpatterns = [
    path("", review.review_queue, name="review_queue"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("login/", accounts.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("statements/", review.find_statement, name="find_statement"),
    path("statements/<int:pk>/", review.statement, name="statement"),
    path("statements/<int:pk>/remove/", review.remove, name="remove"),
    path("statements/<int:pk>/approve/", review.approve, name="approve"),
    path("statements/<int:pk>/reject/", review.reject, name="reject"),
]
