"""`guanxi demo`: load a demo company (staff in every role, brands, tags, customers)."""

import time

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from guanxi.accounts.demo import DEMO_PASSWORD
from guanxi.customers.demo import demo_load
from guanxi.customers.models import Customer


class Command(BaseCommand):
    help = "Fill the database with a demo company: teams, staff in every role, brands, tags and customers."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="do nothing when customers already exist")
        parser.add_argument("--customers", type=int, default=5000, help="how many customers (default 5000)")
        parser.add_argument("--seed", type=int, default=42, help="random seed; the same seed gives the same data")

    def handle(self, *args, if_empty: bool, customers: int, seed: int, **options):
        console = Console(file=self.stdout._out, highlight=False, width=None if self.stdout.isatty() else 120)
        if customers < 0:
            raise CommandError("--customers must be zero or more")
        if if_empty and Customer.objects.exists():
            console.print("Customers exist already; demo data not loaded (--if-empty).")
            return
        started = time.perf_counter()
        with Progress(TextColumn("[bold]Demo customers"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, transient=True) as progress:
            task = progress.add_task("customers", total=customers)
            result = demo_load(customers=customers, seed=seed,
                               on_progress=lambda n: progress.advance(task, n))
        elapsed = time.perf_counter() - started

        table = Table(title="Demo logins", title_justify="left")
        for column in ("username", "role", "team", "name", "password"):
            table.add_column(column)
        for user in result.staff.users:
            created = user.username in result.staff.created_usernames
            table.add_row(user.username, user.get_role_display(), str(user.team or ""), user.display_name,
                          DEMO_PASSWORD if created else "(existing user, unchanged)")
        console.print(table)
        console.print(f"Loaded {result.customers} demo customers and {len(result.staff.created_usernames)} "
                      f"staff in {elapsed:.1f}s. Sign in as admin / {DEMO_PASSWORD}.")
