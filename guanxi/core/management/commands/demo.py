"""`guanxi demo`: load a demo company (staff in every role, brands, tags, customers) and every
module's demo data (what the apps registered in `guanxi.core.demo`)."""

import argparse
import inspect
import os
import subprocess  # nosec B404  # runs this same command in the background, no shell
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from guanxi.core import demo
from guanxi.core.demo import SCALE_CUSTOMERS, DemoCompany, demo_step_app, loaded_step
from guanxi.core.demo_status import DONE, FAILED, LOADING, demo_status_write


def _company() -> DemoCompany:
    if demo.COMPANY is None:
        raise CommandError("No app registered the demo company (guanxi.core.demo.register_demo_company).")
    return demo.COMPANY()


def _run_step(step, **kwargs) -> str:
    """Call a demo step; `now` only if it takes it (steps written before it existed do not)."""
    step = loaded_step(step)
    if "now" not in inspect.signature(step).parameters:
        kwargs.pop("now")
    return step(**kwargs)


class Command(BaseCommand):
    help = ("Fill the database with a demo company: teams, staff in every role, brands, tags, customers, "
            "and the demo data of every module (cases, standards, knowledge, warranty…).")

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="do nothing when customers already exist")
        parser.add_argument("--customers", type=int, default=SCALE_CUSTOMERS,
                            help=f"how many customers (default {SCALE_CUSTOMERS}); the other modules scale with it")
        parser.add_argument("--seed", type=int, default=42, help="random seed; the same seed gives the same data")
        parser.add_argument("--background", action="store_true",
                            help="load in another process and return at once (the server can start meanwhile); "
                                 "it prints its summary and logins when done, and the sign-in page shows its progress")
        parser.add_argument("--report-status", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, if_empty: bool, customers: int, seed: int, background: bool, report_status: bool,
               **options):
        console = Console(file=self.stdout._out, highlight=False, width=None if self.stdout.isatty() else 120)
        if customers < 0:
            raise CommandError("--customers must be zero or more")
        company = _company()
        if if_empty and company.exists():
            console.print("Customers exist already; demo data not loaded (--if-empty).")
            return
        if background:
            self._start_in_background(console, customers=customers, seed=seed, if_empty=if_empty)
            return
        report = demo_status_write if report_status else (lambda **kwargs: None)
        try:
            result, elapsed = self._load(console, company, customers=customers, seed=seed, report=report)
        except Exception as exc:  # Ctrl-C needs no report: a status whose process is gone counts as none
            report(state=FAILED, error=str(exc)[:300] or type(exc).__name__)
            raise
        report(state=DONE)
        self._print_logins(console, company, result, elapsed)

    def _start_in_background(self, console: Console, *, customers: int, seed: int, if_empty: bool) -> None:
        """The same command in a child process that shares this terminal: the server starts meanwhile."""
        argv = [sys.executable, "-m", "django", "demo", "--customers", str(customers), "--seed", str(seed),
                "--report-status", *(["--if-empty"] if if_empty else [])]
        child = subprocess.Popen(argv, env={**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE})  # nosec B603  # sys.executable and fixed arguments, no shell
        # The status names the child, so that a load stopped with Ctrl-C does not look like one still running.
        demo_status_write(state=LOADING, step="guanxi.customers", total=len(demo.DEMO_STEPS) + 1, pid=child.pid)
        console.print(f"Loading the demo company in the background (process {child.pid}); its logins are printed "
                      "here when it is done, and the sign-in page shows its progress meanwhile.")

    def _load(self, console: Console, company: DemoCompany, *, customers: int, seed: int, report) -> tuple:
        total = len(demo.DEMO_STEPS) + 1
        report(state=LOADING, step="guanxi.customers", total=total)
        started = time.perf_counter()
        now = timezone.now()  # every step dates its data before this moment
        scale = customers / SCALE_CUSTOMERS
        # One transaction for everything: a failing step leaves no half-loaded demo behind.
        with transaction.atomic():
            with Progress(TextColumn("[bold]Demo customers"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=console, transient=True) as progress:
                task = progress.add_task("customers", total=customers)
                result = company.load(customers=customers, seed=seed, now=now,
                                   on_progress=lambda n: progress.advance(task, n))
            console.print(f"[green]✓[/] customers: {result.customers} customers "
                          f"({time.perf_counter() - started:.1f}s)")
            for done, step in enumerate(list(demo.DEMO_STEPS), start=1):
                label = demo_step_app(step)
                report(state=LOADING, step=loaded_step(step).__module__, done=done, total=total)
                step_started = time.perf_counter()
                with Progress(SpinnerColumn(), TextColumn(f"[bold]Demo {label}"), TimeElapsedColumn(),
                              console=console, transient=True) as progress:
                    progress.add_task(label, total=None)
                    summary = _run_step(step, seed=seed, scale=scale, staff=result.staff,
                                        customers=result.customer_ids, now=now)
                console.print(f"[green]✓[/] {label}: {summary} ({time.perf_counter() - step_started:.1f}s)")
            company.finish(customers=result.customer_ids)
        return result, time.perf_counter() - started

    def _print_logins(self, console: Console, company: DemoCompany, result, elapsed: float) -> None:
        table = Table(title="Demo logins", title_justify="left")
        for column in ("username", "role", "team", "name", "password"):
            table.add_column(column)
        for user in result.staff.users:
            created = user.username in result.staff.created_usernames
            table.add_row(user.username, user.get_role_display(), str(user.team or ""), user.display_name,
                          company.password if created else "(existing user, unchanged)")
        console.print(table)
        for where, login, password, whose in result.staff.other_logins:
            console.print(f"Customer portal {where}: {login} / {password} — {whose}")
        console.print(f"{company.name}: loaded {result.customers} demo customers, "
                      f"{len(result.staff.created_usernames)} staff and "
                      f"{len(demo.DEMO_STEPS)} demo steps in {elapsed:.1f}s. Sign in as admin / {company.password}.")
