"""Helpers every app's tests share: an API client signed in with a token, JSON posts and the error body.

It is test support, not product: it reaches up into `accounts` to sign users in (the one import out of
`core` that the import-linter contracts allow). The `admin` fixture that goes with it lives in the root
`conftest.py`.
"""

import json

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
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    if field:
        assert field in body["fields"], body
    return body


def rows_of(*app_labels: str, models=()) -> dict:
    """Every row of every table of these apps (and of `models`), in key order: what a refused call must
    leave exactly as it was (audit history included)."""
    from django.apps import apps

    tables = [m for label in app_labels for m in apps.get_app_config(label).get_models()] + list(models)
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in tables}
