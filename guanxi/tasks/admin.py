"""Administrators look tasks up here; every change goes through the pages, the API or the services."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Task, TaskReminder


class ReminderInline(admin.TabularInline):
    model = TaskReminder
    extra = 0
    readonly_fields = ("remind_at", "sent_at", "channel", "recipient", "message", "skipped")
    can_delete = False


@admin.register(Task)
class TaskAdmin(SimpleHistoryAdmin):
    list_display = ("subject", "kind", "status", "due_at", "assignee", "team", "customer")
    list_filter = ("status", "kind", "priority")
    search_fields = ("subject",)
    raw_id_fields = ("customer", "assignee", "team", "created_by", "closed_by")
    readonly_fields = ("source_type", "source_id", "source_label", "source_url")
    inlines = [ReminderInline]
