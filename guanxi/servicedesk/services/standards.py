from django.db import transaction
from django.utils.translation import gettext_lazy

from guanxi.accounts.access import user_of
from guanxi.core.errors import ValidationFailed

from .. import permissions
from ..enums import BreachAction, CustomerTier, Metric, Priority, TicketType
from ..models import BusinessCalendar, ServiceStandard
from .clocks import standards_changed

MAX_TARGET_MINUTES = 365 * 24 * 60
CONFIGURE_DENIED = gettext_lazy("Only administrators and service managers configure service standards.")


def _clean(data: dict) -> dict:
    errors = {}
    checks = {
        "metric": Metric.values, "ticket_type": ["", *TicketType.values],
        "customer_tier": CustomerTier.values,
    }
    for field, allowed in checks.items():
        if data.get(field, "") not in allowed:
            errors[field] = f"one of: {', '.join(v for v in allowed if v)}"
    if data.get("priority") not in (None, *Priority.values):
        errors["priority"] = "1 (low) to 4 (urgent), or empty for any"
    target = data.get("target_minutes")
    if not isinstance(target, int) or isinstance(target, bool) or not 0 < target <= MAX_TARGET_MINUTES:
        errors["target_minutes"] = f"a whole number of minutes from 1 to {MAX_TARGET_MINUTES}"
    warning = data.get("warning_percent", 80)
    if not isinstance(warning, int) or not 1 <= warning <= 99:
        errors["warning_percent"] = "1 to 99"
    actions = data.get("breach_actions", [])
    if not isinstance(actions, list) or any(a not in BreachAction.values for a in actions):
        errors["breach_actions"] = f"a list of: {', '.join(BreachAction.values)}"
    calendar = data.get("calendar")
    if not isinstance(calendar, BusinessCalendar):
        calendar = BusinessCalendar.objects.filter(pk=calendar).first() if isinstance(calendar, int) else None
        if calendar is None:
            errors["calendar"] = "unknown calendar"
    for field, limit in (("code", 50), ("name", 100)):
        if not (data.get(field) or "").strip() or len(data[field]) > limit:
            errors[field] = f"required, at most {limit} characters"
    if errors:
        raise ValidationFailed(fields=errors)
    return {**data, "calendar": calendar, "warning_percent": warning, "breach_actions": sorted(set(actions))}


@transaction.atomic
def standard_save(*, actor, data: dict, standard: ServiceStandard | None = None) -> ServiceStandard:
    """Create or change a service standard (administrators and service managers). Running clocks
    keep the target they started with; the cached standards are cleared on commit."""
    permissions.require(actor, "standard", "configure", message=CONFIGURE_DENIED)
    clean = _clean(data)
    if ServiceStandard.objects.exclude(pk=getattr(standard, "pk", None)).filter(code=clean["code"]).exists():
        raise ValidationFailed(fields={"code": "a standard with this code exists"})
    standard = standard or ServiceStandard()
    fields = ("code", "name", "metric", "ticket_type", "priority", "customer_tier", "target_minutes", "calendar",
              "warning_percent", "breach_actions", "is_active")
    for field in fields:
        if field in clean:
            setattr(standard, field, clean[field])
    standard._history_user = user_of(actor)
    standard.save()
    standards_changed()
    return standard
