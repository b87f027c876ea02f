"""The API schemas' base (guanxi.core.schema): a dict is validated as it is, an object through
ninja's getter (its related managers read as lists), with the same result."""

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import ninja.schema
import pytest
from pydantic import ValidationError

from guanxi.core.schema import Schema


class TagOut(Schema):
    name: str


class RowOut(Schema):
    id: int
    name: str
    at: dt.datetime
    note: str = "-"
    tags: list[TagOut]


class FakeManager:
    """Stands for a related manager: ninja's getter turns it into a list with `.all()`."""

    def __init__(self, items):
        self.items = items

    def all(self):
        return self.items


AT = dt.datetime(2026, 12, 6, 9, 30, tzinfo=dt.UTC)


def test_a_dict_and_an_object_validate_alike():
    as_dict = RowOut.model_validate({"id": 1, "name": "张伟", "at": AT, "tags": [{"name": "VIP"}], "extra": 1})
    as_object = RowOut.model_validate(SimpleNamespace(id=1, name="张伟", at=AT, tags=[SimpleNamespace(name="VIP")]))
    assert as_dict == as_object
    assert as_dict.model_dump() == {"id": 1, "name": "张伟", "at": AT, "note": "-", "tags": [{"name": "VIP"}]}


def test_an_object_still_goes_through_ninjas_getter(monkeypatch):
    monkeypatch.setattr(ninja.schema, "Manager", FakeManager)
    row = SimpleNamespace(id=2, name="李娜", at=AT, tags=FakeManager([SimpleNamespace(name="新客")]))
    assert RowOut.model_validate(row).tags == [TagOut(name="新客")]


def test_a_dict_missing_a_field_is_refused():
    with pytest.raises(ValidationError, match="name"):
        RowOut.model_validate({"id": 1, "at": AT, "tags": []})


def test_every_api_schema_derives_from_the_projects_base():
    root = Path(__file__).resolve().parents[3]
    sources = [path for folder in ("guanxi", "config", "bench") for path in (root / folder).rglob("*.py")]
    direct = [str(path.relative_to(root)) for path in sources if path != root / "guanxi/core/schema.py"
              and re.search(r"^from ninja import [^\n]*\bSchema\b", path.read_text(encoding="utf-8"), re.M)]
    assert direct == []
