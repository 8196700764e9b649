from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, no_translations

from volunteers import services


class Command(BaseCommand):
    help = "Issue an API token for an account and print it (alone, on the last line)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    @no_translations
    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active account named {username!r}.")
        token = services.issue_api_token(user=user, actor=None)
        self.stdout.write(
            f"API token for {user.get_username()}; it is shown only now. "
            "Send it as: Authorization: Token <token>"
        )
        self.stdout.write(token)
