"""Helpers every app's tests share: an API client signed in with a token, JSON posts and the error body,
and the machinery of every app's permission matrix (`test_permissions.py`).

It is test support, not product: it reaches up into `accounts` to sign users in (the one import out of
`core` that the import-linter contracts allow). The `admin` fixture that goes with it lives in the root
`conftest.py`.
"""

import json
from collections.abc import Callable, Iterable

import pytest
from django.test import Client


def client_for(user, **headers) -> Client:
    """A client that calls the API with a fresh bearer token of `user`."""
    from guanxi.accounts.services import api_token_create

    _, raw = api_token_create(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", **headers)


def post_json(client: Client, url: str, body, **extra):
    """POST `body` as JSON (a str or bytes body is sent as it is, to test malformed input)."""
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json", **extra)


def assert_error_body(response, status: int, field: str | None = None) -> dict:
    """The response is an error of `status` in the API's one error shape, naming `field` if given."""
    assert response.status_code == status, response.content  # nosec B101  # test support: assertions are its checks
    body = response.json()
    extra = {"current_version", "changes"} if body.get("code") == "version_conflict" else set()
    assert set(body) == {"code", "message", "fields"} | extra, body  # nosec B101  # test support: assertions are its checks
    if field:
        assert field in body["fields"], body  # nosec B101  # test support: assertions are its checks
    return body


def rows_of(*app_labels: str, models=()) -> dict:
    """Every row of every table of these apps (and of `models`), in key order: what a refused call must
    leave exactly as it was (audit history included)."""
    from django.apps import apps
    from django.db import connection

    tables = [m for label in app_labels for m in apps.get_app_config(label).get_models()] + list(models)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:  # plain SQL: the matrices take hundreds of these snapshots
        rows = {}
        for model in tables:
            cursor.execute(f"SELECT * FROM {quote(model._meta.db_table)} ORDER BY {quote(model._meta.pk.column)}")  # nosec B608  # names from the models
            rows[model._meta.label] = cursor.fetchall()
    return rows


# ---------------------------------------------------------------- permission matrices
# Each app's test_permissions.py builds a world, names who may call each service and endpoint, and
# checks every role against it with these: allowed calls work, refused ones change nothing that
# `state()` (usually `rows_of` the app's tables) reads.


def assert_refused(call: Callable[[], object], state: Callable[[], dict], errors) -> None:
    """`call()` raises `errors` and leaves `state()` as it was."""
    before = state()
    with pytest.raises(errors):
        call()
    assert state() == before  # nosec B101  # test support: assertions are its checks


def check_service(call: Callable[[], object], *, allowed: bool, state: Callable[[], dict], errors) -> None:
    """An allowed call works; a refused one raises `errors` and changes nothing."""
    if allowed:
        call()
    else:
        assert_refused(call, state, errors)


def nobodies(*others) -> tuple:
    """Callers that may do nothing: no actor, a deactivated administrator, and `others`."""
    from guanxi.accounts.enums import Role
    from guanxi.accounts.tests.factories import UserFactory

    return (None, UserFactory(role=Role.ADMIN, is_active=False), *others)


def assert_nobody_may(call: Callable[[object], object], state: Callable[[], dict], errors,
                      callers: Iterable | None = None) -> None:
    """Every one of `callers` (default: `nobodies()`) is refused with `errors`; nothing changes."""
    callers = nobodies() if callers is None else callers
    before = state()
    for nobody in callers:
        with pytest.raises(errors):
            call(nobody)
    assert state() == before  # nosec B101  # test support: assertions are its checks


def endpoint_call(client: Client, method: str, url: str, body=None):
    """One request of an endpoint matrix: a JSON body for post, put and patch; none for get and delete."""
    if method == "post":
        return post_json(client, url, body)
    if method in ("get", "delete"):
        return getattr(client, method)(url)
    return getattr(client, method)(url, data=body, content_type="application/json")


def check_endpoint(client: Client, method: str, url: str, body=None, *, allowed: bool, state: Callable[[], dict],
                   refused: tuple[int, ...] = (403, 404)) -> None:
    """An allowed caller gets a 2xx; a refused one a status in `refused`, and nothing changes."""
    before = state()
    response = endpoint_call(client, method, url, body)
    if allowed:
        assert response.status_code in (200, 201, 204), response.content  # nosec B101  # test support: assertions are its checks
    else:
        assert response.status_code in refused, (response.status_code, response.content)  # nosec B101  # test support: assertions are its checks
        assert state() == before  # nosec B101  # test support: assertions are its checks


def race(calls: list[Callable[[], object]]) -> list[str]:
    """Run each call in its own thread and database connection, all let go at once (PostgreSQL
    tests with `transaction=True`): "won" for each call that returned, the code of each DomainError,
    the class name and message of any other exception (a deadlock shows as OperationalError)."""
    import threading

    from django.db import connections

    from .errors import DomainError

    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("won")
        except DomainError as exc:
            outcomes.append(exc.code)
        except Exception as exc:  # noqa: BLE001 - the outcome under test
            outcomes.append(f"{type(exc).__name__}: {exc}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
