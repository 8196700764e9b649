"""The team page: coordinators create volunteers, change their roles, retire them and
reset a lost second factor. Setup links are shown once, on the answer to the POST."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from volunteers import services
from volunteers.forms import CreateVolunteerForm, RoleForm
from volunteers.roles import Role, role_of


def coordinator_required(view):
    return login_required(
        permission_required("volunteers.manage_volunteers", raise_exception=True)(view)
    )


def _team_page(request: HttpRequest, *, form=None, status: int = 200, **extra) -> HttpResponse:
    members = get_user_model().objects.order_by("username").prefetch_related("groups")
    rows = [
        {"user": member, "role": role_of(member), "can_act": _may_act_on(request.user, member)}
        for member in members
    ]
    context = {
        "rows": rows,
        "form": form or CreateVolunteerForm(),
        "roles": Role.choices,
        **extra,
    }
    return render(request, "volunteers/team/team.html", context, status=status)


def _may_act_on(actor, member) -> bool:
    """Not one's own account (a coordinator cannot demote or lock out themselves by
    accident), never a superuser's, and another coordinator's (or staff account's) only
    for a superuser: one stolen coordinator account must not be able to take over the
    others with a reset's setup link, nor lock them out."""
    if member.pk == actor.pk or member.is_superuser:
        return False
    if member.is_staff or role_of(member) == Role.COORDINATOR:
        return actor.is_superuser
    return True


def _member(request: HttpRequest, pk: int):
    """Another account this coordinator may act on (see _may_act_on), or a 403."""
    member = get_object_or_404(get_user_model(), pk=pk)
    if not _may_act_on(request.user, member):
        raise PermissionDenied
    return member


@coordinator_required
@require_safe
def team(request: HttpRequest) -> HttpResponse:
    return _team_page(request)


@coordinator_required
@never_cache
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    form = CreateVolunteerForm(request.POST)
    if not form.is_valid():
        return _team_page(request, form=form, status=400)
    try:
        member, link = services.create_volunteer(
            username=form.cleaned_data["username"],
            role=Role(form.cleaned_data["role"]),
            actor=request.user,
        )
    except IntegrityError:  # the same name created by someone else at the same moment
        form.add_error("username", _("That username is taken."))
        return _team_page(request, form=form, status=400)
    return _team_page(request, setup_for=member, setup_link=link)


@coordinator_required
@require_POST
def change_role(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
    elif services.change_role(
        user=member, role=Role(form.cleaned_data["role"]), actor=request.user
    ):
        messages.success(
            request,
            _("%(name)s is now: %(role)s.")
            % {"name": member.get_username(), "role": Role(form.cleaned_data["role"]).label},
        )
    return redirect("volunteers:team")


@coordinator_required
@require_POST
def deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    if services.deactivate(user=member, actor=request.user):
        messages.success(
            request,
            _("%(name)s is deactivated: signed out, API tokens revoked, claims released.")
            % {"name": member.get_username()},
        )
    return redirect("volunteers:team")


@coordinator_required
@never_cache
@require_POST
def reset_two_factor(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    if not member.is_active:
        raise PermissionDenied
    link = services.reset_two_factor(user=member, actor=request.user)
    return _team_page(request, setup_for=member, setup_link=link, was_reset=True)
