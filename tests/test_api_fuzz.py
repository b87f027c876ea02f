"""The API fuzzer: Schemathesis sends generated requests to every operation of /api/v1/openapi.json.

Each operation is one test (`test_api_as_admin[POST /api/v1/tickets]`), with a bounded number of
generated requests, valid and invalid, from an administrator's token and again, with fewer, from an
agent's. Every answer must be no 5xx, a status code the schema lists, and a body that matches the
schema of that status (errors: `ErrorOut`). The schema is walked when the module is collected, so an
operation added later is fuzzed from its first day.

The data: the demo company (small) loaded once per module and rolled back at its end; path
parameters named `<thing>_id` are drawn half the time from the ids of the model called <thing>
(`ticket_id` → Ticket, `job_id` → ImportJob), other path parameters from the model field of that
name (`serial` → SerialNumber.serial), so requests reach real rows too. Half the generated requests
carry one text PostgreSQL cannot store (a NUL, or a +16:00 offset in a datetime): always a 4xx.

Runs are reproducible: a fixed seed per operation, derandomized Hypothesis, no example database,
the clock pinned. On failure pytest prints the operation, the request (with a curl line to replay
it) and the response.

It runs in every suite run (marked `fuzz`, not `browser`), split between the databases so that CI's
two passes stay within its time. The administrator, whose requests write most: on PostgreSQL, the
production database, each operation's schema examples, Schemathesis' coverage cases (every boundary
the schema defines) and generated requests; on SQLite the examples and coverage cases. The agent,
whose requests are mostly refused or scoped (rules that do not depend on the database): everything,
on SQLite, where a request costs less. `FUZZ_FULL=1` runs both roles whole on either
database. Run it alone, with more generated requests per operation (default 8 as admin, 3 as agent):

    FUZZ_FULL=1 FUZZ_EXAMPLES=200 .venv/bin/python -m pytest -p no:xdist -m fuzz
    FUZZ_FULL=1 FUZZ_EXAMPLES=50 .venv/bin/python -m pytest -p no:xdist tests/test_api_fuzz.py -k "tickets and POST"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_fuzz .venv/bin/python -m pytest -p no:xdist \
        tests/test_api_fuzz.py

`FUZZ_SEED` changes the seed (to look further than the pinned run).
"""

import datetime as dt
import io
import os
import re

import pytest
import schemathesis
import time_machine
from django.apps import apps
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections, connection, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.core.transport import HTTP_METHODS_SCHEMA
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.pytest._test_builder import build_operation_test
from schemathesis.python._constants.orchestrator import make_constants_value_source

from config.wsgi import application
from guanxi.accounts.enums import Role
from guanxi.accounts.models import User
from guanxi.accounts.services import api_token_create

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

