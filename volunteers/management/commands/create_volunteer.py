from django.core.management.base import BaseCommand, CommandError, no_translations

from volunteers import services
from volunteers.forms import CreateVolunteerForm
from volunteers.roles import Role


class Command(BaseCommand):
    help = (
        "Create a volunteer account in a role and print its one-time setup link (24 hours) "
        "to set a password and enrol two-factor."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)

    @no_translations
    def handle(self, *args, username, role, **options):
        form = CreateVolunteerForm({"username": username, "role": role})
        if not form.is_valid():
            raise CommandError(" ".join(e for errors in form.errors.values() for e in errors))
        user, link = services.create_volunteer(
            username=form.cleaned_data["username"], role=Role(role)
        )
        self.stdout.write(
            f"Created {user.get_username()} ({Role(role).value}). Give them this setup link; "
            "it works once and expires in 24 hours:"
        )
        self.stdout.write(link)
