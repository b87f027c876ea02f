from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.core.models import TimeStampedModel

WEEKDAYS = [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")),
            (4, _("Friday")), (5, _("Saturday")), (6, _("Sunday"))]


class BusinessCalendar(TimeStampedModel):
    """A business calendar (工作日历): weekly working periods, public holidays and make-up working
    days of a region, and manual exceptions."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    timezone = models.CharField(_("time zone"), max_length=50, default="Asia/Shanghai")
    holiday_region = models.CharField(
        _("public holidays of"), max_length=10, blank=True, default="CN",
        help_text=_("CN: mainland China's public holidays and make-up working days (调休); empty: none"),
    )
    makeup_template = models.PositiveSmallIntegerField(
        _("make-up days follow"), choices=WEEKDAYS, default=0,
        help_text=_("the weekday whose working periods a make-up working day uses"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["name"]

    def __str__(self):
        return self.name


class WorkingPeriod(models.Model):
    """One working period of a weekday in minutes since midnight; several per day allow lunch
    breaks and split shifts."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="periods")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS)
    start_minute = models.PositiveSmallIntegerField(_("from (minute of day)"))
    end_minute = models.PositiveSmallIntegerField(_("to (minute of day)"))

    class Meta:
        verbose_name = _("working period")
        verbose_name_plural = _("working periods")
        ordering = ["weekday", "start_minute"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_minute__lt=models.F("end_minute"), end_minute__lte=1440),
                name="working_period_inside_day",
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start_minute // 60:02}:{self.start_minute % 60:02}" \
               f"–{self.end_minute // 60:02}:{self.end_minute % 60:02}"


class CalendarException(models.Model):
    """A date whose working periods replace the usual ones; no periods means closed."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField(_("date"))
    periods = models.JSONField(_("working periods"), default=list, blank=True,
                               help_text=_("[[start_minute, end_minute], …]; empty means closed"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="calendar_exception_once_a_day")]

    def __str__(self):
        return f"{self.date} {self.note}"
