"""Signing in and out, the second factor, setup links, and a volunteer's own account
page (API tokens, password, sign out everywhere)."""

from __future__ import annotations

import base64
import secrets
import unicodedata

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlencode, urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from tuidang.lib.limits import over_limit
from volunteers import services
from volunteers.forms import ChangePasswordForm, SecondFactorForm, SetupForm, SignInForm
from volunteers.middleware import account_epoch, keep_session, start_session
from volunteers.models import ApiToken
from volunteers.roles import needs_two_factor

DEVICE_COOKIE = "volunteer_device"
_DEVICE_SALT = "volunteers.device-cookie"
_SETUP_TOKEN = "volunteers.setup_token"  # noqa: S105 - a session key, not a secret
_SETUP_KEY = "volunteers.setup_totp_key"
# Like PasswordResetConfirmView: the real token is swapped for this in the URL after
# the first visit, so it does not linger in history or leak in a Referer.
_SETUP_IN_SESSION = "set"


# --- Sign-in limits -------------------------------------------------------------------------
def account_key(username: str) -> str:
    """The per-account limit's key: the name as AuthenticationForm reads it (stripped,
    NFKC), casefolded, so " rev", "ｒｅｖ" and "REV" count against one bucket."""
    return unicodedata.normalize("NFKC", username.strip()).casefold()


def _account_digest(key: str) -> str:
    # The device cookie names the account by a keyed digest, not by name: a seized
    # device's cookies do not say whose account it signed in to.
    return salted_hmac("volunteers.device-account", key).hexdigest()[:32]


def _device_of(request: HttpRequest, key: str) -> str | None:
    """The device id of a valid device cookie issued to this account, or None."""
    value = request.get_signed_cookie(
        DEVICE_COOKIE, default=None, salt=_DEVICE_SALT, max_age=settings.DEVICE_COOKIE_DAYS * 86400
    )
    if not value:
        return None
    device, _sep, digest = value.partition(":")
    return device if device and constant_time_compare(digest, _account_digest(key)) else None


def _remember_device(response: HttpResponse, user) -> None:
    """Set the device cookie after a complete sign-in (OWASP's device cookies)."""
    value = f"{secrets.token_urlsafe(16)}:{_account_digest(account_key(user.get_username()))}"
    response.set_signed_cookie(
        DEVICE_COOKIE,
        value,
        salt=_DEVICE_SALT,
        max_age=settings.DEVICE_COOKIE_DAYS * 86400,
        path=settings.SESSION_COOKIE_PATH,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def _over_sign_in_limits(request: HttpRequest, *, step: str, key: str) -> bool:
    """Count one attempt and say if it is over a limit. Closed when the cache is down.

    An attempt from a device that completed a sign-in to this account before counts
    against that device alone: neither guesses at the account from elsewhere nor guesses
    at other accounts from the same address (a Tor exit, a national proxy, a carrier's
    NAT) can lock the real volunteer out. Any other attempt counts per client and per
    account."""
    device = _device_of(request, key)
    if device:
        buckets = [(f"volunteers:{step}-account", f"device:{device}")]
    else:
        buckets = [(f"volunteers:{step}", None), (f"volunteers:{step}-account", f"account:{key}")]
    return any(
        over_limit(request, group=group, rate=settings.LOGIN_RATE, fail_open=False, key=bucket)
        for group, bucket in buckets
    )


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "429.html", status=429)


def _next_url(request: HttpRequest, default: str = settings.LOGIN_REDIRECT_URL) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(default)


