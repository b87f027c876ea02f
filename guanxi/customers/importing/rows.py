"""One import row → what it creates: the field rules of `customers.validation` (the same as the
form's and the API's), the import's own spellings (Chinese labels, date formats, currency, a
landline and a WeChat handle), and the ownership rule of `customer_create` (`customers.ownership`),
written for a million rows a minute.

Repeated values (names with their pinyin, dates, provinces, tag lists) are checked once and cached.
Nothing here touches the database: lookups (brands, users) are loaded before, so the validator can
run in worker processes.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext

from guanxi.accounts.models import User
from guanxi.accounts.roles import Scope
from guanxi.core.copy import copy_form, copy_form_line, copy_line
from guanxi.core.validators import SINGLE_LINE_CONTROL

from .. import normalize, permissions
from ..enums import AddressKind, ContactPointKind, CustomerKind, Gender, IdType, LifecycleStage, SourceChannel
from ..models import Address, Brand, ContactPoint, Customer
from ..ownership import Party, decide_ownership
from ..regions import province_normalize
from ..validation import (
    check_choice,
    clean_birth_date,
    clean_decimal,
    clean_email,
    clean_id_number,
    clean_landline,
    clean_mobile,
    clean_name,
    clean_tag_names,
    clean_text,
    name_keys,
)
from .files import EXTRA, FIELDS, FORMULA_WITHOUT_VALUE


def field_label(name: str) -> str:
    """The field's label in the active language (the reason's column in reports)."""
    if name in FIELDS:
        return str(FIELDS[name][0])
    return {"row": gettext("row")}.get(name, name)


# ---------------------------------------------------------------- value tables

KIND_VALUES = {
    "individual": CustomerKind.INDIVIDUAL, "个人": CustomerKind.INDIVIDUAL, "个人客户": CustomerKind.INDIVIDUAL,
    "person": CustomerKind.INDIVIDUAL,
    "organisation": CustomerKind.ORGANISATION, "organization": CustomerKind.ORGANISATION,
    "company": CustomerKind.ORGANISATION,
    "企业": CustomerKind.ORGANISATION, "单位": CustomerKind.ORGANISATION, "组织": CustomerKind.ORGANISATION,
    "机构": CustomerKind.ORGANISATION, "公司": CustomerKind.ORGANISATION, "政企": CustomerKind.ORGANISATION,
    "集团客户": CustomerKind.ORGANISATION, "企业客户": CustomerKind.ORGANISATION,
}
ID_TYPE_VALUES = {
    "身份证": IdType.RESIDENT_ID, "居民身份证": IdType.RESIDENT_ID, "护照": IdType.PASSPORT,
    "统一社会信用代码": IdType.CREDIT_CODE, "信用代码": IdType.CREDIT_CODE, "营业执照": IdType.CREDIT_CODE,
    "其他": IdType.OTHER, "其它": IdType.OTHER,
}
LIFECYCLE_VALUES = {
    "潜在": LifecycleStage.PROSPECT, "潜在客户": LifecycleStage.PROSPECT, "新客户": LifecycleStage.NEW,
    "新": LifecycleStage.NEW, "成长": LifecycleStage.GROWING, "成长期": LifecycleStage.GROWING,
    "成熟": LifecycleStage.MATURE, "成熟期": LifecycleStage.MATURE, "风险": LifecycleStage.AT_RISK,
    "流失预警": LifecycleStage.AT_RISK, "有流失风险": LifecycleStage.AT_RISK, "流失": LifecycleStage.CHURNED,
    "已流失": LifecycleStage.CHURNED,
}
GENDER_VALUES = {"男": Gender.MALE, "女": Gender.FEMALE, "m": Gender.MALE, "f": Gender.FEMALE, "未知": ""}
TAG_SEPARATORS = re.compile(r"[,，、;；|]")
_CACHE_LIMIT = 200_000
# An amount of 0 to 10^10 (ARPU's range) with two decimals and no leading zero, as `clean_decimal`
# would write it.
_AMOUNT_FAST = re.compile(r"(?:0|[1-9][0-9]{0,9})\.[0-9]{2}")

# Columns of the tables an import writes, besides those filled in when the rows are written
# (ids, customer number, timestamps): every other column gets the model's default.
FILLED_LATER = {"id", "code", "created_at", "updated_at"}
CUSTOMER_FIELDS = [f for f in Customer._meta.concrete_fields if f.name not in FILLED_LATER]
CUSTOMER_COLUMNS = [f.column for f in CUSTOMER_FIELDS]
ADDRESS_FIELDS = [f for f in Address._meta.concrete_fields if f.name not in FILLED_LATER | {"customer"}]
POINT_FIELDS = [f for f in ContactPoint._meta.concrete_fields if f.name not in FILLED_LATER | {"customer"}]
_CUSTOMER_INDEX = {f.name: i for i, f in enumerate(CUSTOMER_FIELDS)}
_ADDRESS_INDEX = {f.name: i for i, f in enumerate(ADDRESS_FIELDS)}
_POINT_INDEX = {f.name: i for i, f in enumerate(POINT_FIELDS)}


def _defaults(fields) -> list:
    return [f.get_default() for f in fields]


# ---------------------------------------------------------------- COPY text (guanxi.core.copy)


def _same(value):
    return value


def _copy_form_or_text(value) -> str:
    return value if value.__class__ is str else copy_form(value)


# ---------------------------------------------------------------- the validator


@dataclass(frozen=True)
class Actor:
    """Who imports, as the ownership rules need it (picklable for worker processes)."""

    id: int
    team_id: int | None
    scope: Scope  # where the actor may write
    read: Scope = Scope.NONE  # which existing customers the actor may see (for the duplicate report)
    party: Party | None = None  # the actor as the ownership rule sees it

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(id=user.pk, team_id=user.team_id, scope=permissions.scope(user, "customer", "write"),
                   read=permissions.scope(user, "customer", "read"), party=Party.of(user))


@dataclass
class Lookups:
    """Brands by code or name, users by username (as the ownership rule sees them)."""

    brands: dict[str, int]
    users: dict[str, Party]

    @classmethod
    def load(cls) -> Lookups:
        brands = {}
        for pk, code, name in Brand.objects.values_list("id", "code", "name"):
            brands[code.lower()] = pk
            brands[name.lower()] = pk
        users = {user.username: Party.of(user) for user
                 in User.objects.only("id", "username", "team_id", "role", "is_active", "is_superuser")}
        return cls(brands=brands, users=users)


@dataclass
class ValidRow:
    """What one valid row creates: the customer's values (CUSTOMER_FIELDS order, or their COPY
    text), an address, contact points, tag names, and the keys that find duplicates."""

    customer: tuple | str
    address: tuple | str | None
    points: list
    tags: list[str]


class RowValidator:
    """Validates rows one by one; `validate(row)` returns (ValidRow | None, errors) where errors
    are (field, code, params), and leaves the row's normalised (mobile, ID number, e-mail) in
    `last_keys` for the duplicate checks. With `copy_text`, values come out as COPY text."""

    def __init__(self, *, actor: Actor, lookups: Lookups, copy_text: bool = False,
                 today: datetime.date | None = None):
        self.actor = actor
        self.lookups = lookups
        self.copy_text = copy_text
        self.today = today or datetime.date.today()
        self._names: dict[str, tuple] = {}
        self._name_terms: dict[tuple[str, bool], str] = {}
        self._dates: dict[str, tuple] = {}
        self._provinces: dict[str, str | None] = {}
        self._tag_lists: dict[str, list[str]] = {}
        self._ownerships: dict[str, tuple] = {}
        self.last_keys: tuple[str, str, str] = ("", "", "")
        self._customer_defaults = _defaults(CUSTOMER_FIELDS)
        self._customer_defaults[_CUSTOMER_INDEX["source"]] = SourceChannel.IMPORT.value
        self._address_defaults = _defaults(ADDRESS_FIELDS)
        self._point_defaults = _defaults(POINT_FIELDS)
        if copy_text:
            # In COPY mode the customer's values are kept as text from the start (NULL as NUL).
            self._customer_defaults = [copy_form(v) if v.__class__ is not str else v
                                       for v in self._customer_defaults]
        self._v = _copy_form_or_text if copy_text else _same

    # -- cached pieces

    def _name(self, raw: str) -> tuple:
        """(clean name, error code, params, pinyin, initials), cached per distinct raw name."""
        cached = self._names.get(raw)
        if cached is None:
            if len(self._names) > _CACHE_LIMIT:
                self._names.clear()
            name, error = clean_name(raw)
            code, params = error or (None, None)
            pinyin, initials = ("", "") if error else name_keys(name)
            cached = self._names[raw] = (name, code, params, pinyin, initials)
        return cached

    def _terms(self, name: str, is_org: bool) -> str:
        """`normalize.name_terms` of a clean name, cached per distinct name and kind."""
        key = (name, is_org)
        terms = self._name_terms.get(key)
        if terms is None:
            if len(self._name_terms) > _CACHE_LIMIT:
                self._name_terms.clear()
            terms = self._name_terms[key] = normalize.name_terms(name, organisation=is_org)
        return terms

    def _date(self, raw: str) -> tuple:
        """(date or None, error code), cached per distinct text."""
        cached = self._dates.get(raw)
        if cached is None:
            if len(self._dates) > _CACHE_LIMIT:
                self._dates.clear()
            value, error = clean_birth_date(raw, today=self.today)
            cached = self._dates[raw] = (value, error[0] if error else None)
        return cached

    def _tags(self, raw: str) -> tuple:
        """(tag names, error), cached per distinct text."""
        cached = self._tag_lists.get(raw)
        if cached is None:
            if len(self._tag_lists) > _CACHE_LIMIT:
                self._tag_lists.clear()
            cached = self._tag_lists[raw] = clean_tag_names(TAG_SEPARATORS.split(raw))
        return cached

    def _province(self, raw: str) -> str | None:
        if raw not in self._provinces:
            self._provinces[raw] = province_normalize(raw)
        return self._provinces[raw]

    # -- the row

    def validate(self, row: dict[str, str]) -> tuple[ValidRow | None, list[tuple[str, str, dict | None]]]:
        errors: list[tuple[str, str, dict | None]] = []
        add = errors.append
        values = list(self._customer_defaults)
        index = _CUSTOMER_INDEX
        get = row.get

        if EXTRA in row:
            add(("row", "extra", None))
        if FORMULA_WITHOUT_VALUE in row:
            add(("row", "formula", {"columns": row[FORMULA_WITHOUT_VALUE]}))

        # kind
        kind = _choice(get("kind", CustomerKind.INDIVIDUAL.value), KIND_VALUES, CustomerKind)
        error = check_choice("kind", kind)
        if error:
            add(("kind", *error))
        values[index["kind"]] = kind
        is_org = kind == CustomerKind.ORGANISATION

        # name, with its search keys
        name, error, params, pinyin, initials = self._name(get("name", ""))
        if error:
            add(("name", error, params))
        values[index["name"]] = name
        values[index["name_pinyin"]] = pinyin
        values[index["name_initials"]] = initials
        values[index["name_terms"]] = "" if error else self._terms(name, is_org)

        # contact
        mobile = ""
        raw = get("mobile")
        if raw:
            mobile, error = clean_mobile(raw)
            if error:
                add(("mobile", *error))
            values[index["mobile"]] = mobile
        email = ""
        raw = get("email")
        if raw:
            email, error = clean_email(raw)
            values[index["email"]] = email
            if error:
                add(("email", *error))
                email = ""

        # identity
        id_number = ""
        raw = get("id_number")
        id_type = get("id_type")
        if id_type:
            id_type = _choice(id_type, ID_TYPE_VALUES, IdType)
            error = check_choice("id_type", id_type)
            if error:
                add(("id_type", *error))
        if raw:
            if not id_type:
                length = len(raw.strip().replace(" ", "") if raw.isascii() else normalize.id_number_normalize(raw))
                id_type = IdType.CREDIT_CODE if is_org else (IdType.RESIDENT_ID if length == 18 else IdType.OTHER)
            id_number, error = clean_id_number(raw, id_type)
            if error:
                add(("id_number", *error))
            values[index["id_number"]] = id_number
        if id_type:
            values[index["id_type"]] = str(id_type)
        raw = get("birth_date")
        if raw:
            birth, error = self._date(raw.strip())
            if error:
                add(("birth_date", error, None))
            values[index["birth_date"]] = self._v(birth)

        # profile
        raw = get("gender")
        if raw:
            gender = _choice(raw, GENDER_VALUES, Gender)
            error = check_choice("gender", gender)
            if error:
                add(("gender", *error))
            values[index["gender"]] = gender
        raw = get("lifecycle_stage")
        if raw:
            stage = _choice(raw, LIFECYCLE_VALUES, LifecycleStage)
            error = check_choice("lifecycle_stage", stage)
            if error:
                add(("lifecycle_stage", *error))
            values[index["lifecycle_stage"]] = stage
        for name_ in ("industry", "occupation", "notes"):
            raw = get(name_)
            if raw:
                value, error = clean_text(name_, raw)
                if error:
                    add((name_, *error))
                values[index[name_]] = value
        raw = get("arpu")
        if raw:
            if _AMOUNT_FAST.fullmatch(raw):  # what `clean_decimal` makes of it is the text itself
                values[index["arpu"]] = raw if self.copy_text else Decimal(raw)
            else:
                arpu, error = clean_decimal("arpu", raw)
                if error:
                    add(("arpu", *error))
                values[index["arpu"]] = self._v(arpu)
        raw = get("brand")
        if raw:
            brand_id = self.lookups.brands.get(raw.strip().lower())
            if brand_id is None:
                add(("brand", "unknown_brand", {"value": repr(raw)}))
            values[index["brand"]] = self._v(brand_id)
        self._ownership(get("owner", "").strip(), values, add)

        # address, contact points, tags
        address = self._address(row, is_org, add) if _has_address(row) else None
        points = self._points(row, add)
        tags: list[str] = []
        raw = get("tags")
        if raw:
            tags, error = self._tags(raw)
            if error:
                add(("tags", *error))
        self.last_keys = (mobile, id_number, email)
        if errors:
            return None, errors
        customer = copy_form_line(values) if self.copy_text else tuple(values)
        return ValidRow(customer=customer, address=address, points=points, tags=tags), errors

    def _ownership(self, username: str, values: list, add) -> None:
        """The ownership rule of `customer_create` (`customers.ownership`), for an owner named by
        username or none; decided once per username (the rule depends on the two users only)."""
        decided = self._ownerships.get(username)
        if decided is None:
            if len(self._ownerships) > _CACHE_LIMIT:
                self._ownerships.clear()
            decided = self._ownerships[username] = self._decide_ownership(username)
        error, owner_id, team_id = decided
        if error:
            name, code, params = error
            add((name, code, dict(params) if params else None))
            return
        index = _CUSTOMER_INDEX
        values[index["owner"]], values[index["team"]] = owner_id, team_id

    def _decide_ownership(self, username: str) -> tuple:
        """(error or None, owner id, team id) for rows naming `username` as owner ("" for none)."""
        owner = None
        if username:
            owner = self.lookups.users.get(username)
            if owner is None:
                return ("owner", "unknown_user", {"value": repr(username)}), None, None
        decision = decide_ownership(actor=self.actor.party, current=None, owner=owner, owner_given=bool(username),
                                    team_id=None, team_given=False)
        if decision.refusal:
            return ("owner", decision.refusal, None), None, None
        return None, self._v(decision.owner_id), self._v(decision.team_id)

    def _address(self, row: dict, is_org: bool, add):
        values = list(self._address_defaults)
        index = _ADDRESS_INDEX
        province = self._province(row.get("province", "").strip())
        if province is None:
            add(("province", "province", None))
        for name_, limit in (("city", 30), ("district", 30), ("street", 200)):
            value = row.get(name_, "").strip()
            if len(value) > limit:
                add((name_, "too_long", {"limit": limit}))
            elif SINGLE_LINE_CONTROL.search(value):
                add((name_, "control", None))
            values[index[name_]] = value
        postcode = row.get("postcode", "").strip()
        if postcode and not (postcode.isdigit() and len(postcode) == 6):
            add(("postcode", "postcode", None))
        values[index["postcode"]] = postcode
        values[index["province"]] = province or ""
        values[index["kind"]] = AddressKind.OFFICE.value if is_org else AddressKind.HOME.value
        values[index["is_default"]] = True
        return copy_line(values) if self.copy_text else tuple(values)

    def _points(self, row: dict, add) -> list:
        """A landline and a WeChat handle become contact points (mobile and e-mail are columns)."""
        points = []
        for name_, kind in (("landline", ContactPointKind.PHONE), ("wechat", ContactPointKind.WECHAT)):
            raw = row.get(name_, "").strip()
            if not raw:
                continue
            if kind == ContactPointKind.PHONE:
                normalized, error = clean_landline(raw)
            else:
                normalized, error = raw.lower(), None
                if len(raw) > 254:
                    error = ("too_long", {"limit": 254})
                elif SINGLE_LINE_CONTROL.search(raw):
                    error = ("control", None)
            if error:
                add((name_, *error))
                continue
            values = list(self._point_defaults)
            index = _POINT_INDEX
            values[index["kind"]], values[index["value"]], values[index["normalized"]] = kind.value, raw, normalized
            values[index["contact"]] = None
            values[index["is_primary"]] = False
            points.append(copy_line(values) if self.copy_text else tuple(values))
        return points


def _has_address(row: dict) -> bool:
    return any(row.get(k) for k in ("province", "city", "district", "street", "postcode"))


_CHOICE_CACHE: dict = {}


def _choice(value: str, values: dict, enum) -> str:
    """An enum value from its code, English label or Chinese name; unknown text passes through so
    that the caller reports it. Cached per enum and text."""
    cache = _CHOICE_CACHE.get(enum)
    if cache is None:
        cache = _CHOICE_CACHE[enum] = {}
    found = cache.get(value)
    if found is None:
        if len(cache) > 10_000:
            cache.clear()
        found = cache[value] = _choice_uncached(value, values, enum)
    return found


def _choice_uncached(value: str, values: dict, enum) -> str:
    codes = set(enum.values)
    text = value.strip()
    if text in codes:
        return text
    key = text.lower().replace(" ", "_").replace("-", "_")
    if key in codes:
        return key
    found = values.get(text)
    if found is None:
        found = values.get(text.lower())
    if found is None:
        found = {str(label).lower(): code for code, label in enum.choices}.get(text.lower())
    return text if found is None else str(found)
