from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, no_translations
from django.core.validators import validate_slug

from volunteers import hotline
from volunteers.models import Integration


class Command(BaseCommand):
    help = (
        "Create an integration (a system that posts to /api/v1/intake/batch, such as the "
        "phone hotline) and print its token (alone, on the last line)."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="letters, digits, - and _")

    @no_translations
    def handle(self, *args, name, **options):
        try:
            validate_slug(name)
        except ValidationError:
            raise CommandError("The name may hold only letters, digits, - and _.") from None
        if len(name) > 64 or Integration.objects.filter(name=name).exists():
            raise CommandError(f"An integration named {name!r} exists (or the name is too long).")
        _integration, token = hotline.create_integration(name=name)
        self.stdout.write(
            f"Token of the integration {name}; it is shown only now. "
            "Send it as: Authorization: Token <token>"
        )
        self.stdout.write(token)
