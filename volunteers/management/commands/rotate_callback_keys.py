from django.core.management.base import BaseCommand, no_translations

from volunteers import hotline


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored callback number under the first of CALLBACK_KEYS, so the "
        "older keys can be removed."
    )

    @no_translations
    def handle(self, *args, **options):
        done = hotline.reencrypt_numbers()
        self.stdout.write(f"Re-encrypted {done} callback numbers under the first key.")
