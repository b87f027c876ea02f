"""Import customers from outside files (POS, ordering, EDI, call center), all or nothing.

An import is a job (`ImportJob`): upload → column mapping (remembered per source) → validation
(the dry run: every row checked, duplicates found, a report written) → commit (every valid row
written in one transaction, or nothing). Validation and commit run as Celery tasks that call
`import_job_validate` and `import_job_commit`; the command line runs the same two in-process.
A job of another import target (`importing.targets`, e.g. marketing's leads) goes through the same
steps with that target's fields, row checks and writer.
"""

from __future__ import annotations

import contextlib
import logging
import pickle  # nosec B403  # the app's own spool file, written by this process into a private 0700 work folder; never user input
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from guanxi.accounts.access import user_of
from guanxi.accounts.models import User
from guanxi.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from guanxi.core.locks import runner_lock

from .. import permissions
from ..importing.engine import Validation, validate
from ..importing.files import (
    FIELDS,
    CustomerFileReader,
    FileInfo,
    ImportFileError,
    check_size,
    column_fields,
    encoding_option,
    guess_mapping,
    inspect_file,
    parse_mapping_text,
)
from ..importing.report import Report
from ..importing.rows import Actor
from ..importing.spool import Spool, spools_remove, work_paths
from ..importing.targets import CUSTOMERS, ImportTarget, import_target
from ..importing.writers import ChunkStream, commit, tidy_indexes, validate_foreign_keys
from ..models import ImportJob, ImportMapping

Status = ImportJob.Status
Runner = ImportJob.Runner
logger = logging.getLogger("guanxi.imports")
PROGRESS_TTL = 24 * 3600
PROGRESS_EVERY = 0.5  # seconds between progress writes to the job row


def _require_writer(actor: User, target: ImportTarget | None = None) -> None:
    if target is not None:
        target.require(actor)
    else:
        permissions.require(actor, "import", "write")


def _require_job(actor: User, job: ImportJob) -> None:
    """A job is changed and run by the user who started it; another user's only with configure on
    imports (administrators)."""
    if job.created_by_id != getattr(actor, "pk", None):
        permissions.require(actor, "import", "configure")
    _require_writer(actor, import_target(job.target))


def _require_runner(job: ImportJob) -> None:
    """A job validates and writes as the user who started it (from the API, the command or the Celery
    task alike): refused once that user may no longer import."""
    _require_writer(job.created_by, import_target(job.target))


# ---------------------------------------------------------------- remembered mappings


@transaction.atomic
def import_mapping_save(*, actor: User, source: str, mapping: dict[str, str]) -> ImportMapping | None:
    """Remember `mapping` (file column → field) for `source`, merged over what was remembered, so
    that a column once mapped stays known even when a later file lacks it. Audited. Importers only."""
    _require_writer(actor)
    source = source.strip()[:100]
    if not source:
        return None
    clean = {str(column)[:200]: target for column, target in mapping.items() if target in FIELDS}
    remembered = ImportMapping.objects.select_for_update().filter(source=source).first()
    if remembered is None:
        remembered = ImportMapping(source=source, created_by=user_of(actor), mapping=clean)
    else:
        # A column of this file mapped to a field takes that field over from any other column.
        kept = {c: t for c, t in remembered.mapping.items() if c not in clean and t not in clean.values()}
        remembered.mapping = {**kept, **clean}
    remembered._history_user = user_of(actor)
    remembered.save()
    return remembered


def remembered_mapping(source: str) -> dict[str, str]:
    found = ImportMapping.objects.filter(source=(source or "").strip()).values_list("mapping", flat=True).first()
    return dict(found or {})


def mapping_for(*, headers: list[str], source: str = "", mapping: dict[str, str] | str | None = None,
                target: ImportTarget | None = None) -> dict:
    """An explicit mapping (dict or `col=field,…`) over the source's remembered one over a guess
    from the header names (another target's: from its own header names only)."""
    explicit = parse_mapping_text(mapping) if isinstance(mapping, str) else dict(mapping or {})
    guessed = guess_mapping(headers, remembered_mapping(source)) if target is None else \
        guess_mapping(headers, fields=target.fields)
    if not explicit:
        return guessed
    used = set(explicit.values())
    merged = {c: t for c, t in guessed.items() if c not in explicit and t not in used}
    merged.update({c: t for c, t in explicit.items() if t})
    return merged


