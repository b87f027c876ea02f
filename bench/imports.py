"""Customer import benchmark (`guanxi bench import --rows N`): write a realistic customer file as an
outside system would export it, then time the import end to end (validation + commit) through
the same services as the command line, with rows/s and peak memory.

The file: Chinese names drawn with realistic frequencies (the name pools of `generate.py`, whose
pinyin keys are cached), mobiles in the mixed spellings people type (13812345678,
138 1234 5678, +86 138-1234-5678, 008613812345678), resident ID numbers with valid check digits,
birth dates in several formats, provinces/cities/districts, Chinese lifecycle and kind labels,
brands, ARPU, and optional landlines, e-mail addresses, tags and notes. Mobiles and ID numbers are
unique by construction (an import refuses duplicate rows); e-mail addresses may repeat (a warning).
Every batch draws from its own generator seeded with (seed, batch number).
"""

from __future__ import annotations

import contextlib
import csv
import os
import threading
import time
from pathlib import Path

import numpy as np
from django.conf import settings

from guanxi.customers.normalize import resident_id_check_digit

from . import data
from .generate import NamePool

HEADER = ["客户类型", "姓名", "手机号码", "电子邮箱", "身份证号", "性别", "出生日期", "品牌", "月均消费", "生命周期",
          "省份", "城市", "区县", "详细地址", "座机", "标签", "备注"]
STAGES = ("潜在客户", "新客户", "成长期", "成熟期", "流失预警", "prospect", "mature")
TAG_SETS = ("VIP", "宽带用户", "5G用户、VIP", "家庭套餐", "政企客户,重点", "高价值|续约")
NOTES = ("门店办理", "老客户推荐", "电话回访满意", "需要发票")
BIRTH_FORMATS = 4
_ID_SPAN_DAYS = 20_000  # birth dates 1950-03 .. 2005-01
_BIRTH_START = np.datetime64("1950-03-01")


