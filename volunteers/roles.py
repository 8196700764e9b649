"""Roles are Django groups over permissions. This module is their one definition: the
migration that creates the groups and every check of "what is this account" read it."""

from __future__ import annotations

from django.apps import apps as global_apps
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VOLUNTEER = "volunteer", _("Volunteer")
    REVIEWER = "reviewer", _("Reviewer")
    COORDINATOR = "coordinator", _("Coordinator")


_VOLUNTEER = [
    ("statements", "statement", "enter_statement", "Can enter statements for others"),
]
_REVIEWER = [
    *_VOLUNTEER,
    ("statements", "statement", "review_statement", "Can review statements"),
]
_COORDINATOR = [
    *_REVIEWER,
    ("statements", "statement", "remove_statement", "Can remove published statements"),
    ("statements", "statement", "break_lease", "Can break another reviewer's claim"),
    ("statements", "statement", "view_deciders", "Can see who decided or entered a statement"),
    ("statements", "rejectionreason", "add_rejectionreason", "Can add rejection reason"),
    ("statements", "rejectionreason", "change_rejectionreason", "Can change rejection reason"),
    ("statements", "rejectionreason", "view_rejectionreason", "Can view rejection reason"),
    ("statements", "auditevent", "view_auditevent", "Can view audit event"),
    ("volunteers", "accountevent", "view_accountevent", "Can view account event"),
    (
        "volunteers",
        "account",
        "manage_volunteers",
        "Can create, retire and reset volunteer accounts",
    ),
    ("volunteers", "account", "view_audit", "Can read the audit and account logs"),
    ("pages", "infopage", "view_infopage", "Can view information page"),
    ("pages", "infopage", "change_infopage", "Can change information page"),
    ("counts", "tallydrift", "view_tallydrift", "Can view tally drift"),
]
ROLE_PERMISSIONS = {
    Role.VOLUNTEER: _VOLUNTEER,
    Role.REVIEWER: _REVIEWER,
    Role.COORDINATOR: _COORDINATOR,
}
# Highest first: an account's role is the highest group it is in.
_RANKED = [Role.COORDINATOR, Role.REVIEWER, Role.VOLUNTEER]


def sync_roles(apps=global_apps) -> None:
    """Create the role groups with exactly their permissions. Idempotent; the migration
    calls it with the historical models (permissions may not exist yet then)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for role, permissions in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = []
        for app_label, model, codename, name in permissions:
            content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type, codename=codename, defaults={"name": name}
            )
            wanted.append(permission)
        group.permissions.set(wanted)


def role_of(user) -> Role | None:
    """The highest role among the account's groups, or None (no role: an outsider)."""
    names = {group.name for group in user.groups.all()}
    return next((role for role in _RANKED if role.value in names), None)


# Any one of these is a reviewer's or a coordinator's power: whoever holds it, through a
# role or granted directly, signs in with a second factor.
_NEEDS_SECOND_FACTOR = sorted(
    f"{app_label}.{codename}"
    for app_label, _model, codename, _name in _COORDINATOR
    if (app_label, _model, codename, _name) not in _VOLUNTEER
)


def needs_two_factor(user) -> bool:
    """Whoever can review, remove, break claims, manage volunteers or read the logs, by a
    role or by a permission granted directly (as accounts made before roles were), and
    staff and superusers, who can open the admin; volunteers who only enter statements
    when TWO_FACTOR_FOR_VOLUNTEERS is on. Decided by permissions, not group names, so no
    way of granting a power skips the second factor."""
    if user.is_staff or user.is_superuser:
        return True
    if any(user.has_perm(permission) for permission in _NEEDS_SECOND_FACTOR):
        return True
    return settings.TWO_FACTOR_FOR_VOLUNTEERS and user.has_perm("statements.enter_statement")


def adopt_direct_permissions(apps=global_apps) -> int:
    """Accounts from before roles were given review and removal as direct permissions.
    Each moves into the role that holds what it had (removal: coordinator; review:
    reviewer), and the direct grants are dropped, so what an account may do is its role.
    Returns how many accounts moved. Idempotent; run by a migration."""
    User = apps.get_model("auth", "User")
    Group = apps.get_model("auth", "Group")
    legacy = {"review_statement": Role.REVIEWER, "remove_statement": Role.COORDINATOR}
    moved = 0
    holders = User.objects.filter(
        user_permissions__content_type__app_label="statements",
        user_permissions__codename__in=legacy,
    ).distinct()
    for user in holders:
        direct = user.user_permissions.filter(
            content_type__app_label="statements", codename__in=legacy
        )
        codenames = set(direct.values_list("codename", flat=True))
        role = Role.COORDINATOR if "remove_statement" in codenames else Role.REVIEWER
        user.groups.add(Group.objects.get(name=role.value))
        if role == Role.COORDINATOR and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        user.user_permissions.remove(*direct)
        moved += 1
    return moved
