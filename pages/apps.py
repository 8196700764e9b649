from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    """The information pages coordinators edit: how to stay safe, what the counts mean,
    about."""

    name = "pages"
    verbose_name = _("Information pages")
