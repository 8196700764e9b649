from django.apps import AppConfig


class CountsConfig(AppConfig):
    name = "counts"
