"""Portal accounts for operators: see who has one, deactivate or unlock it. Accounts are opened
with `guanxi portal_account_create`; passwords and codes are never shown."""

from django.contrib import admin

from .models import OneTimeCode, PortalAccount


@admin.register(PortalAccount)
class PortalAccountAdmin(admin.ModelAdmin):
    list_display = ("login", "customer", "is_active", "last_login_at", "failed_login_count", "locked_until",
                    "created_at")
    list_filter = ("is_active",)
    search_fields = ("login", "customer__code", "customer__name")
    fields = ("customer", "login", "is_active", "locked_until", "failed_login_count", "last_login_at",
              "created_by", "created_at")
    readonly_fields = ("customer", "login", "failed_login_count", "last_login_at", "created_by", "created_at")

    def has_add_permission(self, request):
        return False


@admin.register(OneTimeCode)
class OneTimeCodeAdmin(admin.ModelAdmin):
    list_display = ("account", "channel", "created_at", "expires_at", "used_at", "attempts")
    list_filter = ("channel",)
    search_fields = ("account__login",)
    exclude = ("code_hash",)
    readonly_fields = ("account", "channel", "created_at", "expires_at", "used_at", "attempts")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