# --- Sign-in ------------------------------------------------------------------------------
class SignInView(LoginView):
    """The one sign-in (the admin's login page sends people here). The limits are
    checked before the form, so before the password is hashed."""

    template_name = "volunteers/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "label_suffix": ""}

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        key = account_key(request.POST.get("username", ""))
        if _over_sign_in_limits(request, step="login", key=key):
            return _too_many(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form) -> HttpResponse:
        user = form.get_user()
        two_factor = needs_two_factor(user)
        if two_factor and not user_has_device(user):
            services.record_failed_sign_in(username=user.get_username(), reason="no_second_factor")
            form.add_error(
                None,
                _("This account has no second factor yet. Ask a coordinator for a setup link."),
            )
            return self.render_to_response(self.get_context_data(form=form))
        login(self.request, user)
        start_session(self.request.session, epoch=account_epoch(user))
        if two_factor:
            query = {"next": self.get_success_url()}
            return redirect(f"{reverse('volunteers:two_factor')}?{urlencode(query)}")
        services.record_sign_in(user=user, second_factor=None)
        response = HttpResponseRedirect(self.get_success_url())
        _remember_device(response, user)
        return response

    def form_invalid(self, form) -> HttpResponse:
        if form.has_error("__all__", "invalid_login") or form.has_error("__all__", "inactive"):
            services.record_failed_sign_in(
                username=form.cleaned_data.get("username", ""), reason="password"
            )
        return super().form_invalid(form)


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the authenticator app or a recovery code."""
    user = request.user
    if not user.is_authenticated:
        return redirect("volunteers:login")
    next_url = _next_url(request)
    if user.is_verified() or not needs_two_factor(user):
        return HttpResponseRedirect(next_url)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST":
        if _over_sign_in_limits(request, step="two-factor", key=account_key(user.get_username())):
            return _too_many(request)
        if form.is_valid():
            device = services.verify_second_factor(user=user, code=form.cleaned_data["code"])
            if device is not None:
                request.session.cycle_key()
                otp_login(request, device)
                response = HttpResponseRedirect(next_url)
                _remember_device(response, user)
                return response
            form.add_error("code", _("That code did not work. Wait for a new one and try again."))
    return render(request, "volunteers/account/two_factor.html", {"form": form, "next": next_url})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("volunteers:login")


# --- Setup links ----------------------------------------------------------------------------
def _user_of(uidb64: str):
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        return get_user_model()._default_manager.get(pk=pk, is_active=True)
    except (TypeError, ValueError, OverflowError, get_user_model().DoesNotExist):
        return None


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return render(request, "volunteers/account/setup_invalid.html", status=400)


@never_cache
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Set a password and enrol an authenticator from a one-time link; on success the
    recovery codes are shown, once, and the person is signed in."""
    user = _user_of(uidb64)
    if user is None:
        return _invalid_link(request)
    if token != _SETUP_IN_SESSION:
        if not services.setup_tokens.check_token(user, token):
            return _invalid_link(request)
        request.session[_SETUP_TOKEN] = token
        return redirect("volunteers:setup", uidb64=uidb64, token=_SETUP_IN_SESSION)
    token = request.session.get(_SETUP_TOKEN, "")
    if not services.setup_tokens.check_token(user, token):
        return _invalid_link(request)

    # The key being enrolled waits in the session until a code from it is confirmed, so
    # a page view writes no device.
    pending = request.session.get(_SETUP_KEY)
    if not pending or pending.get("user") != user.pk:
        pending = {"user": user.pk, "key": default_key()}
        request.session[_SETUP_KEY] = pending
    key = pending["key"]

    form = SetupForm(request.POST or None, user=user, totp_key=key)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = services.complete_setup(
                user=user,
                token=token,
                password=form.cleaned_data["password1"],
                totp_key=key,
                totp_t=form.totp_t,
            )
        except services.SetupLinkInvalid:
            return _invalid_link(request)
        request.session.pop(_SETUP_TOKEN, None)
        request.session.pop(_SETUP_KEY, None)
        login(request, user)
        otp_login(request, enrolment.device)
        start_session(request.session, epoch=enrolment.epoch)
        response = render(
            request,
            "volunteers/account/setup_done.html",
            {"recovery_codes": enrolment.recovery_codes},
        )
        _remember_device(response, user)
        return response

    device = TOTPDevice(user=user, key=key, name="authenticator")
    return render(
        request,
        "volunteers/account/setup.html",
        {
            "form": form,
            "account": user,
            "qr_svg": segno.make(device.config_url, error="m").svg_inline(
                scale=4, dark="#1d1d1f", light="#fff"
            ),
            "manual_key": base64.b32encode(bytes.fromhex(key)).decode(),
        },
    )


# --- The account page ---------------------------------------------------------------------
def _account_page(request: HttpRequest, **extra) -> HttpResponse:
    context = {
        "tokens": ApiToken.objects.live().filter(user=request.user).order_by("-created_at"),
        "can_issue_tokens": request.user.is_verified(),
        **extra,
    }
    return render(request, "volunteers/account/account.html", context)


@login_required
@never_cache
@require_safe
def account(request: HttpRequest) -> HttpResponse:
    return _account_page(request)


@login_required
@never_cache
@require_POST
def issue_token(request: HttpRequest) -> HttpResponse:
    """A new API token, shown once on the page this answers with."""
    if not request.user.is_verified():
        raise PermissionDenied
    token = services.issue_api_token(user=request.user, actor=request.user)
    return _account_page(request, new_token=token)


@login_required
@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    if services.revoke_api_token(token_id=pk, user=request.user, actor=request.user):
        messages.success(request, _("The token is revoked."))
    return redirect("volunteers:account")


@login_required
@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    services.sign_out_everywhere(user=request.user)
    logout(request)
    return redirect("volunteers:login")


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def change_password(request: HttpRequest) -> HttpResponse:
    """A new password; every other session of the account ends, this one stays."""
    form = ChangePasswordForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        epoch = services.change_password(user=request.user, password=form.cleaned_data["password1"])
        update_session_auth_hash(request, request.user)
        keep_session(request.session, epoch=epoch)
        messages.success(request, _("Your password is changed. Your other sessions have ended."))
        return redirect("volunteers:account")
    return render(request, "volunteers/account/change_password.html", {"form": form})
