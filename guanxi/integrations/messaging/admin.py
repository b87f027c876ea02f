"""The outbox and the inbound-SMS inbox, for operators: every SMS and e-mail the system sent and every
reply a provider delivered, read-only."""

from django.contrib import admin

from .models import InboundSms, OutboundMessage


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel", "recipient", "subject", "status", "sent_at")
    list_filter = ("channel", "status")
    search_fields = ("recipient", "subject")
    date_hierarchy = "created_at"
    readonly_fields = ("channel", "recipient", "subject", "body", "status", "backend", "sent_at", "error",
                       "created_at", "updated_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(InboundSms)
class InboundSmsAdmin(admin.ModelAdmin):
    list_display = ("received_at", "phone", "text", "status", "outcome", "applied_at")
    list_filter = ("status", "outcome")
    search_fields = ("phone", "message_key")
    readonly_fields = ("message_key", "phone", "text", "received_at", "status", "outcome", "reply", "attempts",
                       "error", "applied_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
