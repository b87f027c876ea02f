"""Personal data rights (PIPL 个人信息保护法 arts. 45 and 47; GDPR arts. 15, 17 and 20): export everything
held about a customer, and erase (anonymise) it on a reviewed request while the business figures —
orders, payments, cases, survey scores — stay whole. Every request is a `DataRequest` row, the audit."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from guanxi.accounts.access import user_of
from guanxi.core.errors import Conflict
from guanxi.core.spreadsheet import spreadsheet_cell
from guanxi.customers.models import Address, Contact, ContactPoint, Customer, ImportJob
from guanxi.customers.services.customers import refresh_name_keys
from guanxi.integrations.messaging.models import OutboundMessage
from guanxi.marketing.models import Lead
from guanxi.portal.models import PortalAccount
from guanxi.servicedesk.models import Call, CtiEvent

from . import permissions
from .holds import legal_holds
from .models import DataRequest
from .reach import Reach, customer_reach, is_historical
from .scrub import ERASED_FIELDS, Identifiers, scrub_value, text_fields

BATCH = 500
HistoricalCustomer = Customer.history.model
# The customer's own fields that only hold personal data, emptied by an erasure (name and search keys
# are replaced; kind, region, value, credit and ledger figures stay).
CUSTOMER_ERASED = {
    "gender": "",
    "birth_date": None,
    "id_type": "",
    "id_number": "",
    "mobile": "",
    "email": "",
    "occupation": "",
    "legal_representative": "",
    "website": "",
    "billing_account": "",
    "bank_account": "",
    "invoice_title": "",
    "tax_number": "",
    "notes": "",
}


def person_customer_ids(customer: Customer) -> list[int]:
    """The customer and the duplicates merged into it: the same person."""
    return [customer.pk, *Customer.objects.filter(merged_into=customer).values_list("pk", flat=True)]


# ---------------------------------------------------------------- export


def _section_rows(reach: Reach, customer_ids: list[int]) -> list[dict]:
    return list(reach.rows(customer_ids).order_by("pk").values())


def _sections(customer_ids: list[int]) -> dict[str, list[dict]]:
    sections = {
        "customers.Customer": list(Customer.objects.filter(pk__in=customer_ids).order_by("pk").values()),
        "customers.HistoricalCustomer": list(
            HistoricalCustomer.objects.filter(id__in=customer_ids).order_by("history_id").values()
        ),
    }
    for reach in customer_reach():
        # The customer's own history is read by its id above (the walk reaches it only by `merged_into`).
        sections.setdefault(reach.model._meta.label, _section_rows(reach, customer_ids))
    return {label: rows for label, rows in sections.items() if rows}


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    columns = list(rows[0])
    writer.writerow(columns)
    for row in rows:
        writer.writerow([spreadsheet_cell(_plain(row[c])) for c in columns])
    return out.getvalue()


def _plain(value):
    return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder) if isinstance(value, dict | list) else value


@transaction.atomic
def customer_data_export(*, actor, customer: Customer, note: str = "") -> tuple[DataRequest, bytes]:
    """A zip of everything held about the customer (and duplicates merged into it): `data.json` with
    every section, one CSV per section (records of each kind; `Historical…` sections are the audit of
    who changed what), and `README.txt`. Logged as an executed export request."""
    permissions.require(actor, "export", "export")
    customer_ids = person_customer_ids(customer)
    sections = _sections(customer_ids)
    request = DataRequest.objects.create(
        kind=DataRequest.Kind.EXPORT,
        status=DataRequest.Status.EXECUTED,
        customer=customer,
        note=note,
        requested_by=user_of(actor),
        executed_by=user_of(actor),
        executed_at=timezone.now(),
        result={label: len(rows) for label, rows in sections.items()},
    )
    sections["privacy.DataRequest"] = list(
        DataRequest.objects.filter(customer_id__in=customer_ids).order_by("pk").values()
    )
    document = {
        "customer_id": customer.pk,
        "exported_at": request.executed_at,
        "request_id": request.pk,
        "sections": sections,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(document, ensure_ascii=False, indent=1, cls=DjangoJSONEncoder))
        for label, rows in sections.items():
            archive.writestr(f"csv/{label}.csv", "\ufeff" + _csv(rows))
        archive.writestr("README.txt", _readme(sections))
    return request, buffer.getvalue()


def _readme(sections: dict[str, list[dict]]) -> str:
    lines = [
        "个人信息导出 / Personal data export",
        "",
        "data.json: 全部数据 (all sections); csv/: 每类记录一个文件 (one file per kind of record);",
        "Historical* = 变更审计记录 (audit of changes).",
        "",
    ]
    return "\n".join(lines + [f"{label}: {len(rows)}" for label, rows in sections.items()]) + "\n"


# ---------------------------------------------------------------- erasure workflow


@transaction.atomic
def erasure_request(*, actor, customer: Customer, note: str = "") -> DataRequest:
    """File an erasure request for the customer; one open request per customer at a time."""
    permissions.require(actor, "erasure", "write")
    open_statuses = (DataRequest.Status.REQUESTED, DataRequest.Status.APPROVED)
    Customer.objects.select_for_update().filter(pk=customer.pk).first()
    if DataRequest.objects.filter(customer=customer, kind=DataRequest.Kind.ERASURE, status__in=open_statuses).exists():
        raise Conflict(gettext_noop("An erasure request for this customer is already open."), code="request_open")
    request = DataRequest(kind=DataRequest.Kind.ERASURE, customer=customer, note=note, requested_by=user_of(actor))
    request._history_user = user_of(actor)
    request.save()
    return request


def _locked(request: DataRequest) -> DataRequest:
    locked = DataRequest.objects.select_for_update().filter(pk=request.pk, kind=DataRequest.Kind.ERASURE).first()
    if locked is None:
        raise Conflict(gettext_noop("This is not an erasure request."), code="not_erasure")
    return locked


@transaction.atomic
def erasure_review(*, actor, request: DataRequest, approve: bool, note: str = "") -> DataRequest:
    """Approve or reject a requested erasure. Approval is refused (409, with the reasons) while a legal
    hold applies. Locks the request."""
    permissions.require(actor, "erasure", "configure")
    request = _locked(request)
    if request.status != DataRequest.Status.REQUESTED:
        raise Conflict(gettext_noop("This request has already been reviewed."), code="already_reviewed")
    if approve:
        _refuse_if_held(request.customer)
    request.status = DataRequest.Status.APPROVED if approve else DataRequest.Status.REJECTED
    request.reviewed_by, request.reviewed_at, request.review_note = user_of(actor), timezone.now(), note
    request._history_user = user_of(actor)
    request.save()
    return request


def _refuse_if_held(customer: Customer) -> None:
    holds = legal_holds(person_customer_ids(customer))
    if holds:
        raise Conflict(
            gettext_noop("The personal data cannot be erased while a legal hold applies."),
            code="legal_hold",
            fields=holds,
        )


@transaction.atomic
def erasure_execute(*, actor, request: DataRequest) -> DataRequest:
    """Anonymise the customer everywhere in one transaction (see `scrub`): its own record, the records
    about it (reached by `reach`), their audit history and the messages and calls that name it. Only an
    approved request; an executed one is returned as it is (idempotent). Refused while a legal hold
    applies. Locks the request and the customer."""
    permissions.require(actor, "erasure", "configure")
    request = _locked(request)
    if request.status == DataRequest.Status.EXECUTED:
        return request
    if request.status != DataRequest.Status.APPROVED:
        raise Conflict(gettext_noop("Only an approved request can be executed."), code="not_approved")
    customer = Customer.objects.select_for_update().get(pk=request.customer_id)
    _refuse_if_held(customer)
    result = _erase_person(actor, customer, request)
    request = _locked(request)  # the scrub above may have rewritten its note
    request.status, request.executed_by, request.executed_at = (
        DataRequest.Status.EXECUTED,
        user_of(actor),
        timezone.now(),
    )
    request.result = result
    request._history_user = user_of(actor)
    request.save()
    return request


def _erase_person(actor, customer: Customer, request: DataRequest) -> dict:
    """The erasure itself (the caller holds the customer's lock and has checked the holds): what
    changed, for the request's record."""
    customer_ids = person_customer_ids(customer)
    identifiers = person_identifiers(customer_ids)
    changed: dict[str, int] = {}
    files = _detach_files(customer_ids)
    for reach in customer_reach():
        _count(changed, reach.model, _scrub_rows(reach.model, reach.rows(customer_ids), identifiers))
    for model, rows in _unlinked_rows(customer_ids, identifiers):
        _count(changed, model, _scrub_rows(model, rows, identifiers))
    _count(changed, Customer, _anonymise_customers(actor, customer_ids, request))
    _count(
        changed,
        HistoricalCustomer,
        _scrub_rows(
            HistoricalCustomer,
            HistoricalCustomer.objects.filter(id__in=customer_ids),
            identifiers,
            erased={**CUSTOMER_ERASED, "name_pinyin": "", "name_initials": "", "name_terms": ""},
        ),
    )
    return {"customers": customer_ids, "rows_changed": changed, "files_deleted": files}


@transaction.atomic
def customer_retention_erase(*, actor, customer: Customer, note: str) -> DataRequest | None:
    """Erase a closed customer whose retention period is over (a retention rule, not the person's
    request): the same erasure as `erasure_execute`, recorded as an executed erasure request with the
    rule in its note. Nothing (None) while a legal hold applies or when an erasure was executed for
    the customer already. Locks the customer."""
    permissions.require(actor, "retention", "configure")
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    done = DataRequest.objects.filter(customer=customer, kind=DataRequest.Kind.ERASURE,
                                      status=DataRequest.Status.EXECUTED)
    if done.exists() or legal_holds(person_customer_ids(customer)):
        return None
    at = timezone.now()
    request = DataRequest(kind=DataRequest.Kind.ERASURE, status=DataRequest.Status.EXECUTED, customer=customer,
                          note=note[:500], requested_by=user_of(actor), reviewed_by=user_of(actor), reviewed_at=at,
                          executed_by=user_of(actor), executed_at=at)
    request._history_user = user_of(actor)
    request.save()
    request.result = _erase_person(actor, customer, request)
    request.note = note[:500]  # the scrub may have rewritten it
    request.save()
    return request


def _file_fields(model) -> list[str]:
    base = model.instance_type if is_historical(model) else model
    return [f.name for f in base._meta.concrete_fields if isinstance(f, models.FileField)]


def _detach_files(customer_ids: list[int]) -> list[dict]:
    """The uploaded files about the person (case attachments, green-channel documents, whatever
    reaches the customer and holds a file): emptied in their rows (and audit rows) now, deleted from
    storage once the erasure commits. What went is returned for the request's record: model, row,
    field and the stored (random) name, never the file's content or its original name."""
    deleted, names = [], set()
    for reach in customer_reach():
        for name in _file_fields(reach.model):
            rows = reach.rows(customer_ids).exclude(**{name: ""}).exclude(**{f"{name}__isnull": True})
            for pk, stored in rows.values_list("pk", name):
                if not is_historical(reach.model):
                    deleted.append({"model": reach.model._meta.label, "id": pk, "field": name, "file": stored})
                names.add(stored)
            rows.update(**{name: ""})
    if names:
        transaction.on_commit(lambda: _delete_stored(sorted(names)))
    return deleted


def _delete_stored(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)  # a file already gone is no error


def _count(changed: dict, model, n: int) -> None:
    if n:
        changed[model._meta.label] = changed.get(model._meta.label, 0) + n


def person_identifiers(customer_ids: list[int]) -> Identifiers:
    """Every name, number and address the person has had on record, audit history included."""
    raw = []
    fields = (
        "name",
        "mobile",
        "email",
        "id_number",
        "bank_account",
        "tax_number",
        "legal_representative",
        "invoice_title",
        "website",
    )
    for model in (Customer, HistoricalCustomer):
        for row in model._base_manager.filter(
            **{"id__in" if model is HistoricalCustomer else "pk__in": customer_ids}
        ).values_list(*fields):
            raw += row
    for model in (Contact, Contact.history.model):
        raw += model._base_manager.filter(customer_id__in=customer_ids).values_list("name", flat=True)
    for model in (ContactPoint, ContactPoint.history.model):
        for value, normalized in model._base_manager.filter(customer_id__in=customer_ids).values_list(
            "value", "normalized"
        ):
            raw += [value, normalized]
    for model in (Address, Address.history.model):
        raw += model._base_manager.filter(customer_id__in=customer_ids).values_list("street", flat=True)
    for row in Lead.objects.filter(customer_id__in=customer_ids).values_list("person_name", "mobile", "phone", "email"):
        raw += row
    raw += Call.objects.filter(customer_id__in=customer_ids).values_list("caller", flat=True)
    raw += PortalAccount.objects.filter(customer_id__in=customer_ids).values_list("login", flat=True)
    return Identifiers.of(raw)


def _unlinked_rows(customer_ids: list[int], identifiers: Identifiers):
    """Rows that name the person without a foreign key to them: messages sent to their numbers, calls
    from them not matched to the record, leads with their numbers, telephony events of their calls,
    import jobs whose reports quote them."""
    contacts = [v for v in identifiers.values if "@" in v or v.startswith("+")]
    yield OutboundMessage, OutboundMessage.objects.filter(recipient__in=identifiers.values)
    yield Call, Call.objects.filter(caller_normalized__in=contacts)
    leads = Lead.objects.filter(customer__isnull=True).filter(mobile__in=contacts) | Lead.objects.filter(
        customer__isnull=True, email__in=contacts
    )
    lead_ids = list(leads.values_list("pk", flat=True))
    yield Lead, Lead.objects.filter(pk__in=lead_ids)
    yield Lead.history.model, Lead.history.model.objects.filter(id__in=lead_ids)
    call_ids = Call.objects.filter(customer_id__in=customer_ids).values_list("call_id", flat=True)
    yield CtiEvent, CtiEvent.objects.filter(call_id__in=list(call_ids))
    yield ImportJob, ImportJob.objects.all()


def _erased_fields(model) -> dict:
    base = model.instance_type if is_historical(model) else model
    return ERASED_FIELDS.get(base._meta.label, {})


def _scrub_rows(model, rows, identifiers, *, erased: dict | None = None) -> int:
    """Rewrite `rows` of `model` without the person's identifiers (`Identifiers`, or a function of the
    row giving each row its own); fields that hold only personal data get their erased value. Returns
    how many rows changed."""
    erased = _erased_fields(model) if erased is None else erased
    fields = text_fields(model)
    names = sorted({f.name for f in fields} | set(erased))
    per_row = callable(identifiers)
    changed = 0
    for batch in _batches(rows if per_row else rows.only(model._meta.pk.name, *names)):
        dirty, written = [], set()
        for row in batch:
            found = identifiers(row) if per_row else identifiers
            before = {name: getattr(row, name) for name in names}
            for field in fields:
                setattr(row, field.name, scrub_value(field, getattr(row, field.name), found))
            for name, value in erased.items():
                setattr(row, name, value(row.pk) if callable(value) else value)
            differ = {name for name in names if getattr(row, name) != before[name]}
            if differ:
                dirty.append(row)
                written |= differ
        if dirty:
            # Only the columns some row changed: bulk_update writes a CASE per column and row.
            model._base_manager.bulk_update(dirty, sorted(written))
            changed += len(dirty)
    return changed


def _batches(rows):
    last = None
    pk = rows.model._meta.pk.name
    while True:
        page = rows.order_by(pk)
        if last is not None:
            page = page.filter(**{f"{pk}__gt": last})
        batch = list(page[:BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def _anonymise_customers(actor, customer_ids: list[int], request: DataRequest) -> int:
    for customer in Customer.objects.filter(pk__in=customer_ids).order_by("pk"):
        customer.name = f"匿名客户{customer.pk}"
        for name, value in CUSTOMER_ERASED.items():
            setattr(customer, name, value)
        refresh_name_keys(customer)
        customer._history_user = user_of(actor)
        customer._change_reason = f"erasure #{request.pk}"
        customer.save()
    return len(customer_ids)


def records_scrub(*, model, rows, identifiers) -> int:
    """`rows` of `model` without `identifiers` (`Identifiers`, or a function of the row giving its
    own), their personal-data-only fields erased, as an erasure does (for the retention sweep's
    unconverted leads, each with its own). Returns how many rows changed."""
    return _scrub_rows(model, rows, identifiers)
