from django.contrib import admin

from statements.models import Statement


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    """Read-only: a statement's status changes only through the review services."""

    list_display = ["id", "display_name", "region", "status", "channel", "created_at"]
    list_filter = ["status", "channel", "region"]
    ordering = ["-id"]
    show_full_result_count = False
    exclude = ["receipt_hash", "content_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
