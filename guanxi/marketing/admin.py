"""Sales managers' and administrators' tools: the public web forms (线索表单) are set up here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Lead, WebForm


@admin.register(WebForm)
class WebFormAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "owner", "is_active", "created_at")
    prepopulated_fields = {"slug": ("title",)}
    raw_id_fields = ("owner", "created_by")


@admin.register(Lead)
class LeadAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "source", "status", "owner", "created_at")
    list_filter = ("status", "source")
    raw_id_fields = ("owner", "team", "created_by", "customer", "web_form")
    search_fields = ("person_name", "company_name", "mobile", "email")
