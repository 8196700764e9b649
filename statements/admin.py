from django.contrib import admin
from django.contrib.auth import get_user_model

from statements.models import AuditEvent, RejectionReason, Statement


class ReadOnlyAdmin(admin.ModelAdmin):
    """Statements change only through the services, and logs never change at all."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def person_filter(field: str, title: str) -> type[admin.SimpleListFilter]:
    """Filter a log by one account. Lists the accounts (a few hundred), not the distinct
    values in the log, which would mean scanning it."""

    class PersonFilter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request, model_admin):
            users = get_user_model().objects.order_by("username").values_list("pk", "username")
            return [(str(pk), name) for pk, name in users]

        def queryset(self, request, queryset):
            value = self.value()
            return queryset.filter(**{f"{field}_id": value}) if value else queryset

    PersonFilter.title = title
    return PersonFilter


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ["id", "display_name", "region", "status", "channel", "created_at"]
    list_filter = ["status", "channel", "region"]
    ordering = ["-id"]
    show_full_result_count = False
    exclude = ["receipt_hash", "content_hash"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "statement", "actor", "from_status", "to_status"]
    # By person, action and time: each served by an index on (that, created_at).
    list_filter = ["action", person_filter("actor", "actor"), "created_at"]
    ordering = ["-created_at", "-id"]
    show_full_result_count = False
    list_select_related = ["actor"]
    raw_id_fields = ["statement", "actor"]


@admin.register(RejectionReason)
class RejectionReasonAdmin(admin.ModelAdmin):
    """Coordinators keep the list; a reason is retired (inactive), never deleted, since
    declined statements point at it."""

    list_display = ["code", "label_zh_hans", "label_zh_hant", "label_en", "position", "is_active"]
    list_editable = ["position", "is_active"]
    ordering = ["position", "id"]

    def has_delete_permission(self, request, obj=None):
        return False
