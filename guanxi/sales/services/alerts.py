"""Big-deal alerts (大额业务提醒): when an opportunity's amount reaches the big-deal amount, the sales
managers of its team (all sales managers when it has none) are told through the messaging backends,
once per opportunity and amount crossed, however often the deal is saved."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanxi.accounts.enums import Role
from guanxi.accounts.models import User
from guanxi.integrations.messaging.enums import MessageChannel
from guanxi.integrations.messaging.services import message_send

from ..models import BigDealAlert, Opportunity
from ..selectors.configuration import sales_settings


def _managers(team_id: int | None) -> list[User]:
    managers = User.objects.filter(role=Role.SALES_MANAGER, is_active=True).order_by("id")
    of_team = list(managers.filter(team_id=team_id)) if team_id else []
    return of_team or list(managers)


def managers_alert(*, team_id: int | None, subject: str, body: str) -> int:
    """Tell the sales managers of a team (all of them when it has none) of a big deal or order;
    returns how many were reached. Orders use it for their own big-deal alerts."""
    return sum(_send(user, subject, body) for user in _managers(team_id))


def _send(user: User, subject: str, body: str) -> bool:
    if user.email:
        message_send(channel=MessageChannel.EMAIL, recipient=user.email, subject=subject, body=body)
    elif user.mobile:
        message_send(channel=MessageChannel.SMS, recipient=user.mobile, body=body)
    else:
        return False
    return True


def big_deal_check(opportunity: Opportunity) -> BigDealAlert | None:
    """Alert the managers if this open deal is at or above the big-deal amount and nobody was alerted
    of it at this amount yet (the unique alert row makes a second, concurrent check a no-op)."""
    threshold = sales_settings().big_deal_amount
    if not opportunity.is_open or opportunity.amount < threshold:
        return None
    if BigDealAlert.objects.filter(opportunity=opportunity, threshold=threshold).exists():
        return None
    try:
        with transaction.atomic():
            alert = BigDealAlert.objects.create(opportunity=opportunity, threshold=threshold,
                                                amount=opportunity.amount, alerted_at=timezone.now())
    except IntegrityError:
        return None
    with translation.override(settings.LANGUAGE_CODE):  # read by managers in the default language
        subject = _("Big deal: %(name)s") % {"name": opportunity.name}
        body = _("%(owner)s's opportunity %(name)s (%(customer)s) is worth ¥%(amount)s, at or above the "
                 "big-deal amount of ¥%(threshold)s. Stage: %(stage)s, expected to close on %(date)s.") % {
            "owner": opportunity.owner, "name": opportunity.name, "customer": opportunity.customer,
            "amount": f"{opportunity.amount:,.2f}", "threshold": f"{threshold:,.2f}",
            "stage": opportunity.stage, "date": opportunity.expected_close_date.isoformat()}
    alert.recipients = managers_alert(team_id=opportunity.team_id, subject=subject, body=body)
    alert.save(update_fields=["recipients"])
    return alert
