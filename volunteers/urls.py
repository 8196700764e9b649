from django.urls import path

from volunteers.views import accounts, dashboard, review, team

app_name = "volunteers"
urlpatterns = [
    path("", review.review_queue, name="review_queue"),
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
    path("statements/<int:pk>/remove/", review.remove, name="remove"),
    path("statements/<int:pk>/approve/", review.approve, name="approve"),
    path("statements/<int:pk>/reject/", review.reject, name="reject"),
]
