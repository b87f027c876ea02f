"""Administrators edit the value settings and strategic weights here; every change is kept in history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Segment, StrategicWeight, ValueRun, ValueSettings


@admin.register(ValueSettings)
class ValueSettingsAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "pyramid_basis", "vip_floor", "large_floor", "medium_floor", "abc_a_share",
                    "abc_b_share", "key_account_threshold", "updated_at")

    def has_add_permission(self, request):
        return not ValueSettings.objects.exists()  # one row

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StrategicWeight)
class StrategicWeightAdmin(SimpleHistoryAdmin):
    list_display = ("customer", "weight", "reason", "updated_at")
    raw_id_fields = ("customer",)
    search_fields = ("customer__code", "customer__name")


@admin.register(Segment)
class SegmentAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "owner", "is_shared", "member_count", "service_priority", "service_level")
    list_filter = ("kind", "is_shared", "service_level")
    search_fields = ("name",)
    # The definition is validated by the rules engine: it changes through the pages and the API only.
    readonly_fields = ("kind", "system_key", "definition", "member_count", "member_count_at")


@admin.register(ValueRun)
class ValueRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "as_of", "status", "customers", "seconds")
    readonly_fields = [f.name for f in ValueRun._meta.fields]

    def has_add_permission(self, request):
        return False
