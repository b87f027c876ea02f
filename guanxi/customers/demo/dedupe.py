"""Demo step: deliberate duplicates among the demo customers, then a duplicate scan, so that the
review queue (重复客户复核) has candidates to show."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from guanxi.accounts.demo import DemoStaff

from .. import normalize
from ..enums import CustomerKind, IdType
from ..linkage import variants
from ..models import Address, ContactPoint, Customer

# Share of the demo's individuals entered a second time.
DUPLICATE_SHARE = 0.03


def _record(customer: Customer, address: Address | None) -> dict:
    return {
        "kind": customer.kind, "name": customer.name, "mobile": customer.mobile, "email": customer.email,
        "id_number": customer.id_number if customer.id_type == IdType.RESIDENT_ID else "",
        "birth_date": customer.birth_date, "gender": customer.gender,
        "province": address.province if address else "", "city": address.city if address else "",
        "district": address.district if address else "",
    }


def duplicates_demo_load(*, seed: int, scale: float, staff: DemoStaff, customers: list[int],
                         now: dt.datetime | None = None) -> str:
    """Enter about 3% of the demo's individuals a second time as another channel would (homophone,
    pinyin or swapped name, typos, phone written another way, missing fields) through the customer
    services, then scan for duplicates. Each second record is dated some time after the first one
    and before `now` (default: the current time), so that the newest records are not all duplicates."""
    now = now or timezone.now()
    from ..services import address_add, customer_create
    from ..services.dedupe import dedupe_scan_create, dedupe_scan_run

    rng = random.Random(seed + 11)  # nosec B311  # demo/sample data, not security: seeded random for repeatable demo figures
    people = list(Customer.objects.filter(pk__in=customers, kind=CustomerKind.INDIVIDUAL).select_related("owner")
                  .order_by("pk"))
    if len(people) < 2:
        return "no duplicates (too few customers)"
    sources = rng.sample(people, max(2, round(len(people) * DUPLICATE_SHARE)))
    addresses = {a.customer_id: a for a in Address.objects.filter(customer__in=sources).order_by("-is_default", "-id")}
    created = 0
    for source in sources:
        dup = variants.duplicate_of(_record(source, addresses.get(source.pk)), rng)
        id_number = dup["id_number"]
        valid_id = bool(id_number) and normalize.resident_id_is_valid(id_number)
        # Entered again by the source's owner (a partner or a rep registering "a new" customer),
        # or for an unowned one by the back office, into the same team: the ownership rule holds.
        customer = customer_create(actor=source.owner or staff.admin, data={
            "kind": CustomerKind.INDIVIDUAL, "name": dup["name"].strip() or source.name, "mobile": dup["mobile"],
            "email": dup["email"].strip(), "birth_date": dup["birth_date"], "gender": dup["gender"],
            # Old 15-digit or mistyped numbers are kept as legacy records keep them: type unknown.
            "id_type": IdType.RESIDENT_ID if valid_id else "", "id_number": id_number,
            "owner": source.owner_id, "team": source.team_id, "source": rng.choice(("web", "outlet", "call_center")),
            "lifecycle_stage": source.lifecycle_stage, "brand": source.brand_id,
        })
        if dup.get("province"):
            address_add(actor=staff.admin, customer=customer, kind="home", province=dup["province"],
                        city=dup["city"], district=dup["district"], is_default=True)
        _backdate(customer, _second_entry_at(rng, source.created_at, now))
        created += 1
    scan = dedupe_scan_run(actor=staff.admin, scan=dedupe_scan_create(actor=staff.admin))
    return (f"{created} customers entered twice; the duplicate scan found {scan.candidates_found} "
            f"candidate pairs for review")


def _second_entry_at(rng: random.Random, first: dt.datetime, now: dt.datetime) -> dt.datetime:
    """When another channel entered the customer again: after the first record, a fortnight ago at the latest."""
    latest = max(first, now - dt.timedelta(days=14))
    return first + (latest - first) * rng.uniform(0.1, 1.0)


def _backdate(customer: Customer, at: dt.datetime) -> None:
    """The services stamp the current time; the demo's second records were made on their day."""
    Customer.objects.filter(pk=customer.pk).update(created_at=at, updated_at=at)
    Customer.history.filter(id=customer.pk).update(history_date=at)
    for model in (Address, ContactPoint):
        model.objects.filter(customer=customer).update(created_at=at, updated_at=at)
        model.history.filter(customer_id=customer.pk).update(history_date=at)
