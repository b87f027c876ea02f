import io
import json

import pytest
from django.core.management import CommandError, call_command

from bench import dedupe
from guanxi.customers import normalize
from guanxi.customers.models import Customer, DedupeScan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # keep the name-key cache and scratch files out of the working tree


def test_labelled_generator_writes_duplicates_it_knows():
    labelled = dedupe.generate_labelled(records=400, duplicates=0.1, seed=3)
    assert Customer.objects.count() == 400 and labelled.duplicates == 40
    assert len(labelled.clusters) == 40 and labelled.last_id - labelled.first_id == 399
    for dup_id, source_id in list(labelled.clusters.items())[:40]:
        dup, source = Customer.objects.get(pk=dup_id), Customer.objects.get(pk=source_id)
        assert dup.kind == source.kind and dup.code == f"C{dup.pk:09d}"
        assert dup.name_pinyin == normalize.name_pinyin(dup.name)
        shared = [normalize.phone_normalize(dup.mobile) == source.mobile if dup.mobile else False,
                  bool(dup.id_number), bool(dup.email), dup.birth_date is not None]
        assert sum(shared) >= 1
    assert len(labelled.truth()) >= 40


def test_bench_dedupe_reports_precision_and_recall():
    out = io.StringIO()
    call_command("bench", "dedupe", "--records", "1500", "--duplicates", "0.1", stdout=out, stderr=io.StringIO())
    report = json.loads(out.getvalue())
    assert report["records"] == 1500 and report["customers_scanned"] == 1500
    assert report["precision"] >= 0.95 and report["recall"] >= 0.9
    assert report["scan_seconds"] > 0 and DedupeScan.objects.get().status == "done"


@pytest.mark.parametrize("args", [["--records", "1"], ["--duplicates", "1.5"], ["--threshold", "2"]])
def test_bench_dedupe_refuses_bad_arguments(args):
    with pytest.raises(CommandError):
        call_command("bench", "dedupe", *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert not Customer.objects.exists()
