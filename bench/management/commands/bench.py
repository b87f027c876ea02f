"""`guanxi bench generate|run|all|cases|sweep|import|sales|survey_answers|…`: synthetic data, HTTP load runs,
service-case loads and the customer import benchmark."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Benchmarks: generate customers, drive the HTTP API, or do both against a fresh database."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        gen = sub.add_parser("generate", help="bulk-insert synthetic customers")
        _generate_args(gen)
        run = sub.add_parser("run", help="drive the HTTP API on loopback and report latencies")
        _run_args(run)
        run.add_argument("--token", default="", help="API token (default: a new one for bench_admin)")
        every = sub.add_parser("all", help="fresh PostgreSQL database, generate, serve, run, stop")
        _generate_args(every)
        _run_args(every, with_base_url=False)
        every.add_argument("--database", default="guanxi_bench", help="PostgreSQL database to (re)create")
        every.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432",
                           help="PostgreSQL server URL without the database name")
        every.add_argument("--port", type=int, default=8765)
        every.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                           help="gunicorn workers (default: one per core; more only queue for the same cores)")
        every.add_argument("--threads", type=int, default=1)
        every.add_argument("--keep", action="store_true", help="reuse the database if it already has data")
        cases = sub.add_parser("cases", help="bulk-load service cases with running clocks (PostgreSQL)")
        cases.add_argument("--cases", type=int, default=1_000_000)
        cases.add_argument("--open", type=int, default=100_000, dest="open_cases")
        cases.add_argument("--seed", type=int, default=5)
        sub.add_parser("sweep", help="time one escalation sweep over the open cases' running clocks")
        tasks = sub.add_parser("tasks", help="bulk-load tasks and one person with open tasks (PostgreSQL)")
        tasks.add_argument("--tasks", type=int, default=1_000_000)
        tasks.add_argument("--person-open", type=int, default=500, help="open tasks of the measured person")
        tasks.add_argument("--seed", type=int, default=9)
        imports = sub.add_parser("import", help="write a customer CSV and time its import as `guanxi import` does "
                                                "it (validating and writing at once)")
        imports.add_argument("--two-steps", action="store_true",
                             help="validate, then commit, as the import page does")
        imports.add_argument("--rows", type=int, default=100_000)
        imports.add_argument("--seed", type=int, default=7)
        imports.add_argument("--workers", type=int, default=None, help="CSV parsing processes (default: cores, max 4)")
        imports.add_argument("--file", default="",
                             help="the CSV to write/read (default: var/bench/import_ROWS_SEED.csv)")
        imports.add_argument("--regenerate", action="store_true", help="write the file even if it exists")
        imports.add_argument("--no-progress", action="store_true")
        history = sub.add_parser("history", help="bulk-load interactions and transactions (PostgreSQL)")
        history.add_argument("--interactions", type=int, default=1_000_000)
        history.add_argument("--transactions", type=int, default=300_000)
        history.add_argument("--batch", type=int, default=100_000)
        history.add_argument("--seed", type=int, default=3)
        history.add_argument("--processes", type=int, default=None, help="COPY batch builders (default: one per core)")
        history.add_argument("--no-progress", action="store_true")
        value = sub.add_parser("value", help="load a repeat-purchase ledger (PostgreSQL) and time one value run")
        value.add_argument("--transactions-per-customer", type=float, default=3.0,
                           help="average purchases per customer (payments and refunds come on top)")
        value.add_argument("--seed", type=int, default=11)
        value.add_argument("--no-load", action="store_true", help="time the value run on the data as it is")
        sales = sub.add_parser("sales", help="bulk-load opportunities for the sales board and funnel (PostgreSQL)")
        sales.add_argument("--opportunities", type=int, default=1_000_000)
        sales.add_argument("--seed", type=int, default=13)
        sales.add_argument("--no-load", action="store_true",
                           help="time the analysis reports in-process on the data as it is")
        sales.add_argument("--runs", type=int, default=3, help="timed runs of each analysis report")
        pool = sub.add_parser("pool_sweep", help="owners, follow-ups and rules, then time the 公海 sweep")
        pool.add_argument("--no-prepare", action="store_true", help="time the sweep on the data as it is")
        pool.add_argument("--seed", type=int, default=5)
        pool.add_argument("--daily", type=int, default=0, metavar="NIGHTS",
                          help="then time NIGHTS nightly sweeps, one day later each (the steady state)")
        care = sub.add_parser("care", help="lunar birthdays, contracts and care rules, then time the daily care run")
        care.add_argument("--no-prepare", action="store_true", help="time the runs on the data as it is")
        campaigns = sub.add_parser("campaigns", help="time launching a campaign to every customer (PostgreSQL)")
        campaigns.add_argument("--opt-outs", type=int, default=1_000, help="customers opted out before the launch")
        offers = sub.add_parser("offers", help="load holdings (PostgreSQL), time a training and scoring")
        offers.add_argument("--seed", type=int, default=21)
        offers.add_argument("--samples", type=int, default=2000, help="customers scored one at a time")
        offers.add_argument("--no-load", action="store_true", help="keep the holdings, only time")
        orders = sub.add_parser("orders",
                                help="bulk-load order lines and time ageing, revenue and the 360 (PostgreSQL)")
        orders.add_argument("--lines", type=int, default=5_000_000)
        orders.add_argument("--runs", type=int, default=20)
        orders.add_argument("--seed", type=int, default=17)
        orders.add_argument("--no-load", action="store_true", help="time the reports on the data as it is")
        dedupe = sub.add_parser("dedupe", help="labelled duplicate customers: load, scan, precision and recall")
        dedupe.add_argument("--records", type=int, default=100_000)
        dedupe.add_argument("--duplicates", type=float, default=0.1, help="share of records that are duplicates")
        dedupe.add_argument("--seed", type=int, default=7)
        dedupe.add_argument("--threshold", type=float, default=None, help="review threshold (default: setting)")

        sample = sub.add_parser("survey_sample",
                                help="refresh the contact profiles and time a stratified survey sample")
        sample.add_argument("--size", type=int, default=10_000)
        sample.add_argument("--seed", type=int, default=7)
        sample.add_argument("--runs", type=int, default=5)
        sample.add_argument("--no-refresh", action="store_true", help="sample from the profiles as they are")
        sample.add_argument("--live", action="store_true", help="also time one frame aggregating the history")
        explorer = sub.add_parser("explorer", help="time explorer pivots over a year of the star schema (≤ 1 s each)")
        explorer.add_argument("--no-refresh", action="store_true", help="use the warehouse as it is")
        explorer.add_argument("--no-load", action="store_true", help="do not load order lines and interactions")
        explorer.add_argument("--lines", type=int, default=5_000_000)
        explorer.add_argument("--interactions", type=int, default=10_000_000)
        explorer.add_argument("--runs", type=int, default=3)
        explorer.add_argument("--seed", type=int, default=5)
        explorer.add_argument("--synthetic", action="store_true",
                              help="write a warehouse of 1M customers, 5M order lines, 10M interactions, 1M cases "
                                   "straight to Parquet and time the pivots over it (no PostgreSQL load)")
        explorer.add_argument("--scale", type=float, default=1.0, help="with --synthetic: a share of those rows")
        warehouse = sub.add_parser("warehouse", help="time the star schema's full rebuild, then a day of activity "
                                                     "and the incremental refresh")
        warehouse.add_argument("--no-full", action="store_true", help="only the day of activity and the increment")
        warehouse.add_argument("--interactions", type=int, default=10_000)
        warehouse.add_argument("--cases", type=int, default=1_000)
        warehouse.add_argument("--lines", type=int, default=7_500)
        warehouse.add_argument("--customers", type=int, default=2_000, help="customers whose data changes")
        dashboard = sub.add_parser("dashboard", help="time the executive dashboard's page and API (p50/p95) over "
                                                     "the warehouse (built first if it never was)")
        dashboard.add_argument("--requests", type=int, default=50, help="timed requests per page and period")
        churn = sub.add_parser("churn", help="churn training and scoring on generated customers with a planted "
                                             "mechanism; then the SQL features of the database, scored (PostgreSQL)")
        churn.add_argument("--customers", type=int, default=1_000_000)
        churn.add_argument("--seed", type=int, default=17)
        churn.add_argument("--no-database", action="store_true", help="skip scoring the database's customers")
        workbench = sub.add_parser("workbench", help="workbench classification training on generated customers "
                                                     "with the planted churn mechanism, then the whole analysis")
        workbench.add_argument("--customers", type=int, default=1_000_000)
        workbench.add_argument("--seed", type=int, default=17)
        workbench.add_argument("--threads", type=int, default=1)
        hotspot = sub.add_parser("hotspot", help="load case texts with a planted spike (PostgreSQL), time one "
                                                 "hotspot analysis over them")
        hotspot.add_argument("--cases", type=int, default=1_000_000)
        hotspot.add_argument("--weeks", type=int, default=26)
        hotspot.add_argument("--seed", type=int, default=23)
        hotspot.add_argument("--no-load", action="store_true", help="analyse the cases loaded before")
        drivers = sub.add_parser("survey_drivers", help="time driver analysis over generated survey responses")
        drivers.add_argument("--responses", type=int, default=1_000_000)
        drivers.add_argument("--seed", type=int, default=11)
        drivers.add_argument("--runs", type=int, default=3)
        answers = sub.add_parser("survey_answers",
                                 help="fire SMS survey replies at the signed inbound hook of `guanxi serve`")
        answers.add_argument("--surveys", type=int, default=6_000)
        answers.add_argument("--duplicates", type=float, default=0.2, help="share of replies sent twice at once")
        answers.add_argument("--concurrency", type=int, default=16)
        answers.add_argument("--workers", type=int, default=2, help="gunicorn workers of the server it starts")
        answers.add_argument("--threads", type=int, default=4)
        answers.add_argument("--port", type=int, default=8093)
        answers.add_argument("--seed", type=int, default=7)
        kas = sub.add_parser("key_accounts", help="designate 5,000 key accounts, time red-channel routing and "
                                                   "(with --base-url) the dashboards over HTTP (PostgreSQL)")
        kas.add_argument("--accounts", type=int, default=5_000)
        kas.add_argument("--cases", type=int, default=200, help="cases created with and without the router each")
        kas.add_argument("--base-url", default="", help="a running server to time the dashboard pages on")
        kas.add_argument("--requests", type=int, default=50)
        kas.add_argument("--no-prepare", action="store_true")
        launch = sub.add_parser("survey_wave_launch", help="time launching a survey wave of SMS invitations")
        launch.add_argument("--members", type=int, default=10_000)
        privacy = sub.add_parser("privacy", help="time exporting and erasing (rolled back) customers' personal data")
        privacy.add_argument("--people", type=int, default=20)
        privacy.add_argument("--seed", type=int, default=7)
        peer = sub.add_parser("peer", help="the peers' workload one request at a time: create a contact, create a "
                                           "case, the first page of open cases (p50/p95 each)")
        peer.add_argument("--base-url", default="", help="a running server (default: in-process, queries counted)")
        peer.add_argument("--requests", type=int, default=300)
        peer.add_argument("--warmup", type=int, default=20)
        peer.add_argument("--json", default="", help="also write the report to this file")
        load = sub.add_parser("load", help="Locust: agents, sales, managers and portal customers against a "
                                           "server stepped up in users; sustained req/s at p95 <= 200 ms")
        from bench.load import add_arguments as load_arguments

        load_arguments(load)
        analysis = sub.add_parser("survey_analysis", help="load survey responses and time the analysis pages' reads")
        analysis.add_argument("--responses", type=int, default=1_000_000)
        analysis.add_argument("--seed", type=int, default=11)
        analysis.add_argument("--runs", type=int, default=10)

    def handle(self, *args, action, **options):
        if action == "generate":
            self._generate(options)
        elif action == "run":
            self._run(options)
        elif action == "cases":
            self._cases(options)
        elif action == "dedupe":
            self._dedupe(options)
        elif action == "history":
            self._history(options)
        elif action == "sales":
            from bench.sales import generate_opportunities, time_analysis

            if options["opportunities"] < 1 or options["runs"] < 1:
                raise CommandError("--opportunities and --runs must be at least 1")
            result = {}
            try:
                if not options["no_load"]:
                    result["load"] = generate_opportunities(count=options["opportunities"], seed=options["seed"])
                result["analysis"] = time_analysis(runs=options["runs"])
            except RuntimeError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        elif action == "campaigns":
            from bench.campaigns import time_launch

            try:
                result = time_launch(opt_outs=options["opt_outs"])
            except RuntimeError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        elif action == "offers":
            from bench.offers import load_holdings, table_sizes, time_scoring, time_training

            result = {}
            try:
                if not options["no_load"]:
                    result["load"] = load_holdings(seed=options["seed"])
            except RuntimeError as exc:
                raise CommandError(str(exc)) from exc
            result["tables"] = table_sizes()
            result["training"] = time_training()
            result["scoring"] = time_scoring(samples=options["samples"])
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2, default=str))
        elif action == "orders":
            from bench.orders import generate_orders, time_reports

            result = {}
            if not options["no_load"]:
                try:
                    result["load"] = generate_orders(lines=options["lines"], seed=options["seed"])
                except RuntimeError as exc:
                    raise CommandError(str(exc)) from exc
            result["reports"] = time_reports(runs=options["runs"])
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2, default=str))
        elif action == "value":
            from bench.value import load_transactions, time_recompute

            if options["transactions_per_customer"] <= 0:
                raise CommandError("--transactions-per-customer must be positive")
            result = {}
            if not options["no_load"]:
                try:
                    result["load"] = load_transactions(per_customer=options["transactions_per_customer"],
                                                       seed=options["seed"])
                except RuntimeError as exc:
                    raise CommandError(str(exc)) from exc
            result["recompute"] = time_recompute()
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2, default=str))
        elif action == "import":
            from bench.imports import bench_import

            if options["rows"] < 1:
                raise CommandError("--rows must be at least 1")
            result = bench_import(rows=options["rows"], seed=options["seed"], workers=options["workers"],
                                  path=options["file"], regenerate=options["regenerate"],
                                  progress=not options["no_progress"], at_once=not options["two_steps"])
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        elif action == "tasks":
            from bench.tasks import generate_tasks

            if options["tasks"] < 3 * options["person_open"] or options["person_open"] < 1:
                raise CommandError("--tasks must hold at least three times --person-open (open and closed)")
            try:
                result = generate_tasks(tasks=options["tasks"], person_open=options["person_open"],
                                        seed=options["seed"])
            except RuntimeError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        elif action == "pool_sweep":
            from bench.pool import prepare, time_sweep

            try:
                result = {} if options["no_prepare"] else prepare(seed=options["seed"])
            except RuntimeError as exc:
                raise CommandError(str(exc)) from exc
            result.update(time_sweep(nights=max(options["daily"], 0)))
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        elif action == "survey_sample":
            from bench.surveys import time_sample

            if options["size"] < 1 or options["runs"] < 1:
                raise CommandError("--size and --runs must be at least 1")
            result = time_sample(size=options["size"], seed=options["seed"], runs=options["runs"],
                                 refresh=not options["no_refresh"], live=options["live"])
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2, default=str))
        elif action == "survey_drivers":
            from bench.surveys import time_drivers

            if options["responses"] < 1 or options["runs"] < 1:
                raise CommandError("--responses and --runs must be at least 1")
            result = time_drivers(responses=options["responses"], seed=options["seed"], runs=options["runs"])
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        elif action == "explorer":
            from bench.explorer import run as explorer_run
            from bench.explorer import run_synthetic

            if options["synthetic"]:
                result = run_synthetic(runs=options["runs"], scale=options["scale"])
            else:
                result = explorer_run(refresh=not options["no_refresh"], load=not options["no_load"],
                                      lines=options["lines"], interactions=options["interactions"],
                                      runs=options["runs"], seed=options["seed"])
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=1, default=str))
        elif action == "warehouse":
            from bench.warehouse import run as warehouse_run

            try:
                result = warehouse_run(full=not options["no_full"], interactions=options["interactions"],
                                       cases=options["cases"], lines=options["lines"],
                                       customers=options["customers"])
            except RuntimeError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        elif action == "dashboard":
            from bench.dashboard import run as dashboard_run

            try:
                result = dashboard_run(requests=max(1, options["requests"]))
            except RuntimeError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        elif action == "churn":
            from bench.churn import run as churn_run

            result = churn_run(customers=options["customers"], seed=options["seed"],
                               database=not options["no_database"])
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2, default=str))
        elif action == "workbench":
            from bench.workbench import run as workbench_run

            result = workbench_run(customers=options["customers"], seed=options["seed"], threads=options["threads"])
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2, default=str))
        elif action == "hotspot":
            from bench.hotspot import run as hotspot_run

            result = hotspot_run(cases=options["cases"], weeks=options["weeks"], seed=options["seed"],
                                 prepare=not options["no_load"])
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2, default=str))
        elif action == "survey_answers":
            self._survey_answers(options)
        elif action == "peer":
            self._peer(options)
        elif action == "load":
            from bench.load import handle as load_handle

            load_handle(self, options)
        elif action == "survey_wave_launch":
            from django.db import connection

            from bench.surveys import time_wave_launch

            if connection.vendor != "postgresql":
                raise CommandError("survey_wave_launch needs PostgreSQL (DATABASE_URL)")
            self.stdout.write(json.dumps(time_wave_launch(members=options["members"]), ensure_ascii=False, indent=2))
        elif action == "survey_analysis":
            from bench.surveys import prepare_analysis, time_analysis

            try:
                result = prepare_analysis(responses=options["responses"], seed=options["seed"])
            except RuntimeError as exc:
                raise CommandError(str(exc)) from exc
            result.update(time_analysis(runs=options["runs"]))
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2, default=str))
        elif action == "key_accounts":
            from bench import key_accounts as ka

            try:
                result = {} if options["no_prepare"] else {"prepare": ka.prepare(accounts=options["accounts"])}
            except RuntimeError as exc:
                raise CommandError(str(exc)) from exc
            result["tables"] = ka.table_sizes()
            if options["cases"]:
                result["routing"] = ka.time_routing(cases=options["cases"])
            if options["base_url"]:
                result["pages"] = ka.time_pages(base_url=options["base_url"], requests=options["requests"])
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2, default=str))
        elif action == "privacy":
            from bench.privacy import run as privacy_run

            if options["people"] < 1:
                raise CommandError("--people must be at least 1")
            self.stdout.write(json.dumps(privacy_run(people=options["people"], seed=options["seed"]),
                                         ensure_ascii=False, indent=2))
        elif action == "care":
            from bench.care import prepare as care_prepare
            from bench.care import time_runs

            try:
                result = {} if options["no_prepare"] else care_prepare()
            except RuntimeError as exc:
                raise CommandError(str(exc)) from exc
            result.update(time_runs())
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        elif action == "sweep":
            from bench.cases import sweep

            self.stdout.write(json.dumps(sweep()))
        else:
            self._all(options)

    def _cases(self, options):
        from bench.cases import generate_cases

        if not 0 <= options["open_cases"] <= options["cases"]:
            raise CommandError("--open must be between 0 and --cases")
        try:
            result = generate_cases(cases=options["cases"], open_cases=options["open_cases"], seed=options["seed"])
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result.as_dict()))

    def _history(self, options):
        from bench.history import generate_history

        if options["interactions"] < 0 or options["transactions"] < 0 or options["batch"] < 1:
            raise CommandError("--interactions and --transactions must not be negative, --batch at least 1")
        try:
            result = generate_history(interactions=options["interactions"], transactions=options["transactions"],
                                      batch=options["batch"], seed=options["seed"], processes=options["processes"],
                                      progress=not options["no_progress"])
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))

    def _dedupe(self, options):
        from bench.dedupe import run

        if options["records"] < 2 or not 0 <= options["duplicates"] < 1:
            raise CommandError("--records must be at least 2 and --duplicates a share in [0, 1)")
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        from guanxi.core.errors import DomainError

        try:
            with Progress(TextColumn("[bold]dedupe scan"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                          TimeElapsedColumn(), console=Console(stderr=True), transient=True) as bar:
                task = bar.add_task("scan", total=100)
                result = run(records=options["records"], duplicates=options["duplicates"], seed=options["seed"],
                             threshold=options["threshold"], on_progress=lambda p: bar.update(task, completed=p))
        except (DomainError, RuntimeError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))

    def _generate(self, options):
        from bench.generate import generate

        result = generate(customers=options["customers"], batch=options["batch"], seed=options["seed"],
                          progress=not options["no_progress"], processes=options["processes"],
                          keep_indexes=options["keep_indexes"])
        out = result.as_dict()
        self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))

    def _run(self, options):
        from rich.console import Console

        from bench import runner

        try:
            base_url = runner.check_loopback(options["base_url"])
            scenarios = runner.resolve_scenarios(options["scenario"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        token = options.get("token") or _bench_token()
        report = runner.run(base_url=base_url, token=token, scenarios=scenarios, requests=options["requests"],
                            concurrency=options["concurrency"])
        text = json.dumps(report, ensure_ascii=False, indent=2)
        if options["json"]:
            Path(options["json"]).parent.mkdir(parents=True, exist_ok=True)
            Path(options["json"]).write_text(text + "\n", encoding="utf-8")
        self.stdout.write(text)
        Console(stderr=True).print(runner.render_table(report))
        errors = sum(s["errors"] for s in report["scenarios"].values())
        if errors:
            self.stderr.write(f"{errors} request(s) failed (non-2xx or transport errors); see 'statuses'.")

    def _all(self, options):
        import psycopg

        db, server = options["database"], options["pg"].rstrip("/")
        url = f"{server}/{db}"
        if db == "test":
            raise CommandError("the database named 'test' belongs to the test suite")
        env = {**os.environ, "DATABASE_URL": url, "DEBUG": "False",
               "DJANGO_SETTINGS_MODULE": "config.settings.local", "LOG_LEVEL": "WARNING"}
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,)).fetchone()
            if exists and not options["keep"]:
                conn.execute(f'DROP DATABASE "{db}" WITH (FORCE)')
            if not exists or not options["keep"]:
                conn.execute(f'CREATE DATABASE "{db}"')
        guanxi = [sys.executable, "-m", "guanxi.cli"]
        subprocess.run([*guanxi, "migrate", "-v0"], env=env, check=True)
        if not (exists and options["keep"]):
            gen = [*guanxi, "bench", "generate", "--customers", str(options["customers"]),
                   "--batch", str(options["batch"]), "--seed", str(options["seed"]),
                   "--keep-indexes", options["keep_indexes"]]
            if options["processes"] is not None:
                gen += ["--processes", str(options["processes"])]
            subprocess.run(gen, env=env, check=True)
        static = Path(settings.STATIC_ROOT)
        if not static.exists():
            subprocess.run([*guanxi, "collectstatic", "--noinput", "-v0"], env=env, check=True)
        bind = f"127.0.0.1:{options['port']}"
        (Path(settings.VAR_DIR) / "bench").mkdir(parents=True, exist_ok=True)
        log = open(Path(settings.VAR_DIR) / "bench" / "server.log", "w")  # noqa: SIM115
        serve = subprocess.Popen([*guanxi, "serve", "--bind", bind, "--workers", str(options["workers"]),
                                  "--threads", str(options["threads"])], env=env, stdout=log, stderr=log)
        try:
            _wait_for(f"http://{bind}/healthz")
            run = [*guanxi, "bench", "run", "--base-url", f"http://{bind}", "--scenario", options["scenario"],
                   "--requests", str(options["requests"]), "--concurrency", str(options["concurrency"])]
            if options["json"]:
                run += ["--json", options["json"]]
            subprocess.run(run, env=env, check=True)
        finally:
            serve.terminate()
            serve.wait(timeout=30)
            log.close()

    def _peer(self, options):
        from rich.console import Console
        from rich.table import Table

        from bench import peer

        if options["requests"] < 1 or options["warmup"] < 0:
            raise CommandError("--requests must be at least 1 and --warmup not negative")
        try:
            if options["base_url"]:
                report = peer.run_http(base_url=options["base_url"], requests=options["requests"],
                                       warmup=options["warmup"])
            else:
                report = peer.run_in_process(requests=options["requests"], warmup=options["warmup"])
        except (RuntimeError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        report["tables"] = peer.table_sizes()
        report["load_average"] = os.getloadavg()
        text = json.dumps(report, ensure_ascii=False, indent=2)
        if options["json"]:
            Path(options["json"]).parent.mkdir(parents=True, exist_ok=True)
            Path(options["json"]).write_text(text + "\n", encoding="utf-8")
        self.stdout.write(text)
        table = Table(title=f"peers' workload ({report['mode']}), load average {report['load_average'][0]:.2f}")
        for column in ("operation", "requests", "errors", "queries", "p50 ms", "p95 ms", "p99 ms", "cpu p50",
                       "cpu p95"):
            table.add_column(column, justify="left" if column == "operation" else "right")
        for name, s in report["operations"].items():
            table.add_row(name, str(s["requests"]), str(s["errors"]), str(s.get("queries", "")), str(s["p50_ms"]),
                          str(s["p95_ms"]), str(s["p99_ms"]), str(s.get("cpu_p50_ms", "")),
                          str(s.get("cpu_p95_ms", "")))
        Console(stderr=True).print(table)
        errors = sum(s["errors"] for s in report["operations"].values())
        if errors:
            raise CommandError(f"{errors} request(s) failed; see 'statuses'")

    def _survey_answers(self, options):
        import secrets

        from django.db import connection

        from bench.survey_answers import run

        if connection.vendor != "postgresql":
            raise CommandError("survey_answers needs PostgreSQL (DATABASE_URL)")
        if options["surveys"] < 1 or options["concurrency"] < 1 or not 0 <= options["duplicates"] <= 1:
            raise CommandError("--surveys and --concurrency must be at least 1, --duplicates within 0..1")
        secret = secrets.token_hex(16)
        env = {**os.environ, "DEBUG": "False", "LOG_LEVEL": "WARNING", "SMS_INBOUND_SECRET": secret,
               "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.local")}
        guanxi = [sys.executable, "-m", "guanxi.cli"]
        subprocess.run([*guanxi, "migrate", "-v0"], env=env, check=True)
        if not Path(settings.STATIC_ROOT).exists():
            subprocess.run([*guanxi, "collectstatic", "--noinput", "-v0"], env=env, check=True)
        bind = f"127.0.0.1:{options['port']}"
        (Path(settings.VAR_DIR) / "bench").mkdir(parents=True, exist_ok=True)
        log = open(Path(settings.VAR_DIR) / "bench" / "survey_answers_server.log", "w")  # noqa: SIM115
        serve = subprocess.Popen([*guanxi, "serve", "--bind", bind, "--workers", str(options["workers"]),
                                  "--threads", str(options["threads"])], env=env, stdout=log, stderr=log)
        try:
            _wait_for(f"http://{bind}/healthz", seconds=300)  # workers boot slowly on a loaded machine
            result = run(surveys=options["surveys"], duplicate_share=options["duplicates"],
                         concurrency=options["concurrency"], seed=options["seed"], base_url=f"http://{bind}",
                         secret=secret)
        finally:
            serve.terminate()
            serve.wait(timeout=30)
            log.close()
        result.update(workers=options["workers"], threads=options["threads"], concurrency=options["concurrency"])
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        if result["lost"] or result["duplicates"]:
            raise CommandError(f"{result['lost']} answer(s) lost, {result['duplicates']} counted twice")


def _generate_args(parser):
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--processes", type=int, default=None,
                        help="worker processes building COPY batches on PostgreSQL (default: one per core, "
                             "at most 4; 0: none)")
    parser.add_argument("--keep-indexes", default="",
                        help="comma list of customer indexes to keep during a big load instead of rebuilding")


def _run_args(parser, with_base_url=True):
    if with_base_url:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--scenario", default="customers",
                        help="customers, search, service (after `bench cases`), tasks (after `bench tasks`), "
                             "sales (after `bench sales`), "
                             "or a comma list of "
                             "search_name, search_pinyin, search_initials, search_phone, detail, create, "
                             "queue_page, tickets_api, create_case")
    parser.add_argument("--requests", type=int, default=2000, help="timed requests per scenario")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--json", default="", help="also write the report to this file")


def _bench_token() -> str:
    from bench.generate import ensure_staff
    from guanxi.accounts.services import api_token_create

    _, raw = api_token_create(user=ensure_staff()["admin"], name=f"bench {time.strftime('%Y-%m-%d %H:%M:%S')}")
    return raw


def _wait_for(url: str, seconds: float = 60.0) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=2.0, trust_env=False)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise CommandError(f"the server did not answer at {url}")
