"""The admin site, behind the volunteers' own sign-in (tuidang.apps.AdminConfig)."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, resolve_url
from django.urls import reverse

from volunteers.roles import needs_two_factor


class VolunteerAdminSite(admin.AdminSite):
    """No second door: the admin has no sign-in form of its own (its login page sends
    people to the volunteers' sign-in, with its limits and second factor), no password
    form of its own (the account page's ends the other sessions and is logged), and it
    opens only for a session that has passed the second factor when the account needs
    one. VolunteerSessionMiddleware applies here as everywhere under /volunteer/."""

    def has_permission(self, request) -> bool:
        user = request.user
        return super().has_permission(request) and (
            user.is_verified() or not needs_two_factor(user)
        )

    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            # Signed in but not allowed here: sending them to the sign-in would loop.
            if self.has_permission(request):
                return redirect(reverse("admin:index", current_app=self.name))
            raise PermissionDenied
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect_to_login(next_url, resolve_url(settings.LOGIN_URL))

    def password_change(self, request, extra_context=None):
        return redirect("volunteers:change_password")
