"""Celery tasks under the project's policy (guanxi/core/jobs.py), run by a real worker on Redis
against the committed PostgreSQL test database: a transient failure is retried with back-off and the
effect happens once; a worker killed with SIGKILL mid-task loses nothing (the task runs again on the
next worker and its effect is there exactly once)."""

import csv

import pytest
import redis
from celery import Celery
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from guanxi.customers.models import Customer, ImportJob
from guanxi.customers.services.imports import import_job_create, import_job_validate

from .support import (
    REDIS_URL,
    Worker,
    isolate_folders,
    new_queue,
    other_backend_holds,
    process_env,
    sessions_gone,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker(tmp_path, settings):
    isolate_folders(settings, tmp_path)
    client = redis.Redis.from_url(REDIS_URL)
    client.ping()
    sender = Celery("crash-tests", broker=REDIS_URL, backend=REDIS_URL, set_as_current=False)
    workers, queues = [], []

    def worker(queue: str, **env) -> Worker:
        started = Worker(queue=queue, log=tmp_path / f"{queue}.log",
                         env=process_env(**{"REDIS_URL": REDIS_URL, "CELERY_VISIBILITY_TIMEOUT": "3",
                                            "CELERY_UNACKED_RESTORE_INTERVAL": "1", **env})).start()
        workers.append(started)
        queues.append(queue)
        return started

    yield sender, worker, client
    for started in workers:
        started.stop()
    for queue in queues:
        client.delete(queue)
    sender.close()


def test_a_transient_failure_is_retried_with_back_off_and_its_effect_happens_once(broker):
    sender, worker, client = broker
    queue = new_queue()
    # The longest wait (retry 3: 2-4 s) stays below the visibility timeout, as the system check
    # (guanxi/core/checks.py) requires: a retry still waiting past it would be delivered twice.
    worker(queue, TASK_RETRY_BACKOFF="1", TASK_RETRY_BACKOFF_MAX="4", TASK_MAX_RETRIES="3",
           CELERY_VISIBILITY_TIMEOUT="10")
    twice, always = f"{queue}-twice", f"{queue}-always"
    result = sender.send_task("crash_probe.flaky", args=[twice, 2], queue=queue)
    assert result.get(timeout=60, disable_sync_subtasks=False) == 3  # the third attempt succeeded
    assert Group.objects.filter(name=twice).count() == 1  # the failed attempts' writes were rolled back
    times = [float(t) for t in client.lrange(f"{twice}:times", 0, -1)]
    assert int(client.get(f"{twice}:attempts")) == 3 and len(times) == 3
    # Back-off with "equal jitter": retry n waits between half and all of 1 s × 2ⁿ.
    assert times[1] - times[0] >= 0.5 and times[2] - times[1] >= 1.0
    # Past the maximum the task fails with the transient error, and nothing is written.
    failed = sender.send_task("crash_probe.flaky", args=[always, 99], queue=queue)
    with pytest.raises(Exception, match="server closed the connection"):
        failed.get(timeout=90, propagate=True, disable_sync_subtasks=False)
    assert int(client.get(f"{always}:attempts")) == 4  # the first run and three retries
    assert not Group.objects.filter(name=always).exists()
    client.delete(*(f"{key}:{part}" for key in (twice, always) for part in ("attempts", "times")))


def _customer_file(path, rows: int):
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["kind", "name", "mobile", "email", "province", "city", "street"])
        for i in range(rows):
            writer.writerow(["individual", f"客户{i}", f"139{i:08d}", f"c{i}@example.com", "广东", "广州市",
                             f"体育西路{i}号"])


def test_a_worker_killed_mid_import_loses_nothing_and_writes_the_import_once(broker, admin, tmp_path):
    sender, worker, _client = broker
    rows = 8_000
    _customer_file(tmp_path / "customers.csv", rows)
    upload = SimpleUploadedFile("customers.csv", (tmp_path / "customers.csv").read_bytes(), content_type="text/csv")
    job = import_job_create(actor=admin, upload=upload, dry_run=False, language="en")
    job = import_job_validate(job=job)
    assert job.can_commit
    # What import_job_request does (it queues inline under the test settings): the job is importing,
    # the commit task goes to the broker.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.IMPORTING)
    queue = new_queue()
    first = worker(queue)
    sender.send_task("customers.import_commit", args=[job.pk], queue=queue)
    # Killed inside the commit's transaction (it holds its tables' lock while it copies the rows).
    wait_until(lambda: other_backend_holds(Customer._meta.db_table, ("ShareRowExclusiveLock",)), timeout=90,
               what="the commit's transaction", process=first.process)
    first.kill()
    sessions_gone(first.env)
    assert Customer.objects.count() == 0 and Customer.history.count() == 0
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.IMPORTING
    # The message was never acknowledged: the next worker gets it back and writes the import, once.
    worker(queue)
    wait_until(lambda: ImportJob.objects.get(pk=job.pk).status != ImportJob.Status.IMPORTING, timeout=120,
               what="the redelivered commit", interval=0.5)
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportJob.Status.DONE, rows)
    assert Customer.objects.count() == rows and Customer.history.filter(history_type="+").count() == rows
    assert Customer.objects.values("mobile").distinct().count() == rows
    # Delivered once more after it finished (killed before it acknowledged): nothing is written twice.
    again = sender.send_task("customers.import_commit", args=[job.pk], queue=queue)
    assert again.get(timeout=60, disable_sync_subtasks=False) == ImportJob.Status.DONE
    assert Customer.objects.count() == rows
