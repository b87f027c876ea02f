from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CareRule


@admin.register(CareRule)
class CareRuleAdmin(SimpleHistoryAdmin):
    list_display = ("name", "occasion", "occasion_key", "lead_days", "action", "channel", "budget", "is_enabled")
    list_filter = ("occasion", "action", "channel", "is_enabled")
