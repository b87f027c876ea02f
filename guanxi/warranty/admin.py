"""Administrators edit the 三包 periods and rule numbers here; every change is kept in history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Part, WarrantyDecision, WarrantyPolicy, WarrantyRule


@admin.register(WarrantyPolicy)
class WarrantyPolicyAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "period_value", "period_unit", "is_main_unit")


@admin.register(WarrantyRule)
class WarrantyRuleAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "value", "unit")
    readonly_fields = ("code",)  # the engine reads the rows by code


@admin.register(Part)
class PartAdmin(SimpleHistoryAdmin):
    """The 三包 coverage of catalogue parts (the products and parts are kept in the catalogue)."""

    list_display = ("component", "policy")
    list_select_related = ("component__product", "policy")
    raw_id_fields = ("component",)


@admin.register(WarrantyDecision)
class WarrantyDecisionAdmin(admin.ModelAdmin):
    list_display = ("id", "sale", "part", "fault_date", "remedy", "amount", "end_date", "asked_by", "created_at")
    list_filter = ("remedy",)

    def has_change_permission(self, request, obj=None):
        return False  # a decision is a record of what was answered

    def has_add_permission(self, request):
        return False
