"""Demo promises (承诺): a few on recent finished cases, most kept and some broken by the sweep
(which raises their follow-ups), and a few still open on open cases. A demo step registered in
`ServicedeskConfig.ready()` after the service desk's own, played through the services with `at=`."""

import datetime as dt
import random

from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.demo import DemoStaff

from ..enums import TicketStatus
from ..models import Commitment, Ticket
from ..services.commitments import commitment_create, commitment_keep, commitments_sweep

PAST_PROMISES = 16
OPEN_PROMISES = 5
KEPT_SHARE = 0.75
RECENT = dt.timedelta(days=120)
# (kind, what was promised, working hours or None for a date two days on)
PROMISES = (
    (Commitment.Kind.CALLBACK, "今天下班前回电告知处理进度", 4),
    (Commitment.Kind.VISIT, "安排装维师傅上门检修", 16),
    (Commitment.Kind.REFUND, "多扣的月租费退回话费账户", None),
    (Commitment.Kind.REPLACEMENT, "更换故障光猫", 24),
    (Commitment.Kind.ANSWER, "核实套餐变更规则后答复客户", 8),
)


def _promise(ticket: Ticket, rng: random.Random, at: dt.datetime) -> Commitment:
    kind, text, hours = PROMISES[rng.randrange(len(PROMISES))]
    due = None if hours else at + dt.timedelta(days=2)
    return commitment_create(actor=ticket.owner, kind=kind, description=text, ticket=ticket, due_at_value=due,
                             within_working_hours=hours, at=at)


def commitment_demo_load(*, seed: int, scale: float, staff: DemoStaff, customers: list[int]) -> str:
    """Promises on recent cases: kept ones (kept before their due time), broken ones (the sweep),
    open ones on open cases."""
    rng = random.Random(seed + 20)  # nosec B311  # demo/sample data, not security: seeded random for repeatable demo figures
    now = timezone.now()
    with_owner = Ticket.objects.filter(customer__isnull=False, owner__isnull=False).order_by("id")
    finished = list(with_owner.filter(status__in=(TicketStatus.RESOLVED, TicketStatus.CLOSED),
                                      created_at__gte=now - RECENT, created_at__lte=now - dt.timedelta(days=14)))
    open_cases = list(with_owner.filter(status__in=(TicketStatus.NEW, TicketStatus.OPEN)))
    kept = 0
    for ticket in rng.sample(finished, min(PAST_PROMISES, len(finished))):
        commitment = _promise(ticket, rng, ticket.created_at + dt.timedelta(minutes=rng.randint(5, 90)))
        if rng.random() < KEPT_SHARE:
            span = (commitment.due_at - commitment.promised_at) * rng.uniform(0.2, 0.9)
            commitment_keep(actor=ticket.owner, commitment=commitment, note="已按承诺完成",
                            at=commitment.promised_at + span)
            kept += 1
    for ticket in rng.sample(open_cases, min(OPEN_PROMISES, len(open_cases))):
        kind, text, _ = PROMISES[rng.randrange(len(PROMISES))]
        commitment_create(actor=ticket.owner, kind=kind, description=text, ticket=ticket,
                          due_at_value=now + dt.timedelta(days=rng.randint(1, 5)))
    broken = commitments_sweep(actor=SYSTEM, now=now)["broken"]
    still_open = Commitment.objects.filter(status=Commitment.Status.OPEN).count()
    return f"{kept} promises kept, {broken} broken (follow-ups raised), {still_open} open"
