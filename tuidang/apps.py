from django.apps import AppConfig


class TuidangConfig(AppConfig):
    """Holds only the project-wide management commands (runembedded)."""

    name = "tuidang"
