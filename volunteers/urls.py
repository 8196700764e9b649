from django.contrib.auth import views as auth_views
from django.urls import path

from volunteers.views import accounts, review

app_name = "volunteers"
urlpatterns = [
    # The volunteer home, where sign-in lands: the review workspace itself.
    path("", review.batch, name="review_queue"),
    path("login/", accounts.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("review/", review.batch, name="review"),
    path("review/claim/", review.claim, name="claim"),
    path("review/decide/", review.decide, name="decide"),
    path("review/publish-unflagged/", review.approve_unflagged, name="approve_unflagged"),
    path("review/decline-cluster/", review.decline_cluster, name="decline_cluster"),
    path("review/release/", review.release, name="release"),
    path("review/undo/", review.undo, name="undo"),
    path("leases/<uuid:lease_id>/break/", review.break_lease, name="break_lease"),
    path("statements/", review.find_statement, name="find_statement"),
    path("statements/<int:pk>/", review.statement, name="statement"),
    path("statements/<int:pk>/redact/", review.redact, name="redact"),
    path("statements/<int:pk>/remove/", review.remove, name="remove"),
]