ON_SQLITE = connection.vendor == "sqlite"
FULL = bool(os.environ.get("FUZZ_FULL"))
ADMIN_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
AGENT_EXAMPLES = max(1, ADMIN_EXAMPLES * 3 // 8)
SEED = int(os.environ.get("FUZZ_SEED", "20261204"))
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
DEMO_CUSTOMERS = 40
CHECKS = [schemathesis.checks.not_a_server_error, schemathesis.checks.status_code_conformance,
          schemathesis.checks.response_schema_conformance]

# Real values for path parameters, filled by the `world` fixture before the first request.
REAL_PATH_VALUES: dict[str, list] = {}
TOKENS: dict[str, str] = {}


def _schema(max_examples: int, *, generated: bool):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    schema.config.generation.update(max_examples=max_examples, deterministic=True, database="none",
                                    modes=["positive", "negative"])
    schema.config.seed = SEED
    if not generated:
        schema.config.phases.update(phases=["examples", "coverage"])

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        """Half the time a real id (or serial) for each parameter that has real values."""
        strategies = {
            name: st.one_of(st.just(value), st.sampled_from(REAL_PATH_VALUES[name]))
            if REAL_PATH_VALUES.get(name) else st.just(value)
            for name, value in (path_parameters or {}).items()
        }
        return st.fixed_dictionaries(strategies)

    @schema.hook
    def flatmap_case(context, case):
        """Half the examples carry one poisoned text; the API must refuse it with a 4xx, never a 500."""
        return st.one_of(st.none(), st.integers(min_value=0, max_value=1_000)).map(
            lambda choice: poisoned(case, choice))

    return schema


admin_schema = _schema(ADMIN_EXAMPLES, generated=FULL or not ON_SQLITE)
agent_schema = _schema(AGENT_EXAMPLES, generated=True)


def _models_by_name() -> dict[str, type]:
    return {model._meta.model_name: model for model in apps.get_models()
            if not model._meta.model_name.startswith("historical")}


def _model_for(word: str, models: dict[str, type]):
    """`ticket` → Ticket; `article` → Article; `serial` → SerialNumber: the model of that name, else the
    shortest whose name starts or ends with the word."""
    word = word.replace("_", "")
    if word in models:
        return models[word]
    near = sorted((name for name in models if name.endswith(word) or name.startswith(word)), key=len)
    return models[near[0]] if near else None


def _path_parameters() -> set[str]:
    document = admin_schema.raw_schema
    return {name for path in document["paths"] for name in re.findall(r"{(\w+)}", path)}


def _real_values(parameter: str, models: dict[str, type]) -> list:
    """Up to 20 values that exist: pks for `<thing>_id`, else the field of that name (`serial`)."""
    word, field = (parameter.removesuffix("_id"), "pk") if parameter.endswith("_id") else (parameter, parameter)
    model = _model_for(word, models)
    if model is None or (field != "pk" and field not in {f.name for f in model._meta.fields}):
        return []
    return sorted(model.objects.order_by(field).values_list(field, flat=True)[:20])


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo company, loaded once for this module inside a transaction that is rolled back at its
    end; each test runs in a savepoint inside it."""
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=True):
        atomic = transaction.atomic()
        atomic.__enter__()
        # As Django's test client does: a request must not close the connection holding the test's
        # transaction (it would on PostgreSQL, where the connection is not in memory).
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            call_command("demo", customers=DEMO_CUSTOMERS, seed=42, stdout=io.StringIO())
            for role in (Role.ADMIN, Role.AGENT):
                user = User.objects.filter(role=role, is_active=True).order_by("pk").first()
                api_token_create(user=user, name="spare")  # a token the fuzzer may revoke
                TOKENS[role] = api_token_create(user=user, name="fuzz")[1]
            models = _models_by_name()
            REAL_PATH_VALUES.update({name: _real_values(name, models) for name in _path_parameters()})
            yield
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            REAL_PATH_VALUES.clear()
            TOKENS.clear()


_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(?:[Zz]|[+-]\d{2}:?\d{2})?")


def _text_slots(container) -> list[tuple]:
    """(container, key) of every text in a query, path parameters or a JSON/form body."""
    items = container.items() if isinstance(container, dict) else enumerate(container) \
        if isinstance(container, list) else ()
    slots = []
    for key, value in items:
        if isinstance(value, str):
            slots.append((container, key))
        else:
            slots.extend(_text_slots(value))
    return slots


def poisoned(case, choice: int | None):
    """The case with its text number `choice` (of query, path parameters and body) made into what
    PostgreSQL cannot store: a NUL character in it, or, in a datetime, a time-zone offset of +16:00."""
    slots = [slot for part in (case.query, case.path_parameters, case.body) for slot in _text_slots(part or {})]
    if choice is None or not slots:
        return case
    container, key = slots[choice % len(slots)]
    value = container[key]
    match = _DATETIME.fullmatch(value)
    container[key] = f"{match[1]}+16:00" if match else value[:1] + "\x00" + value[1:]
    return case


@pytest.fixture
def pinned_clock(world):
    with time_machine.travel(NOW, tick=True):
        yield


# Each test's database savepoint and clock are shared by its examples on purpose: state grows.
FIXTURES_SHARED = settings(suppress_health_check=list(HealthCheck))
OPERATIONS = [f"{method.upper()} {path}" for path, operations in admin_schema.raw_schema["paths"].items()
              for method in operations if method in HTTP_METHODS_SCHEMA]


def fuzz(schema, label: str, role: str) -> None:
    """Build the operation's Hypothesis test (its examples, coverage cases and generated requests) and
    run it. Built here, when the test runs, rather than by `schema.parametrize()` when tests are
    collected: that built every operation's coverage cases in every worker, 30 s each, to run a share.
    The builder is the one Schemathesis' pytest plugin uses (a private module; the version is pinned)."""
    operation = schema.find_operation_by_label(label)

    @FIXTURES_SHARED
    def call(case):
        case.call_and_validate(headers={"Authorization": f"Bearer {TOKENS[role]}"}, checks=CHECKS)

    feedback = FeedbackSources(constants_value_source=make_constants_value_source(schema))
    build_operation_test(config=schema.config, operation=operation, test_func=call, given_kwargs={},
                         feedback=feedback)()


@pytest.mark.parametrize("label", OPERATIONS)
def test_api_as_admin(label, pinned_clock):
    fuzz(admin_schema, label, Role.ADMIN)


@pytest.mark.skipif(not (FULL or ON_SQLITE), reason="the agent's fuzz runs on SQLite (FUZZ_FULL=1: here too)")
@pytest.mark.parametrize("label", OPERATIONS)
def test_api_as_agent(label, pinned_clock):
    fuzz(agent_schema, label, Role.AGENT)


def test_every_operation_documents_the_error_responses_with_the_error_body():
    document = admin_schema.raw_schema
    error = document["components"]["schemas"]["ErrorOut"]
    # A 409 version_conflict adds what changed (guanxi.core.versioning); every other error has the three.
    assert set(error["properties"]) == {"code", "message", "fields", "current_version", "changes"}
    assert set(error["required"]) == {"code", "message"} and "VersionChangeOut" in document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status in ("400", "401", "403", "404", "409", "413", "422"):
                content = operation["responses"][status]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, status)
