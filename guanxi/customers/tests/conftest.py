"""Fixtures of the customers tests (the `admin` is the root conftest's): a sales rep and an analyst
by username, a brand, and private folders for uploads, reports and import spools."""

import pytest

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.customers.models import Brand


@pytest.fixture(autouse=True)
def private_dirs(settings, tmp_path):
    """Uploaded files, reports and spools go to the test's own folders."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_WORK_DIR = str(tmp_path / "work")
    return tmp_path


@pytest.fixture
def rep(db):
    return UserFactory(role=Role.SALES_REP, username="rep1", team=TeamFactory(name="华南销售部"))


@pytest.fixture
def analyst(db):
    return UserFactory(role=Role.ANALYST, username="analyst1")


@pytest.fixture
def brand(db):
    return Brand.objects.create(code="gotone", name="全球通")
