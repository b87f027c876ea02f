"""Optimistic versions: no lost updates on records that people edit at the same time.

A versioned record carries `version`, bumped by every save in the one UPDATE the save does anyway
(`UPDATE … SET …, version = v + 1 WHERE id = %s AND version = v`): a save from a copy older than the
row changes nothing and raises StaleVersion (409) instead of overwriting the newer edit.

Clients say which version they read: the API's `If-Match: "v"` (the ETag of the GET) or a `version`
field, a page's hidden `version` field. The service compares it with the row it locked
(`require_version`) and refuses an older copy with a VersionConflict naming the fields changed since
and their current values, masked as the caller sees them. No version sent: no comparison (the
service still works on the locked, current row, so only the fields sent change).
"""

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial

from django import forms
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from .audit import readable_value
from .errors import Conflict, ValidationFailed
from .masking import mask_field


class StaleVersion(Conflict):
    """A save from a copy of the record older than the row (someone saved in between)."""

    code = "version_conflict"
    default_message = _("Someone else changed this record meanwhile; reload it and try again.")


class VersionedModel(models.Model):
    """Mixin of the records edited by people at the same time: `version` counts the saves."""

    version = models.PositiveIntegerField(_("version"), default=1, db_default=1, editable=False)

    class Meta:
        abstract = True

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        field = self._meta.get_field("version")
        seen = self.version
        values = [value for value in values if value[0] is not field] + [(field, None, seen + 1)]
        if base_qs.filter(pk=pk_val, version=seen)._update(values):
            self.version = seen + 1
            return True
        if base_qs.filter(pk=pk_val).exists():
            raise StaleVersion()
        return False


def bumped(model: type[models.Model]) -> dict:
    """`.update(**bumped(model), …)`: a set-based write bumps the version of versioned records too."""
    return {"version": models.F("version") + 1} if issubclass(model, VersionedModel) else {}


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    value: str


class VersionConflict(Conflict):
    """The caller's copy (version `expected`) is older than the record: what changed since, with the
    current values. `fields` holds the same as reasons, so that forms show each next to its field."""

    code = "version_conflict"

    def __init__(self, *, current_version: int, changes: list[Change]):
        self.current_version = current_version
        self.changes = changes
        listed = pgettext("list separator", ", ").join(change.label for change in changes)
        message = (gettext("Someone else changed this record meanwhile (%(fields)s). Check the current values "
                           "and try again.") % {"fields": listed} if changes else
                   gettext("Someone else changed this record meanwhile. Reload it and try again."))
        super().__init__(message, fields={
            change.field: gettext("changed by someone else; now: %(value)s")
            % {"value": change.value or gettext("(empty)")} for change in changes})

    def body_extra(self) -> dict:
        return {"current_version": self.current_version,
                "changes": [{"field": c.field, "label": c.label, "value": c.value} for c in self.changes]}

    def summary(self) -> str:
        """The conflict in one line for a page's message: what changed and the current values."""
        values = [gettext("%(label)s: %(value)s") % {"label": c.label, "value": c.value or gettext("(empty)")}
                  for c in self.changes]
        return " ".join([self.message, gettext("; ").join(values)]) if values else self.message


def require_version(instance: VersionedModel, expected: int | None, *, fields: Iterable[str],
                    masked: Iterable[str] | Mapping[str, Callable[[str], str]] = (),
                    submitted: Iterable[str] = ()) -> None:
    """Refuse (VersionConflict, 409) when the caller read version `expected` and the locked `instance`
    is newer; `expected` None: no check. The changes are the `fields` whose values differ from the
    audit history's copy at `expected`, or, without that copy (bulk-loaded records), the `submitted`
    fields. `masked` fields show masked values: by `mask_field`, or by the function mapped to each."""
    if expected is None or expected == instance.version:
        return
    fields = list(fields)
    masked = dict(masked) if isinstance(masked, Mapping) else {name: partial(mask_field, name) for name in masked}
    names = _changed(instance, expected, fields)
    if names is None:
        names = [name for name in fields if name in set(submitted)]
    raise VersionConflict(current_version=instance.version,
                          changes=[_change(instance, name, masked) for name in names])


def _changed(instance, version: int, fields: list[str]) -> list[str] | None:
    history = getattr(instance, "history", None)
    old = history.filter(version=version).order_by("-history_id").first() if history is not None else None
    if old is None:
        return None
    attnames = {name: instance._meta.get_field(name).attname for name in fields}
    return [name for name in fields if getattr(old, attnames[name], None) != getattr(instance, attnames[name])]


def _change(instance, name: str, masked: dict[str, Callable[[str], str]]) -> Change:
    field = instance._meta.get_field(name)
    value = getattr(instance, name)
    shown = ("" if value is None else str(value)) if field.is_relation else readable_value(field, value)
    if name in masked and shown:
        shown = masked[name](shown)
    return Change(field=name, label=str(field.verbose_name), value=shown)


# ---------------------------------------------------------------- the API and the pages

_ETAG = re.compile(r'\s*(?:W/)?"?(\d{1,18})"?\s*')


def expected_version(request: HttpRequest, body_version: int | None = None) -> int | None:
    """The version the API client read: its `If-Match` header ("3", W/"3" or 3; `*` is any version),
    else the body's `version`; None when neither is sent (then nothing is compared)."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return body_version
    match = _ETAG.fullmatch(header)
    if match is None:
        raise ValidationFailed(fields={"If-Match": gettext('the ETag of the record, such as "3"')})
    return int(match.group(1))


# The `If-Match` header, declared in the OpenAPI schema of every operation that honours it
# (`openapi_extra=if_match()`): clients and the fuzzer see it like any other parameter.
def if_match() -> dict:
    return {"parameters": [{
        "in": "header", "name": "If-Match", "required": False,
        "description": 'The ETag (version) of the record as read, such as "3"; an older one: 409 with what '
                       "changed since. `*` or none: not compared.",
        "schema": {"type": "string", "pattern": r'^\s*((W/)?"?\d{1,18}"?|\*)\s*$', "examples": ['"3"']},
    }]}


def set_etag(response: HttpResponse, instance: VersionedModel) -> None:
    response["ETag"] = f'"{instance.version}"'


class VersionField(forms.IntegerField):
    """The hidden field of an edit form holding the version the page showed."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**31 - 1)
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(**kwargs)


def show_version_conflict(form: forms.Form, exc: VersionConflict) -> None:
    """A page's form after a version conflict: the message on top, each changed field's current value
    next to it, the user's input kept, and the hidden `version` moved to the current one, so that
    saving again is a deliberate choice made with the current values in sight."""
    form.add_error(None, exc.message)
    for name, reason in exc.fields.items():
        if name in form.fields:
            form.add_error(name, reason)
    data = form.data.copy()
    data[form.add_prefix("version")] = exc.current_version
    form.data = data
