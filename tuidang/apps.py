from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class TuidangConfig(AppConfig):
    """Holds only the project-wide management commands (runembedded)."""

    name = "tuidang"


class AdminConfig(DjangoAdminConfig):
    """Django's admin on a site that has no sign-in of its own (no second door)."""

    default_site = "volunteers.sites.VolunteerAdminSite"
