from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from statements.models import AuditEvent, RejectionReason, Statement


class ReadOnlyAdmin(admin.ModelAdmin):
    """Statements change only through the services, and logs never change at all."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP rows. The statement table and the logs hold hundreds of
    millions: the admin's page count would otherwise be a full count on every page view,
    where a coordinator's filtered, newest-first page is an index range of 100 rows."""

    COUNT_CAP = 10_000

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.COUNT_CAP].count()


class LargeTableAdmin(ReadOnlyAdmin):
    paginator = CappedPaginator
    show_full_result_count = False


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
class StatementAdmin(LargeTableAdmin):
    list_display = ["id", "display_name", "region", "status", "channel", "created_at"]
    list_filter = ["status", "channel", "region"]
    ordering = ["-id"]
    exclude = ["receipt_hash", "content_hash"]
    # Who entered it is a record, not a setting (and a select would list every account).
    readonly_fields = ["entered_by"]


@admin.register(AuditEvent)
class AuditEventAdmin(LargeTableAdmin):
    list_display = ["created_at", "action", "statement", "actor", "from_status", "to_status"]
    # By person, action and time: each served by an index on (that, created_at).
    list_filter = ["action", person_filter("actor", "actor"), "created_at"]
    ordering = ["-created_at", "-id"]
    list_select_related = ["actor", "statement"]
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
