"""The category tree is there after every migrate and every test flush, and never undoes an edit."""

import pytest
from django.core.management.sql import emit_post_migrate_signal

from guanxi.catalog.defaults import TREE, ensure_default_categories
from guanxi.catalog.models import Category


@pytest.mark.django_db
def test_a_flushed_database_gets_the_tree_again():
    # What `flush` (and a test database's reset) does after emptying the tables.
    Category.objects.filter(parent__isnull=False).delete()
    Category.objects.all().delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert Category.objects.count() == len(TREE)
    assert Category.objects.get(code="phone").parent.code == "terminals"


@pytest.mark.django_db
def test_the_tree_is_filled_only_while_the_table_is_empty():
    Category.objects.filter(parent__isnull=False).delete()
    Category.objects.all().delete()
    Category.objects.create(code="own", name="自定义")
    ensure_default_categories()
    assert list(Category.objects.values_list("code", flat=True)) == ["own"]
    Category.objects.all().delete()
    ensure_default_categories()
    assert Category.objects.count() == len(TREE)
