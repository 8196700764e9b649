from django.conf import settings
from django.contrib import admin

from pages.models import InfoPage


@admin.register(InfoPage)
class InfoPageAdmin(admin.ModelAdmin):
    """Coordinators edit the three pages in all three languages on one form. The pages
    are a fixed set, each with its own URL: none is added or deleted here."""

    list_display = ["slug", "title_zh_hans", "title_zh_hant", "title_en", "updated_at"]
    readonly_fields = ["slug", "updated_at"]
    fieldsets = [
        (None, {"fields": ["slug", "updated_at"]}),
        *(
            (
                name,
                {"fields": [f"title_{code.replace('-', '_')}", f"body_{code.replace('-', '_')}"]},
            )
            for code, name in settings.LANGUAGES
        ),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