# ---------------------------------------------------------------- jobs


@transaction.atomic
def import_job_create(
    *, actor: User, upload=None, path: str | Path | None = None, original_name: str = "", source: str = "",
    mapping: dict[str, str] | str | None = None, sheet: str = "", encoding: str = "auto", dry_run: bool = True,
    language: str = "", check_mapping: bool = False, target: str = CUSTOMERS,
) -> ImportJob:
    """Start an import from an uploaded file (kept in private storage) or, for the command line, a
    local `path` (not copied). The file is refused before it is stored when it is too large, and
    after a look at its head when it cannot be read (format, encoding, empty, sheet) or, with
    `check_mapping` or an explicit mapping, when its columns cannot make customers (or the records of
    another import `target`)."""
    handler = import_target(target)
    _require_writer(actor, handler)
    import_jobs_fail_interrupted()
    import_spools_cleanup()
    if upload is not None:
        check_size(upload.size)
        original_name = original_name or upload.name
    elif path is not None:
        path = Path(path)
        original_name = original_name or str(path)
    else:
        raise ValidationFailed(fields={"file": "required"})
    job = ImportJob(created_by=actor, target=target, source=source.strip()[:100],
                    original_name=str(original_name)[:255],
                    dry_run=dry_run, language=language or translation.get_language() or settings.LANGUAGE_CODE)
    if upload is not None:
        job.file.save(Path(original_name).name or "upload", upload, save=False)
        path = Path(job.file.path)
    try:
        info = inspect_file(path, encoding=encoding, sheet=sheet)
        columns_mapping = mapping_for(headers=info.headers, source=job.source, mapping=mapping, target=handler)
        if mapping or check_mapping:
            _check_columns(info.headers, columns_mapping, handler)
    except ImportFileError:
        if job.file:
            job.file.delete(save=False)
        raise
    _describe(job, info)
    job.mapping = columns_mapping
    job.save()
    if mapping and job.source and handler is None:
        import_mapping_save(actor=actor, source=job.source, mapping=columns_mapping)
    if upload is None:
        job._local_path = path  # used by the command in the same process
    return job


def _check_columns(headers: list[str], mapping: dict[str, str], target: ImportTarget | None) -> list:
    """The field of each column (see `column_fields`), checked for the job's target."""
    if target is None:
        return column_fields(headers, mapping)
    columns = column_fields(headers, mapping, fields=target.fields, required=target.required)
    target.check_columns(columns)
    return columns


SPOOL_KEEP_HOURS = 24


def import_spools_cleanup(*, older_than_hours: float = SPOOL_KEEP_HOURS) -> int:
    """Remove the validated rows of jobs left uncommitted for longer than `older_than_hours` (a
    later commit validates the file again). Returns how many spools went."""
    running = set(ImportJob.objects.filter(status__in=(Status.VALIDATING, Status.IMPORTING))
                  .values_list("pk", flat=True))
    return spools_remove(older_than_hours=older_than_hours, keep=running)


# ---------------------------------------------------------------- who runs a job's step


class ImportRunning(Conflict):
    """Another process is running this job's step."""


INTERRUPTED = gettext_noop("The import was interrupted: the process running it ended. Nothing was imported; "
                           "run the import again.")


def _lock_name(job_id: int) -> str:
    return f"customers.import:{job_id}"


@contextlib.contextmanager
def _running(job: ImportJob):
    """Hold the job's runner lock (`guanxi.core.locks`) while one of its steps runs."""
    with runner_lock(_lock_name(job.pk)) as held:
        if not held:
            raise ImportRunning("This import is being run by another process.", code="import_running")
        yield


def import_jobs_fail_interrupted(*, job_ids: list[int] | None = None) -> int:
    """Fail the jobs that a process nothing restarts (the command line) left validating or importing
    and whose runner lock nobody holds: that process died (killed, its machine restarted), its commit
    rolled back, and no one will finish it. The job then says so, and the import can be run again. Steps
    run by Celery tasks are left to the task's redelivery. Returns how many jobs failed."""
    running = (Status.VALIDATING, Status.IMPORTING)
    jobs = ImportJob.objects.filter(status__in=running, runner=Runner.PROCESS)
    if job_ids is not None:
        jobs = jobs.filter(pk__in=job_ids)
    failed = 0
    for job_id in jobs.values_list("pk", flat=True):
        with runner_lock(_lock_name(job_id)) as free:
            if free:
                now = timezone.now()
                failed += ImportJob.objects.filter(pk=job_id, status__in=running, runner=Runner.PROCESS).update(
                    status=Status.FAILED, message=INTERRUPTED, message_detail={"template": INTERRUPTED, "params": {}},
                    finished_at=now, updated_at=now)
    return failed