def write_csv(path: Path, *, rows: int, seed: int = 7, batch: int = 50_000, encoding: str = "utf-8-sig") -> Path:
    """Write `rows` customers to `path` (CSV with a Chinese header)."""
    rng = np.random.default_rng(seed)
    people = NamePool.people(rng, draws=int(min(max(rows // 4, 2_000), 80_000)))
    orgs = NamePool.organisations(rng, size=int(min(max(rows // 200, 50), 3_000)))
    brands = [name for _, name in data.BRANDS]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for number, start in enumerate(range(0, rows, batch)):
            writer.writerows(_batch(np.random.default_rng([seed, number]), start, min(batch, rows - start),
                                    people, orgs, brands))
    tmp.replace(path)
    return path


def _batch(rng, start: int, n: int, people: NamePool, orgs: NamePool, brands: list[str]) -> list[list]:
    g = np.arange(start, start + n, dtype=np.int64)
    is_org = (rng.random(n) < 0.05).tolist()
    person = rng.choice(len(people.names), n, p=people.p).tolist()
    org = rng.integers(0, len(orgs.names), n).tolist()
    # Unique mobiles: row g gets prefix g mod P and a subscriber number from a bijection of g // P.
    prefixes = len(data.MOBILE_PREFIXES)
    subscriber = ((g // prefixes) * 48_271 + 12_345) % 100_000_000
    prefix = (g % prefixes).tolist()
    spelling = rng.random(n).tolist()
    # Unique resident IDs: (place, birth day, sequence) from g.
    places = len(data.PLACES)
    place = g % places
    day = (g // places) % _ID_SPAN_DAYS
    seq = (g // (places * _ID_SPAN_DAYS)) % 1000
    births = _BIRTH_START + day.astype("timedelta64[D]")
    birth_text = np.datetime_as_string(births).tolist()
    has_id = (rng.random(n) < 0.75).tolist()
    birth_format = rng.integers(0, BIRTH_FORMATS, n).tolist()
    has_mobile = (rng.random(n) < 0.93).tolist()
    email_kind = rng.random(n).tolist()
    email_num = rng.integers(1, 100_000, n).tolist()
    qq = rng.integers(100_000, 3_000_000_000, n).tolist()
    domain = rng.integers(0, len(data.EMAIL_DOMAINS), n).tolist()
    brand = rng.integers(0, len(brands), n).tolist()
    arpu = np.round(np.clip(rng.lognormal(np.log(58.0), 0.75, n), 0, 99_999), 2).tolist()
    stage = rng.integers(0, len(STAGES), n).tolist()
    address_place = rng.integers(0, len(data.PLACES), n).tolist()
    has_address = (rng.random(n) < 0.6).tolist()
    street = rng.integers(0, len(data.STREETS), n).tolist()
    house = rng.integers(1, 999, n).tolist()
    landline = rng.random(n).tolist()
    area = rng.integers(0, len(data.LANDLINE_AREAS), n).tolist()
    landline_num = rng.integers(20_000_000, 89_999_999, n).tolist()
    tag_roll = rng.random(n).tolist()
    tag_set = rng.integers(0, len(TAG_SETS), n).tolist()
    note_roll = rng.random(n).tolist()
    subscriber_l, seq_l, place_l = subscriber.tolist(), seq.tolist(), place.tolist()

    out = []
    for i in range(n):
        is_organisation = is_org[i]
        pool, k = (orgs, org[i]) if is_organisation else (people, person[i])
        name = pool.names[k]
        digits = f"{data.MOBILE_PREFIXES[prefix[i]]}{subscriber_l[i]:08d}"
        mobile = ""
        if has_mobile[i]:
            s = spelling[i]
            if s < 0.6:
                mobile = digits
            elif s < 0.75:
                mobile = f"{digits[:3]} {digits[3:7]} {digits[7:]}"
            elif s < 0.85:
                mobile = f"+86 {digits[:3]}-{digits[3:7]}-{digits[7:]}"
            elif s < 0.9:
                mobile = "0086" + digits
            else:
                mobile = "+86" + digits
        ek = email_kind[i]
        if ek < 0.2:
            email = f"{pool.pinyin[k][:20] or 'user'}{email_num[i]}@{data.EMAIL_DOMAINS[domain[i]]}"
        elif ek < 0.35:
            email = f"{qq[i]}@qq.com"
        else:
            email = ""
        id_number = gender = birth = ""
        if not is_organisation:
            y, m, d = birth_text[i].split("-")
            f = birth_format[i]
            birth = (birth_text[i] if f == 0 else f"{y}/{int(m)}/{int(d)}" if f == 1
                     else f"{y}{m}{d}" if f == 2 else f"{y}年{int(m)}月{int(d)}日")
            gender = "男" if seq_l[i] % 2 else "女"
            if has_id[i]:
                first17 = f"{data.PLACES[place_l[i]][3]}{y}{m}{d}{seq_l[i]:03d}"
                id_number = first17 + resident_id_check_digit(first17)
        p = data.PLACES[address_place[i]]
        province = city = district = address = ""
        if has_address[i] or is_organisation:
            province = p[0] if address_place[i] % 3 else p[0].removesuffix("省").removesuffix("市")
            city, district, address = p[1], p[2], f"{data.STREETS[street[i]]}{house[i]}号"
        phone = ""
        if landline[i] < 0.1:
            a, _ = data.LANDLINE_AREAS[area[i]]
            phone = f"{a}-{landline_num[i]}"
        out.append([
            "企业" if is_organisation else "个人", name, mobile, email, id_number, gender, birth,
            brands[-1] if is_organisation else brands[brand[i] % (len(brands) - 1)], f"{arpu[i]:.2f}",
            STAGES[stage[i]], province, city, district, address, phone,
            TAG_SETS[tag_set[i]] if tag_roll[i] < 0.2 else "", NOTES[i % len(NOTES)] if note_roll[i] < 0.02 else "",
        ])
    return out


class _PeakMemory:
    """Peak resident memory of this process and of its children (worker processes), sampled
    from /proc every 50 ms while the import runs."""

    def __init__(self):
        self.main = 0
        self.children = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        pid = os.getpid()
        while not self._stop.wait(0.05):
            self.main = max(self.main, _rss(pid))
            peak = 0
            with contextlib.suppress(OSError):
                for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
                    peak = max(peak, _rss(int(child)))
            self.children = max(self.children, peak)


def _rss(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def bench_import(*, rows: int, seed: int = 7, workers: int | None = None, path: str = "", regenerate: bool = False,
                 progress: bool = True, at_once: bool = True) -> dict:
    """Generate (or reuse) the file, then import it as the bench administrator: validating and writing
    at once (`import_job_import`, as `guanxi import` does), or with `at_once=False` validating, then
    committing (the import page's two steps; `validate_seconds` and `commit_seconds` apart)."""
    from django.db import connection

    from guanxi.customers.models import Customer, ImportJob
    from guanxi.customers.services.imports import (
        import_job_commit,
        import_job_create,
        import_job_import,
        import_job_validate,
        import_tables_tidy,
    )

    from .generate import ensure_brands, ensure_staff

    staff = ensure_staff()
    ensure_brands()
    file = Path(path) if path else Path(settings.VAR_DIR) / "bench" / f"import_{rows}_{seed}.csv"
    generate_seconds = 0.0
    if regenerate or not file.exists():
        t0 = time.perf_counter()
        _in_child(write_csv, file, rows=rows, seed=seed)
        generate_seconds = time.perf_counter() - t0
    if workers is None:
        workers = min(4, os.cpu_count() or 1)
    from .sizes import customer_tables

    tables_before = customer_tables()
    before = tables_before[Customer._meta.db_table]["rows"]
    bar = _bar(progress)
    backend = _backend_pid()
    cpu_before = _cpu(backend)
    with _PeakMemory() as memory, bar:
        t0 = time.perf_counter()
        job = import_job_create(actor=staff["admin"], path=file, dry_run=False, language="en",
                                source="bench")
        task = bar.add_task("validate" if not at_once else "import", total=job.total_rows) if progress else None
        echo = (lambda d, t: bar.update(task, completed=d, total=t)) if progress else None
        if at_once:
            job = import_job_import(job=job, path=file, workers=workers, on_progress=echo, tidy=False)
            t1 = t0
            cpu_validated = cpu_before
        else:
            job = import_job_validate(job=job, path=file, workers=workers, on_progress=echo)
            t1 = time.perf_counter()
            cpu_validated = _cpu(backend)
            if job.status != ImportJob.Status.VALIDATED or job.error_count:
                raise RuntimeError(f"validation failed: {job.message or job.errors[:5]}")
            task = bar.add_task("commit", total=job.total_rows) if progress else None
            job = import_job_commit(job=job, on_progress=(lambda d, t: bar.update(task, completed=d, total=t))
                                    if progress else None, tidy=False)
        t2 = time.perf_counter()
    cpu_done = _cpu(backend)
    written = getattr(job, "_written", None)
    # What the import's task queues after its commit, timed apart: the customers are in and found
    # meanwhile (through the merged index), and their foreign keys enforced (NOT VALID: not yet marked
    # valid for the rows before).
    tidy_seconds = import_tables_tidy(written.kept_indexes) if written and written.rebuilt_tables else {}
    if job.status != ImportJob.Status.DONE:
        raise RuntimeError(f"import failed: {job.message or job.errors[:5]}")
    cpu = {k: round(v - cpu_before[k], 1) for k, v in cpu_done.items()}
    cpu_phases = {"validate": {k: round(v - cpu_before[k], 1) for k, v in cpu_validated.items()},
                  "commit": {k: round(v - cpu_validated[k], 1) for k, v in cpu_done.items()}}
    seconds = t2 - t0
    return {
        "vendor": connection.vendor, "rows": job.total_rows, "created": job.created_count,
        "customers_before": before, "file": str(file), "file_mb": round(file.stat().st_size / 1024 / 1024, 1),
        "generate_seconds": round(generate_seconds, 1), "workers": workers,
        "at_once": at_once, "validate_seconds": None if at_once else round(t1 - t0, 2),
        "commit_seconds": None if at_once else round(t2 - t1, 2), "seconds": round(seconds, 2),
        "rows_per_second": round(job.created_count / seconds) if seconds else 0,
        "existing_matches": job.existing_match_count,
        "rebuilt_indexes": bool(written and written.rebuilt_tables),
        "merged_indexes": written.kept_indexes if written else [],
        "tidy_seconds_after_commit": {k: round(v, 2) for k, v in tidy_seconds.items()},
        "commit_phases": {k: round(v, 2) for k, v in (written.phases if written else {}).items()},
        "peak_rss_mb": round(memory.main / 1024 / 1024), "peak_worker_rss_mb": round(memory.children / 1024 / 1024),
        "index_seconds": {k: round(v, 2) for k, v in sorted((written.index_seconds if written else {}).items(),
                                                             key=lambda item: -item[1])},
        "cpu_seconds": cpu, "cpu_seconds_by_phase": cpu_phases, "load_average_1m": round(os.getloadavg()[0], 2),
        "job": job.pk, "tables_before": tables_before, "tables_after": customer_tables(),
    }


def _backend_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _cpu(backend: int | None) -> dict:
    """CPU seconds used so far: this process, its finished children (the CSV workers) and the
    PostgreSQL backend serving it (read from /proc; the server runs on this machine)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {"main": own.ru_utime + own.ru_stime, "workers": children.ru_utime + children.ru_stime,
              "postgres_backend": 0.0}
    if backend:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
            result["postgres_backend"] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return result


def _in_child(function, *args, **kwargs) -> None:
    """Run `function` in a forked process, so that its memory does not count as the import's."""
    import multiprocessing

    process = multiprocessing.get_context("fork").Process(target=function, args=args, kwargs=kwargs)
    process.start()
    process.join()
    if process.exitcode:
        raise RuntimeError(f"generating the file failed (exit code {process.exitcode})")


def _bar(enabled: bool):
    if not enabled:
        return contextlib.nullcontext()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
