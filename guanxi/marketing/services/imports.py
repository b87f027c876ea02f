"""Importing a CSV or XLSX file of leads (from an exhibition, a partner, a purchased list) as a job
of the customers' import machinery (`guanxi.customers.importing.targets`): upload → column mapping
→ validation (every row checked by the lead rules, duplicates within the file and with existing
leads and customers reported) → commit (every valid row captured through `lead_create`, in one
transaction, or nothing). Big files run in the background on Celery; without a broker (the embedded
default) the tasks run inline. New leads go to the pool; `job.source` names where the file came from
(the leads' source detail where a row has none)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from guanxi.customers.importing import files
from guanxi.customers.importing.targets import ImportTarget, RowCheck
from guanxi.customers.models import ImportJob
from guanxi.customers.services.imports import import_job_create, import_job_request

from .. import permissions
from ..enums import LeadSource
from ..rules import clean_lead_fields, name_key
from ..selectors.leads import BY_EMAIL, BY_MOBILE, BY_NAME, BY_PHONE, lead_duplicates
from .leads import lead_create

TARGET = "leads"
MAX_ROWS = 50_000
LEAD_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "person_name": (_("Contact name"), ("person_name", "name", "contact", "contact_name", "姓名", "联系人",
                                        "联系人姓名", "客户姓名")),
    "company_name": (_("Company"), ("company", "company_name", "organisation", "公司", "公司名称", "单位", "单位名称",
                                    "企业名称", "客户名称")),
    "mobile": files.FIELDS["mobile"],
    "phone": (_("Phone"), files.FIELDS["landline"][1]),
    "email": files.FIELDS["email"],
    "province": files.FIELDS["province"],
    "city": files.FIELDS["city"],
    "industry": files.FIELDS["industry"],
    "interest": (_("Interest"), ("interest", "product", "意向", "意向产品", "感兴趣的产品", "需求", "咨询内容",
                                 "备注")),
    "source_detail": (_("Source detail"), ("source", "source_detail", "campaign", "event", "来源", "渠道", "活动",
                                           "展会")),
}
CONTACT_FIELDS = ("mobile", "phone", "email")
# Duplicate findings, one per reason (the pages and the report translate them).
FIELD_OF_REASON = {BY_MOBILE: "mobile", BY_PHONE: "phone", BY_EMAIL: "email", BY_NAME: "person_name"}
SAME_AS_LEAD = {
    BY_MOBILE: gettext_noop("an existing lead has the same mobile (%(name)s)"),
    BY_PHONE: gettext_noop("an existing lead has the same phone (%(name)s)"),
    BY_EMAIL: gettext_noop("an existing lead has the same e-mail (%(name)s)"),
    BY_NAME: gettext_noop("an existing lead has the same name (%(name)s)"),
}
SAME_AS_CUSTOMER = {
    BY_MOBILE: gettext_noop("an existing customer has the same mobile (%(name)s)"),
    BY_PHONE: gettext_noop("an existing customer has the same phone (%(name)s)"),
    BY_EMAIL: gettext_noop("an existing customer has the same e-mail (%(name)s)"),
    BY_NAME: gettext_noop("an existing customer has the same name (%(name)s)"),
}
HIDDEN_MATCH = gettext_noop("matches %(count)s existing leads or customers you cannot see")
SAME_AS_ROW = gettext_noop("the same as row %(row)s")
EXTRA_VALUES = gettext_noop("more values than columns")


def _require(actor) -> None:
    permissions.require(actor, "import", "write")


def _check_columns(columns: list) -> None:
    present = set(columns)
    if not {"person_name", "company_name"} & present or not set(CONTACT_FIELDS) & present:
        raise files.ImportFileError(
            gettext_noop("The file needs a name or company column and a mobile, phone or e-mail column."),
            code="missing_columns", fields={"columns": gettext_noop("missing columns")})


class _Checker:
    """Checks the rows of one job's file in order, remembering the keys seen for duplicates in it."""

    def __init__(self, job: ImportJob):
        self.user, self.source_detail = job.created_by, job.source
        self.seen: dict[tuple[str, str], int] = {}
        self.number = 1

    def __call__(self, row: dict) -> RowCheck:
        self.number += 1
        values = {k: v for k, v in row.items() if not k.startswith("_")}
        if self.source_detail and not values.get("source_detail"):
            values["source_detail"] = self.source_detail[:100]
        clean, errors = clean_lead_fields(values)
        found = RowCheck(errors=[(name, code, params) for name, (code, params) in errors.items()])
        if row.keys() - values.keys():
            found.errors.append(("row", EXTRA_VALUES, None))
        if found.errors:
            return found
        found.values = clean
        found.duplicates = self._in_file(clean) + self._existing(clean)
        return found

    def _in_file(self, clean: dict) -> list:
        keys = [(f, clean.get(f) or "") for f in CONTACT_FIELDS]
        keys.append(("person_name", name_key(person_name=clean.get("person_name") or "",
                                             company_name=clean.get("company_name") or "")))
        findings = []
        for key in keys:
            if not key[1]:
                continue
            first = self.seen.setdefault(key, self.number)
            if first != self.number:
                findings.append((key[0], SAME_AS_ROW, {"row": first}, False))
        return findings

    def _existing(self, clean: dict) -> list:
        duplicates = lead_duplicates(user=self.user, values=clean)
        findings = []
        for matches, codes in ((duplicates.leads, SAME_AS_LEAD), (duplicates.customers, SAME_AS_CUSTOMER)):
            for record, reasons in matches:
                name = getattr(record, "display_name", None) or str(record)
                findings += [(FIELD_OF_REASON[r], codes[r], {"name": name}, True) for r in reasons]
        hidden = duplicates.hidden_leads + duplicates.hidden_customers
        if hidden:
            findings.append(("mobile", HIDDEN_MATCH, {"count": hidden}, True))
        return findings


def _write(job: ImportJob, rows: list[dict], *, progress) -> list[int]:
    created = []
    for values in rows:
        created.append(lead_create(actor=job.created_by, data=values, source=LeadSource.IMPORT, owner=None).pk)
        progress(len(created), len(rows))
    return created


LEAD_TARGET = ImportTarget(name=TARGET, label=_("Leads"), fields=LEAD_FIELDS, required=(), require=_require,
                           checker=_Checker, write=_write, check_columns=_check_columns, max_rows=MAX_ROWS)


def lead_import_start(*, actor, upload, source: str = "",
                      mapping: dict[str, str] | str | None = None, sheet: str = "", encoding: str = "auto",
                      dry_run: bool = True, language: str = "", check_mapping: bool = False) -> ImportJob:
    """Upload a file of leads and start its validation (with `dry_run=False`, its commit too when no
    row is bad). The file is refused (ImportFileError, a 422) when it cannot be read or its columns
    cannot make leads; nothing is written then."""
    job = import_job_create(actor=actor, upload=upload, source=source,
                            mapping=mapping, sheet=sheet, encoding=encoding, dry_run=dry_run, language=language,
                            check_mapping=check_mapping, target=TARGET)
    return import_job_request(actor=actor, job=job, action="validate")


def lead_import_commit(*, actor, job: ImportJob) -> ImportJob:
    """Write a validated lead import without errors (in the background where there is a broker)."""
    return import_job_request(actor=actor, job=job, action="commit")


def lead_import_validate(*, actor, job: ImportJob) -> ImportJob:
    """Check the job's file again (after its columns' fields changed)."""
    return import_job_request(actor=actor, job=job, action="validate")
