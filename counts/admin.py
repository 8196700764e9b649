from django.contrib import admin

from counts.models import TallyDrift
from statements.admin import ReadOnlyAdmin


@admin.register(TallyDrift)
class TallyDriftAdmin(ReadOnlyAdmin):
    """What the nightly reconciliation found and fixed: a record, never edited."""

    list_display = ["found_at", "day", "region", "field", "stored", "recounted"]
    list_filter = ["found_at", "field"]
    ordering = ["-found_at", "-id"]
    date_hierarchy = "found_at"