def import_job_current(job: ImportJob) -> ImportJob:
    """The job as it stands: one left running by a dead process is failed first (what its page and
    the API show)."""
    if job.is_running and job.runner == Runner.PROCESS and import_jobs_fail_interrupted(job_ids=[job.pk]):
        job.refresh_from_db()
    return job


def _describe(job: ImportJob, info: FileInfo) -> None:
    job.size_bytes, job.file_format, job.encoding = info.size, info.format, info.encoding
    job.sheet, job.headers, job.total_rows = info.sheet, info.headers, info.total_hint


@transaction.atomic
def import_job_set_mapping(*, actor: User, job: ImportJob, mapping: dict[str, str] | None,
                           source: str | None = None, sheet: str | None = None) -> ImportJob:
    """Choose the columns (and the sheet of a workbook) before validating; the mapping is checked
    and remembered for the job's source. Another sheet, with `mapping` None, gets a mapping
    guessed from its header. Only while the job is neither running nor done; only its starter (or an
    administrator)."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    _require_job(actor, job)
    if job.status not in (Status.UPLOADED, Status.VALIDATED, Status.FAILED) or not job.file:
        raise Conflict("This import can no longer be changed.", code="import_state")
    if source is not None:
        job.source = source.strip()[:100]
    if sheet is not None and sheet != job.sheet:
        _describe(job, inspect_file(job.file.path, sheet=sheet))
    target = import_target(job.target)
    if mapping is None:
        job.mapping = mapping_for(headers=job.headers, source=job.source, target=target)
    else:
        clean = {c: t for c, t in mapping.items() if t}
        _check_columns(job.headers, clean, target)
        job.mapping = clean
        if target is None:
            import_mapping_save(actor=actor, source=job.source, mapping=clean)
    job.status = Status.UPLOADED
    job.save()
    return job


def import_job_preview(*, job: ImportJob, limit: int = 10) -> list[dict]:
    """The first rows as mapped, each with the reasons it would be refused (nothing is written)."""
    from ..importing.rows import Lookups, RowValidator
    from ..validation import message_text

    reader = CustomerFileReader(job.file.path, encoding=encoding_option(job.encoding), sheet=job.sheet,
                                mapping=job.mapping)
    validator = RowValidator(actor=Actor.of(job.created_by), lookups=Lookups.load())
    rows = []
    for number, row in reader:
        _, errors = validator.validate(row)
        rows.append({"row": number, "values": row,
                     "errors": [{"field": f, "message": message_text(c, p, translate=True)} for f, c, p in errors]})
        if len(rows) >= limit:
            break
    return rows


@transaction.atomic
def import_job_request(*, actor: User, job: ImportJob, action: str) -> ImportJob:
    """Mark the job as validating or importing and queue the task that does it (after commit)."""
    from ..tasks import commit_import_job, validate_import_job

    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    _require_job(actor, job)
    job = import_job_current(job)
    if action == "validate":
        if not job.can_validate:
            raise Conflict("This import cannot be validated now.", code="import_state")
        job.status, task = Status.VALIDATING, validate_import_job
    elif action == "commit":
        if not job.can_commit:
            raise Conflict("Only a validated import without errors can be committed.", code="import_state")
        job.status, task = Status.IMPORTING, commit_import_job
    else:
        raise ValidationFailed(fields={"action": "validate or commit"})
    job.processed_rows, job.runner = 0, Runner.TASK
    job.message, job.message_detail = "", {}
    job.save(update_fields=["status", "runner", "processed_rows", "message", "message_detail", "updated_at"])
    _publish(job.pk, job.status, 0, job.total_rows)
    transaction.on_commit(lambda: task.delay(job.pk))
    return job


# ---------------------------------------------------------------- progress


def progress_key(job_id: int) -> str:
    return f"customers:import:{job_id}:progress"


def _publish(job_id: int, status: str, processed: int, total: int) -> None:
    cache.set(progress_key(job_id), {"status": status, "processed": processed, "total": total}, PROGRESS_TTL)


class _ProgressWriter:
    """Progress of a running job: to the cache at every step (what the status page polls, live even
    inside the commit's transaction) and to the job row at most every PROGRESS_EVERY seconds."""

    def __init__(self, job: ImportJob, status: str, *, to_row: bool, echo: Callable[[int, int], None] | None):
        self.job, self.status, self.to_row, self.echo = job, status, to_row, echo
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        _publish(self.job.pk, self.status, done, total)
        now = time.monotonic()
        if self.to_row and now - self.last >= PROGRESS_EVERY:
            self.last = now
            ImportJob.objects.filter(pk=self.job.pk).update(processed_rows=done, total_rows=total)
        if self.echo:
            self.echo(done, total)


# ---------------------------------------------------------------- validation and commit


def _local_path(job: ImportJob) -> Path:
    local = getattr(job, "_local_path", None)
    if local is not None:
        return Path(local)
    if not job.file:
        raise ImportFileError(gettext_noop("The file of this import is no longer available; upload it again."),
                              code="no_file")
    return Path(job.file.path)


def import_job_validate(*, job: ImportJob, workers: int = 0, path: str | Path | None = None,
                        on_progress: Callable[[int, int], None] | None = None,
                        runner: str = Runner.PROCESS) -> ImportJob:
    """The dry run: read and check every row, find duplicates, write the report and spool the rows
    for the commit. Writes no customer. A file that cannot be read fails the job. Acts as the user
    who started the job; `runner` says who runs it (a task, or this process: see
    `import_jobs_fail_interrupted`). ImportRunning when another process runs the job."""
    _require_runner(job)
    if path is not None:
        job._local_path = Path(path)
    with _running(job):
        job.runner = runner
        target = import_target(job.target)
        if target is not None:
            return _target_validate(job, target, on_progress)
        return _validate(job, workers, on_progress)


def _reader(job: ImportJob) -> CustomerFileReader:
    """The job's file as mapped rows; the job's total is the rows it is expected to hold."""
    reader = CustomerFileReader(_local_path(job), encoding=encoding_option(job.encoding), sheet=job.sheet,
                                mapping=job.mapping)
    job.total_rows = reader.total_hint
    return reader


def _validate(job: ImportJob, workers: int, on_progress: Callable[[int, int], None] | None) -> ImportJob:
    work, spool_path, validation_path = work_paths(job.pk)
    spool = Spool(spool_path)
    spool.delete()
    report_path = work / "report.csv"
    _start(job, Status.VALIDATING)
    try:
        validation = _checked(job, _reader(job), spool=spool, report_path=report_path, workers=workers,
                              on_progress=on_progress)
    except ImportFileError as exc:
        spool.delete()
        return _fail(job, str(exc.args[0]), exc.template, exc.params)
    with validation_path.open("wb") as out:
        pickle.dump(validation, out, protocol=pickle.HIGHEST_PROTOCOL)
    _take_validation(job, validation, report_path)
    if not validation.is_valid:
        spool.delete()
    job.save()
    _publish(job.pk, job.status, job.processed_rows, job.total_rows)
    job._validation = validation
    return job


def _checked(job: ImportJob, reader: CustomerFileReader, *, spool: Spool, report_path: Path, workers: int,
             on_progress: Callable[[int, int], None] | None, sink: ChunkStream | None = None) -> Validation:
    """Every row of `reader` checked: the valid ones spooled (and written by `sink`, importing at once),
    the report at `report_path`. Progress goes to the job row too unless writing at once, whose
    transaction would hide it. Raises ImportFileError for a file without data rows."""
    validation = validate(
        rows=reader, actor=Actor.of(job.created_by), spool=spool, sink=sink,
        report=Report(report_path, translate=not (job.language or "").startswith("en")), workers=workers,
        progress=_ProgressWriter(job, job.status, to_row=sink is None, echo=on_progress))
    if validation.rows == 0:
        raise ImportFileError(gettext_noop("The file has a header but no data rows."), code="empty_file")
    return validation


def _take_validation(job: ImportJob, validation: Validation, report_path: Path) -> None:
    """The job validated (not saved): its counts, errors, duplicates and report."""
    job.status = Status.VALIDATED
    job.total_rows = job.processed_rows = validation.rows
    job.error_count = validation.error_rows
    job.existing_match_count = validation.existing_rows
    job.file_duplicate_count = validation.file_duplicate_rows
    job.errors, job.duplicates = validation.errors, validation.duplicates
    job.validated_at = timezone.now()
    if job.report:
        job.report.delete(save=False)
    with report_path.open("rb") as report:
        job.report.save(f"import-{job.pk}-report.csv", File(report), save=False)
    report_path.unlink(missing_ok=True)


WRITE_FAILED = gettext_noop("Nothing was imported: %(reason)s")  # a rule refused the write, in its own words
WRITE_ERROR = gettext_noop("Nothing was imported: the database could not write the rows (error %(code)s), and "
                           "nothing was left half-written. Try again later; if it fails again, tell your "
                           "administrator.")
KEY_BROKEN = gettext_noop("Nothing was imported: a record the file refers to changed while it was being imported "
                          "(%(key)s). Validate the file again, then import it.")
KEY_BROKEN_UNNAMED = gettext_noop("Nothing was imported: a record the file refers to changed while it was being "
                                  "imported. Validate the file again, then import it.")


class _NotWritten(Exception):
    """The file has errors: what was written while validating is rolled back."""


def import_job_import(*, job: ImportJob, workers: int = 0, path: str | Path | None = None,
                      on_progress: Callable[[int, int], None] | None = None, runner: str = Runner.PROCESS,
                      tidy: bool = True) -> ImportJob:
    """Validate and write at once, in one transaction: while the workers check the next blocks of
    the file, this process writes the rows already checked (`writers.ChunkStream`). The outcome is
    that of `import_job_validate` followed by `import_job_commit`: all rows written (DONE), or, when
    any row has an error, none, and the job VALIDATED with its report, as after a dry run. The
    customer tables stay locked for writing from the first valid chunk to the commit. Other import
    targets validate, then commit. Acts as the user who started the job; `runner`, `path` and
    ImportRunning as for `import_job_validate`; `tidy` as for `import_job_commit`."""
    if import_target(job.target) is not None:
        job = import_job_validate(job=job, workers=workers, path=path, on_progress=on_progress, runner=runner)
        return import_job_commit(job=job, runner=runner, on_progress=on_progress) if job.can_commit else job
    _require_runner(job)
    if path is not None:
        job._local_path = Path(path)
    with _running(job):
        job.runner = runner
        job = _import(job, workers, on_progress)
    if tidy:
        _queue_tidy(job)
    return job


def _import(job: ImportJob, workers: int, on_progress: Callable[[int, int], None] | None) -> ImportJob:
    work, spool_path, validation_path = work_paths(job.pk)
    spool = Spool(spool_path)
    spool.delete()
    report_path = work / "report.csv"
    _start(job, Status.IMPORTING)
    written = None
    try:
        with transaction.atomic():
            reader = _reader(job)
            stream = ChunkStream(actor_id=job.created_by_id, reason=f"import #{job.pk}",
                                 expected_rows=reader.total_hint)
            validation = _checked(job, reader, spool=spool, report_path=report_path, workers=workers,
                                  on_progress=on_progress, sink=stream)
            _take_validation(job, validation, report_path)
            if not validation.is_valid:
                raise _NotWritten
            written = validation.written
            job.status = Status.DONE
            job.created_count = written.customers
            job.first_customer_id, job.last_customer_id = written.first_id, written.last_id
            job.finished_at = timezone.now()
            job.save()
    except _NotWritten:
        job.save()  # VALIDATED, with the errors and the report
    except ImportFileError as exc:
        return _fail(job, str(exc.args[0]), exc.template, exc.params)
    except (DatabaseError, RuntimeError, ValidationFailed) as exc:
        return _write_failed(job, exc)
    finally:
        spool.delete()
        validation_path.unlink(missing_ok=True)
        report_path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            work.rmdir()
    _publish(job.pk, job.status, job.processed_rows, job.total_rows)
    job._written = written
    return job


def import_job_commit(*, job: ImportJob, on_progress: Callable[[int, int], None] | None = None,
                      runner: str = Runner.PROCESS, tidy: bool = True) -> ImportJob:
    """Write every validated row in one transaction. A failure anywhere (e.g. a brand deleted
    since the validation) rolls everything back and fails the job with the reason. Acts as the user
    who started the job; `runner` and ImportRunning as for `import_job_validate`.

    A big import merges its rows into the names' word index instead of rebuilding it, and puts its
    tables' foreign keys back NOT VALID once its own rows are checked; a task of its own then
    rebuilds the index and validates the keys, while everyone goes on reading and writing
    (`tidy=False`: the caller calls `import_tables_tidy` itself, as the benchmark does to time it
    apart)."""
    _require_runner(job)
    with _running(job):
        job.runner = runner
        target = import_target(job.target)
        if target is not None:
            return _target_commit(job, target, on_progress)
        job = _commit(job, on_progress)
    if tidy:
        _queue_tidy(job)
    return job


def _queue_tidy(job: ImportJob) -> None:
    """After the commit, the task that tidies what a big import left (`import_tables_tidy`)."""
    from ..tasks import tidy_import_tables

    written = getattr(job, "_written", None)
    if written is not None and written.rebuilt_tables:
        kept = list(written.kept_indexes)
        transaction.on_commit(lambda: tidy_import_tables.delay(kept))


def import_tables_tidy(index_names: list[str]) -> dict[str, float]:
    """After a big import (see `import_job_commit`): validate the foreign keys it put back NOT VALID and
    rebuild the indexes it merged into; seconds by constraint and index."""
    return {**validate_foreign_keys(), **tidy_indexes(index_names)}


def _commit(job: ImportJob, on_progress: Callable[[int, int], None] | None) -> ImportJob:
    work, spool_path, validation_path = work_paths(job.pk)
    validation = getattr(job, "_validation", None)
    if validation is None:
        try:
            with validation_path.open("rb") as saved:
                validation = pickle.load(saved)  # nosec B301  # the app's own spool file, written by this process into a private 0700 work folder; never user input
        except (OSError, EOFError, pickle.UnpicklingError, ImportError, AttributeError):
            # Unreadable, or saved by another version of the engine (its classes moved): validate again.
            validation = None
    if validation is None or not Spool(spool_path).exists() or not validation.is_valid:
        # The spool is gone (another machine, a clean-up): validate again, then write.
        job = import_job_validate(job=job, runner=job.runner)
        if job.status != Status.VALIDATED or job.error_count:
            return job
        validation = job._validation
    _start(job, Status.IMPORTING, total=validation.customers)
    reason = f"import #{job.pk}"
    try:
        with transaction.atomic():
            written = commit(
                spool=Spool(spool_path), validation=validation, actor_id=job.created_by_id, reason=reason,
                progress=_ProgressWriter(job, Status.IMPORTING, to_row=False, echo=on_progress))
            job.status = Status.DONE
            job.created_count = written.customers
            job.first_customer_id, job.last_customer_id = written.first_id, written.last_id
            job.processed_rows = written.customers
            job.finished_at = timezone.now()
            job.save()
    except (DatabaseError, RuntimeError, ValidationFailed) as exc:
        return _write_failed(job, exc)
    finally:
        Spool(spool_path).delete()
        validation_path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            work.rmdir()
    _publish(job.pk, job.status, job.processed_rows, job.total_rows)
    job._written = written
    return job


def _start(job: ImportJob, status: str, *, total: int | None = None) -> None:
    job.status, job.processed_rows, job.message, job.message_detail = status, 0, "", {}
    job.started_at = job.started_at or timezone.now()
    if total is not None:
        job.total_rows = total
    ImportJob.objects.filter(pk=job.pk).update(status=status, runner=job.runner, processed_rows=0, message="",
                                                message_detail={}, started_at=job.started_at,
                                                total_rows=job.total_rows, updated_at=timezone.now())
    _publish(job.pk, status, 0, job.total_rows)


def _fail(job: ImportJob, message: str, template: str = "", params: dict | None = None) -> ImportJob:
    """The job failed: the reason in English (`message`, for the API) and as a template with its
    parameters, which the pages show in the user's language."""
    job.status = Status.FAILED
    job.message = message[:2000]
    job.message_detail = {"template": template, "params": params or {}} if template else {}
    job.finished_at = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(status=job.status, message=job.message,
                                                message_detail=job.message_detail,
                                                finished_at=job.finished_at, updated_at=timezone.now())
    _publish(job.pk, job.status, job.processed_rows, job.total_rows)
    return job


def _write_failed(job: ImportJob, exc: Exception) -> ImportJob:
    """The job failed while writing. A key broken meanwhile (a brand or owner deleted, a number taken
    since the validation) is said in words the importer can act on, naming the key; a rule that refused
    the write in its own words; anything else (a full disk, a lost connection) by the database's error
    code, its English text going to the API's message and the log only."""
    if isinstance(exc, DomainError):
        return _fail(job, f"Nothing was imported: {exc}", WRITE_FAILED, {"reason": str(exc)})
    if not _is_broken_key(exc):
        logger.warning("customer import #%s: writing failed", job.pk, exc_info=exc)
        return _fail(job, f"Nothing was imported: {exc}", WRITE_ERROR, {"code": _error_code(exc)})
    key = _broken_key(exc)
    if not key:  # SQLite names no constraint
        return _fail(job, f"{KEY_BROKEN_UNNAMED} ({exc})", KEY_BROKEN_UNNAMED)
    return _fail(job, KEY_BROKEN % {"key": key}, KEY_BROKEN, {"key": key})


def _error_code(exc: Exception) -> str:
    """The database's code for an error: PostgreSQL's SQLSTATE (53100: disk full), SQLite's number (13:
    full); the error's class for one raised by the import itself."""
    cause = exc.__cause__
    code = getattr(cause, "sqlstate", None) or getattr(cause, "sqlite_errorcode", None)
    return str(code) if code else type(exc).__name__


def _is_broken_key(exc: Exception) -> bool:
    """A foreign key or a unique one refused a row: by PostgreSQL's SQLSTATE, else by the text (SQLite's,
    or the bulk writer's own check of the keys)."""
    if not isinstance(exc, IntegrityError):
        return False
    state = getattr(exc.__cause__, "sqlstate", None)
    if state:
        return state in ("23503", "23505")
    return bool(_KEY_REFUSED.search(str(exc)))


_KEY_REFUSED = re.compile(r"foreign key constraint|unique constraint", re.IGNORECASE)


def _broken_key(exc: IntegrityError) -> str:
    """The name of the constraint (or unique index) an IntegrityError names, else ""."""
    name = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
    if name:
        return name
    found = re.search(r'(?:constraint|index) "([^"]+)"', str(exc))
    return found.group(1) if found else ""


def import_job_run(*, job_id: int, action: str) -> ImportJob:
    """What the Celery tasks run: validate or commit, in the job's language (for the report)."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    # A task can be delivered again (its worker killed mid-run, or after the run and before the broker
    # heard of it). A done import is never written twice, and a commit runs only while the job is
    # importing (as its request left it): a job still importing was interrupted (the commit's
    # transaction rolled back, the spool is still there) and is written now. Validating again writes
    # nothing; a validation interrupted in its own commit goes on with the commit.
    if job.status == Status.DONE or (action == "commit" and job.status != Status.IMPORTING):
        return job
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            if action == "validate" and job.status != Status.IMPORTING:
                job = import_job_validate(job=job, runner=Runner.TASK)
                if job.status == Status.VALIDATED and not job.dry_run and job.can_commit:
                    job = import_job_commit(job=job, runner=Runner.TASK)
                return job
            return import_job_commit(job=job, runner=Runner.TASK)
    except ImportRunning:  # delivered again while its first delivery still runs: that one finishes it
        return job
    except PermissionDenied as exc:  # its starter may no longer import (role changed, deactivated)
        return _fail(job, str(exc), str(exc))
    except Exception:
        # A job must not stay "running" for ever: it fails, and the error goes to the log.
        logger.exception("customer import #%s failed", job_id)
        message = gettext_noop("The import stopped on an unexpected error; nothing was imported.")
        return _fail(job, message, message)


# ---------------------------------------------------------------- another import target


@dataclass
class TargetValidation:
    """The validation pass of another target's file: counts, findings, and the clean values of the
    rows to write ((row number, values) each), kept on disk until the commit."""

    rows: int = 0
    valid: list = field(default_factory=list)
    error_rows: int = 0
    existing_rows: int = 0
    file_duplicate_rows: int = 0
    errors: list = field(default_factory=list)
    duplicates: list = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return self.error_rows == 0 and self.rows > 0


def _target_rows(job: ImportJob, target: ImportTarget, report: Report,
                 progress: _ProgressWriter) -> TargetValidation:
    reader = CustomerFileReader(_local_path(job), encoding=encoding_option(job.encoding), sheet=job.sheet,
                                mapping=job.mapping, fields=target.fields, required=target.required)
    target.check_columns(reader.columns)
    check = target.checker(job)
    result = TargetValidation()
    total = reader.total_hint
    for number, row in reader:
        result.rows += 1
        if result.rows > target.max_rows:
            raise ImportFileError(gettext_noop("At most %(limit)s rows per file; split the file."),
                                  code="too_many_rows", fields={"file": "too many rows"}, limit=target.max_rows)
        checked = check(row)
        for name, code, params in checked.errors:
            report.error(number, name, code, params)
        for name, code, params, existing in checked.duplicates:
            report.finding(number, name, code, params, existing=existing)
        if not checked.errors:
            result.valid.append((number, checked.values))
        progress(result.rows, max(total, result.rows))
    return result


def _target_validate(job: ImportJob, target: ImportTarget,
                     on_progress: Callable[[int, int], None] | None) -> ImportJob:
    """The dry run of another target's file: every row checked by the target, duplicates reported,
    the report written, the clean rows kept for the commit. Writes nothing of the target's."""
    work, _spool, validation_path = work_paths(job.pk)
    validation_path.unlink(missing_ok=True)
    report_path = work / "report.csv"
    _start(job, Status.VALIDATING)
    report = Report(report_path, translate=not (job.language or "").startswith("en"), labels=target.fields)
    try:
        result = _target_rows(job, target, report, _ProgressWriter(job, Status.VALIDATING, to_row=True,
                                                                    echo=on_progress))
        if result.rows == 0:
            raise ImportFileError(gettext_noop("The file has a header but no data rows."), code="empty_file")
    except ImportFileError as exc:
        report.close()
        report_path.unlink(missing_ok=True)
        return _fail(job, str(exc.args[0]), exc.template, exc.params)
    report.close()
    result.error_rows, result.errors = len(report.error_rows), sorted(report.errors, key=lambda e: e["row"])
    result.existing_rows, result.file_duplicate_rows = len(report.existing_rows), len(report.file_duplicate_rows)
    result.duplicates = sorted(report.duplicates, key=lambda d: d["row"])
    if result.is_valid:
        with validation_path.open("wb") as out:
            pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
    job.status = Status.VALIDATED
    job.total_rows = job.processed_rows = result.rows
    job.error_count, job.existing_match_count = result.error_rows, result.existing_rows
    job.file_duplicate_count = result.file_duplicate_rows
    job.errors, job.duplicates = result.errors, result.duplicates
    job.validated_at = timezone.now()
    if job.report:
        job.report.delete(save=False)
    with report_path.open("rb") as saved:
        job.report.save(f"import-{job.pk}-report.csv", File(saved), save=False)
    report_path.unlink(missing_ok=True)
    job.save()
    _publish(job.pk, job.status, job.processed_rows, job.total_rows)
    job._validation = result
    return job


def _target_validation(job: ImportJob, validation_path: Path) -> TargetValidation | None:
    validation = getattr(job, "_validation", None)
    if validation is not None:
        return validation
    try:
        with validation_path.open("rb") as saved:
            return pickle.load(saved)  # nosec B301  # the app's own spool file, written by this process into a private 0700 work folder; never user input
    except (OSError, EOFError, pickle.UnpicklingError, ImportError, AttributeError):
        return None


def _target_commit(job: ImportJob, target: ImportTarget,
                   on_progress: Callable[[int, int], None] | None) -> ImportJob:
    """Write every validated row of another target's file in one transaction, through the target's
    services (each row audited as they audit it), or nothing."""
    work, _spool, validation_path = work_paths(job.pk)
    validation = _target_validation(job, validation_path)
    if validation is None or not validation.is_valid:  # kept elsewhere or cleaned up: validate again
        job = _target_validate(job, target, on_progress)
        if job.status != Status.VALIDATED or job.error_count:
            return job
        validation = job._validation
    _start(job, Status.IMPORTING, total=len(validation.valid))
    try:
        with transaction.atomic():
            created = target.write(job, [values for _row, values in validation.valid],
                                   progress=_ProgressWriter(job, Status.IMPORTING, to_row=False, echo=on_progress))
            job.status, job.created_count = Status.DONE, len(created)
            job.processed_rows, job.finished_at = len(created), timezone.now()
            job.save()
    except (DatabaseError, RuntimeError, DomainError) as exc:
        return _write_failed(job, exc)
    finally:
        validation_path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            work.rmdir()
    _publish(job.pk, job.status, job.processed_rows, job.total_rows)
    job._created_ids = created
    return job
