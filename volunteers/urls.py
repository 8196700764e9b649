from django.urls import path

from volunteers.views import accounts, dashboard, entry, review, team

app_name = "volunteers"
urlpatterns = [
    # The volunteer home, where sign-in lands: the review workspace for reviewers.
    path("", review.home, name="review_queue"),
    path("review/", review.batch, name="review"),
    path("review/claim/", review.claim, name="claim"),
    path("review/decide/", review.decide, name="decide"),
    path("review/publish-unflagged/", review.approve_unflagged, name="approve_unflagged"),
    path("review/decline-cluster/", review.decline_cluster, name="decline_cluster"),
    path("review/release/", review.release, name="release"),
    path("review/undo/", review.undo, name="undo"),
    path("leases/<uuid:lease_id>/break/", review.break_lease, name="break_lease"),
    path("enter/", entry.enter, name="enter"),
    path("enter/slip/", entry.slip, name="entry_slip"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("login/", accounts.SignInView.as_view(), name="login"),
    path("login/code/", accounts.two_factor, name="two_factor"),
    path("logout/", accounts.sign_out, name="logout"),
    path("setup/<str:uidb64>/<str:token>/", accounts.setup, name="setup"),
    path("account/", accounts.account, name="account"),
    path("account/password/", accounts.change_password, name="change_password"),
    path("account/tokens/", accounts.issue_token, name="issue_token"),
    path("account/tokens/<int:pk>/revoke/", accounts.revoke_token, name="revoke_token"),
    path("account/sign-out-everywhere/", accounts.sign_out_everywhere, name="sign_out_everywhere"),
    path("team/", team.team, name="team"),
    path("team/new/", team.create, name="create_volunteer"),
    path("team/<int:pk>/role/", team.change_role, name="change_role"),
    path("team/<int:pk>/deactivate/", team.deactivate, name="deactivate"),
    path("team/<int:pk>/reset-two-factor/", team.reset_two_factor, name="reset_two_factor"),
    path("statements/", review.find_statement, name="find_statement"),
    path("statements/<int:pk>/", review.statement, name="statement"),
    path("statements/<int:pk>/redact/", review.redact, name="redact"),
    path("statements/<int:pk>/remove/", review.remove, name="remove"),
]
