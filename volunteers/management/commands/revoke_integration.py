from django.core.management.base import BaseCommand, CommandError, no_translations

from volunteers import hotline
from volunteers.models import Integration


class Command(BaseCommand):
    help = "Revoke an integration's token: the intake API refuses it from now on."

    def add_arguments(self, parser):
        parser.add_argument("name")

    @no_translations
    def handle(self, *args, name, **options):
        if not Integration.objects.filter(name=name).exists():
            raise CommandError(f"No integration named {name!r}.")
        if hotline.revoke_integration(name=name):
            self.stdout.write(f"Revoked the integration {name}.")
        else:
            self.stdout.write(f"The integration {name} was already revoked.")
