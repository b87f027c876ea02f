"""Importing a CSV or XLSX file of leads (from an exhibition, a partner, a purchased list) with the
customers' import machinery: the same file reading (encodings, sheets, header guessing, size limit)
through `CustomerFileReader` with the leads' own fields, then each row checked by the lead rules
and captured through `lead_create`. Valid rows are imported, invalid ones reported by row number.
One transaction; files are small (MAX_ROWS) so it runs while the user waits."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from guanxi.core.errors import ValidationFailed
from guanxi.customers.importing import files

from .. import permissions
from ..enums import LeadSource
from ..models import Lead
from ..rules import clean_lead_fields, reasons
from .leads import lead_create

MAX_ROWS = 5_000
MAX_BYTES = 5 << 20
ERROR_CAP = 200
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


@dataclass
class LeadImportResult:
    created: int = 0
    linked_to_customers: int = 0  # new leads whose phone or e-mail is an existing customer's
    rows: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, field, reason), at most ERROR_CAP
    error_rows: int = 0
    unknown_columns: list[str] = field(default_factory=list)


def _row_errors(number: int, errors: dict) -> list[tuple[int, str, str]]:
    return [(number, name, str(reason)) for name, reason in reasons(errors).items()]


@transaction.atomic
def leads_import(*, actor, path: str | os.PathLike, mapping: dict[str, str] | None = None, encoding: str = "auto",
                 sheet: str = "", source: str = LeadSource.IMPORT, source_detail: str = "") -> LeadImportResult:
    """Import the leads of a file; new leads go to the pool. ImportFileError (422) for a file that
    cannot be read; rows with errors are reported and skipped."""
    permissions.require(actor, "import", "write")
    if source not in LeadSource.values:
        raise ValidationFailed(fields={"source": gettext_noop("unknown source")})
    reader = files.CustomerFileReader(path, encoding=encoding, sheet=sheet, mapping=mapping, limit=MAX_BYTES,
                                      fields=LEAD_FIELDS, required=())
    if not {"person_name", "company_name"} & set(reader.columns) or \
            not {"mobile", "phone", "email"} & set(reader.columns):
        raise ValidationFailed(gettext_noop("The file needs a name or company column and a mobile, phone or "
                                            "e-mail column."), fields={"columns": gettext_noop("missing columns")})
    result = LeadImportResult(unknown_columns=reader.unknown_columns)
    for number, row in reader:
        result.rows += 1
        if result.rows > MAX_ROWS:
            raise ValidationFailed(gettext_noop("At most 5,000 leads per file; split the file."),
                                   fields={"file": gettext_noop("too many rows")})
        values = {k: v for k, v in row.items() if not k.startswith("_")}
        if source_detail and not values.get("source_detail"):
            values["source_detail"] = source_detail
        clean, errors = clean_lead_fields(values)
        if row.keys() - values.keys():
            errors["row"] = ("extra", None)
        if errors:
            result.error_rows += 1
            result.errors.extend(_row_errors(number, errors)[: max(0, ERROR_CAP - len(result.errors))])
            continue
        lead: Lead = lead_create(actor=actor, data=clean, source=source, owner=None)
        result.created += 1
        result.linked_to_customers += lead.customer_id is not None
    return result
