from django.contrib import admin

from statements.admin import LargeTableAdmin, person_filter
from volunteers.models import AccountEvent


@admin.register(AccountEvent)
class AccountEventAdmin(LargeTableAdmin):
    list_display = ["created_at", "action", "subject", "actor"]
    list_filter = ["action", person_filter("subject", "account"), "created_at"]
    ordering = ["-created_at", "-id"]
    list_select_related = ["subject", "actor"]
