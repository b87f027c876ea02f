"""Administrators edit business calendars, service standards and case categories here; the forms
check the same rules as the services (services/calendars.py, services/standards.py)."""

import zoneinfo

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .clock import CalendarError, validate_periods
from .enums import BreachAction
from .models import BusinessCalendar, CalendarException, ServiceStandard, TicketCategory, WorkingPeriod
from .models.calendars import WEEKDAYS
from .services.calendars import HOLIDAY_REGIONS
from .services.clocks import standards_changed
from .services.standards import MAX_TARGET_MINUTES


class BusinessCalendarForm(forms.ModelForm):
    class Meta:
        model = BusinessCalendar
        fields = ("name", "timezone", "holiday_region", "makeup_template")

    def clean_timezone(self):
        value = self.cleaned_data["timezone"]
        if value not in zoneinfo.available_timezones():
            raise ValidationError(_("Unknown time zone."))
        return value

    def clean_holiday_region(self):
        value = self.cleaned_data["holiday_region"]
        if value not in HOLIDAY_REGIONS:
            raise ValidationError(_("CN or empty."))
        return value


class WorkingPeriodFormSet(forms.BaseInlineFormSet):
    """Periods of one weekday must not overlap (clock.validate_periods), and a calendar needs
    some working time."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        week: dict[int, list[tuple[int, int]]] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE"):
                continue
            week.setdefault(data["weekday"], []).append((data["start_minute"] * 60, data["end_minute"] * 60))
        errors = []
        names = dict(WEEKDAYS)
        for weekday, spans in sorted(week.items()):
            try:
                validate_periods(spans)
            except CalendarError:
                errors.append(ValidationError(_("%(day)s: the working periods overlap or fall outside the day."),
                                              params={"day": names[weekday]}, code="overlap"))
        if errors:
            raise ValidationError(errors)
        if not week:
            raise ValidationError(_("A calendar needs some working time."), code="empty")


class WorkingPeriodInline(admin.TabularInline):
    model = WorkingPeriod
    formset = WorkingPeriodFormSet
    extra = 0


class CalendarExceptionForm(forms.ModelForm):
    class Meta:
        model = CalendarException
        fields = ("date", "periods", "note")

    def clean_periods(self):
        value = self.cleaned_data["periods"] or []
        try:
            spans = validate_periods((int(a) * 60, int(b) * 60) for a, b in value)
        except (CalendarError, TypeError, ValueError) as exc:
            raise ValidationError(_("[[start_minute, end_minute], …] inside the day, not overlapping.")) from exc
        return [[a // 60, b // 60] for a, b in spans]


class CalendarExceptionInline(admin.TabularInline):
    model = CalendarException
    form = CalendarExceptionForm
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(SimpleHistoryAdmin):
    form = BusinessCalendarForm
    list_display = ("name", "timezone", "holiday_region", "updated_at")
    search_fields = ("name",)
    inlines = (WorkingPeriodInline, CalendarExceptionInline)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        standards_changed()


class ServiceStandardForm(forms.ModelForm):
    class Meta:
        model = ServiceStandard
        fields = ("code", "name", "metric", "ticket_type", "priority", "customer_tier", "target_minutes", "calendar",
                  "warning_percent", "breach_actions", "is_active")

    def clean_target_minutes(self):
        value = self.cleaned_data["target_minutes"]
        if value is None or not 0 < value <= MAX_TARGET_MINUTES:
            raise ValidationError(_("A whole number of minutes from 1 to %(max)s."), params={"max": MAX_TARGET_MINUTES})
        return value

    def clean_warning_percent(self):
        value = self.cleaned_data["warning_percent"]
        if value is None or not 1 <= value <= 99:
            raise ValidationError(_("1 to 99."))
        return value

    def clean_breach_actions(self):
        value = self.cleaned_data["breach_actions"] or []
        if not isinstance(value, list) or any(a not in BreachAction.values for a in value):
            raise ValidationError(_("A list of: %(values)s."), params={"values": ", ".join(BreachAction.values)})
        return sorted(set(value))


@admin.register(ServiceStandard)
class ServiceStandardAdmin(SimpleHistoryAdmin):
    form = ServiceStandardForm
    list_display = ("code", "name", "metric", "ticket_type", "priority", "customer_tier", "target_minutes",
                    "calendar", "is_active")
    list_filter = ("metric", "ticket_type", "is_active")
    search_fields = ("code", "name")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        standards_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        standards_changed()


@admin.register(TicketCategory)
class TicketCategoryAdmin(SimpleHistoryAdmin):
    list_display = ("name", "parent")
    search_fields = ("name",)
