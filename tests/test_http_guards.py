"""What an outsider meets at the HTTP level: the API's own error body in every settings, 401 rather
than a CSRF refusal without credentials, size limits checked before a body is read, a CSP without
inline scripts, no caching of pages and API answers, and one log line per refusal."""

import io
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from guanxi.accounts.enums import Role
from guanxi.accounts.services import api_token_create
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.management.commands.serve import gunicorn_command, served_settings
from guanxi.core.testing_http import debug_urlconf

pytestmark = pytest.mark.django_db
ERROR_KEYS = {"code", "message", "fields"}


def token_client(user) -> Client:
    _, raw = api_token_create(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == ERROR_KEYS and body["code"] == code, body


class ExplodingBody(io.RawIOBase):
    """A request body that must never be read."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


# --- DEBUG leaks --------------------------------------------------------------------------------

@pytest.mark.parametrize("debug", [False, True])
def test_an_api_bug_answers_500_in_the_api_shape_without_a_traceback(debug, monkeypatch, settings):
    from guanxi.accounts import selectors

    def broken(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(selectors, "api_token_list", broken)
    settings.DEBUG = debug
    client = token_client(UserFactory())
    response = client.get("/api/v1/tokens")
    assert_error(response, 500, "server_error")
    assert b"secret internals" not in response.content and b"Traceback" not in response.content


def test_unknown_api_paths_answer_the_json_404_even_with_debug_on():
    client = token_client(UserFactory())
    with debug_urlconf():
        for path in ("/api/v1/no-such-thing", "/api/v2/customers", "/api/"):
            response = client.get(path)
            assert_error(response, 404, "not_found")
            assert b"urlpatterns" not in response.content and b"URLconf" not in response.content
        assert_error(Client().post("/api/v1/no-such-thing"), 404, "not_found")


def test_serve_never_runs_the_development_settings():
    assert served_settings("config.settings.local") == "config.settings.serve"
    assert served_settings("") == "config.settings.serve"
    assert served_settings("config.settings.production") == "config.settings.production"
    assert "--limit-request-line" in gunicorn_command(bind="127.0.0.1:1", workers=1, threads=1)


def test_production_settings_pass_the_deploy_check_and_take_secrets_only_from_the_environment():
    unset = {"SECRET_KEY", "DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}  # the last: set by browser tests
    environ = {k: v for k, v in os.environ.items() if k not in unset}
    environ |= {"DJANGO_SETTINGS_MODULE": "config.settings.production", "ALLOWED_HOSTS": "crm.example.com"}
    check = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    missing = subprocess.run(check, env=environ, capture_output=True, text=True, cwd=django_settings.BASE_DIR)
    assert missing.returncode != 0 and "SECRET_KEY" in missing.stderr  # no default secret to fall back on
    done = subprocess.run(check, env={**environ, "SECRET_KEY": "x" * 20 + "-production-only-Aa1!" * 3},
                          capture_output=True, text=True, cwd=django_settings.BASE_DIR)
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


def _served_settings(tmp_path, **env) -> dict:
    code = ("import json, config.settings.serve as s; "
            "print(json.dumps({'debug': s.DEBUG, 'key': s.SECRET_KEY}))")
    environ = {**os.environ, "DEBUG": "1", "SECRET_KEY_FILE": str(tmp_path / "secret_key"), **env}
    environ.pop("SECRET_KEY", None)
    done = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True,
                          cwd=django_settings.BASE_DIR)
    return json.loads(done.stdout)


def test_served_settings_have_debug_off_and_a_generated_secret_kept_between_starts(tmp_path):
    first = _served_settings(tmp_path)
    second = _served_settings(tmp_path)
    assert first["debug"] is False  # even with DEBUG=1 in the environment
    assert first["key"] == second["key"] and len(first["key"]) >= 50
    assert "insecure" not in first["key"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_workers_starting_together_all_get_the_one_generated_secret(tmp_path):
    # Every write of a file is slowed down, so that each worker finds the others' files mid-write.
    slow = ("import os, time; _fdopen = os.fdopen; "
            "os.fdopen = lambda *a, **k: (time.sleep(0.4), _fdopen(*a, **k))[1]; "
            "import config.settings.serve as s; print(s.SECRET_KEY)")
    environ = {**os.environ, "SECRET_KEY_FILE": str(tmp_path / "secret_key")}
    environ.pop("SECRET_KEY", None)
    workers = [subprocess.Popen([sys.executable, "-c", slow], env=environ, stdout=subprocess.PIPE, text=True,
                                cwd=django_settings.BASE_DIR) for _ in range(4)]
    keys = {worker.communicate(timeout=60)[0].strip() for worker in workers}
    assert len(keys) == 1 and len(keys.pop()) >= 50
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no draft left behind


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_as_served_answers_long_urls_and_unknown_api_paths_in_json(tmp_path):
    port = _free_port()
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.serve", "SECRET_KEY_FILE":
               str(tmp_path / "key"), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "DEBUG": "1"}
    server = subprocess.Popen(gunicorn_command(bind=f"127.0.0.1:{port}", workers=1, threads=1), env=environ,
                              cwd=django_settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                httpx.get(f"{base}/api/v1/x", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        long_url = httpx.get(f"{base}/api/v1/customers?q={'x' * 20_000}", timeout=10)
        assert long_url.status_code == 414 and long_url.json()["code"] == "uri_too_long"
        unknown = httpx.get(f"{base}/api/v1/no-such-thing", timeout=10)
        assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
    finally:
        server.terminate()
        server.wait(timeout=30)


# --- 401, not a CSRF refusal ----------------------------------------------------------------------

def test_writes_without_credentials_or_with_a_bad_token_get_401():
    body = json.dumps({"kind": "individual", "name": "张三"})
    anonymous = Client(enforce_csrf_checks=True)  # as a real client: the test client skips CSRF checks
    assert_error(anonymous.post("/api/v1/customers", body, content_type="application/json"), 401, "unauthenticated")
    bad = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION="Bearer gx_made_up")
    assert_error(bad.post("/api/v1/customers", body, content_type="application/json"), 401, "unauthenticated")
    assert_error(bad.delete("/api/v1/tokens/1"), 401, "unauthenticated")


def test_session_writes_need_the_csrf_token():
    user = UserFactory(role=Role.ADMIN)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    body = json.dumps({"name": "cli"})
    assert_error(client.post("/api/v1/tokens", body, content_type="application/json"), 403, "csrf_failed")
    client.get("/accounts/profile/")  # the page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    created = client.post("/api/v1/tokens", body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert created.status_code == 201, created.content


def test_over_long_urls_get_414_in_the_api_shape_and_a_page_otherwise():
    client = token_client(UserFactory())
    assert_error(client.get("/api/v1/customers", {"q": "x" * 9000}), 414, "uri_too_long")
    page = Client().get("/customers/", {"q": "x" * 9000})
    assert page.status_code == 414 and page["Content-Type"].startswith("text/html")


# --- request bodies capped on the declared length ------------------------------------------------

@pytest.fixture
def agent_case(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    agent = UserFactory(role=Role.AGENT)
    client = token_client(agent)
    case = client.post("/api/v1/tickets", json.dumps({"subject": "发票", "type": "query", "channel": "email"}),
                       content_type="application/json").json()
    return agent, client, case


def test_an_oversized_attachment_is_refused_on_its_declared_length_before_it_is_read(agent_case, tmp_path):
    agent, client, case = agent_case
    response = client.post(f"/api/v1/tickets/{case['id']}/attachments", content_type="multipart/form-data; boundary=x",
                           data=b"", CONTENT_LENGTH=str(284 * 1024 * 1024), **{"wsgi.input": ExplodingBody()})
    assert_error(response, 413, "payload_too_large")
    assert not any(tmp_path.rglob("*")), "nothing may be written"

    page = Client()
    page.force_login(agent)
    refused = page.post(f"/service/{case['id']}/messages/", content_type="multipart/form-data; boundary=x", data=b"",
                        CONTENT_LENGTH=str(284 * 1024 * 1024), **{"wsgi.input": ExplodingBody()})
    assert refused.status_code == 413 and "MB" in refused.content.decode()


def test_chunked_uploads_without_a_length_are_refused(agent_case):
    _, client, case = agent_case
    response = client.post(f"/api/v1/tickets/{case['id']}/attachments", content_type="multipart/form-data; boundary=x",
                           data=b"", CONTENT_LENGTH="", HTTP_TRANSFER_ENCODING="chunked",
                           **{"wsgi.input": ExplodingBody()})
    assert_error(response, 411, "length_required")


def test_customer_imports_keep_their_larger_limit(agent_case, settings):
    settings.REQUEST_BODY_MAX_BYTES = 2048  # smaller than the file below
    admin = token_client(UserFactory(role=Role.ADMIN))
    rows = "".join(f"客户{i},individual,+86138{i:08d}\n" for i in range(100))
    upload = SimpleUploadedFile("c.csv", ("姓名,类型,手机\n" + rows).encode(), content_type="text/csv")
    imported = admin.post("/api/v1/customers/imports", {"file": upload, "dry_run": "true"})
    assert imported.status_code == 202, imported.content
    _, client, case = agent_case
    photo = SimpleUploadedFile("a.txt", b"x" * 4096, content_type="text/plain")
    attached = client.post(f"/api/v1/tickets/{case['id']}/attachments", {"body": "b", "file": photo})
    assert_error(attached, 413, "payload_too_large")


# --- CSP and caching --------------------------------------------------------------------------------

ROOT = Path(django_settings.BASE_DIR)
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("guanxi/*/templates")]


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for folder in TEMPLATE_DIRS:
        for template in folder.rglob("*.html"):
            text = template.read_text()
            for tag in re.findall(r"<script\b[^>]*>", text):
                if "src=" not in tag:
                    offenders.append(f"{template.name}: {tag}")
            offenders += [f"{template.name}: {m}" for m in re.findall(r"\son[a-z]+\s*=", text)]
            offenders += [f"{template.name}: javascript:" for _ in re.findall(r"javascript:", text)]
    assert offenders == []


def test_pages_and_api_answers_carry_a_csp_and_are_never_stored():
    user = UserFactory(role=Role.ADMIN)
    page = Client()
    page.force_login(user)
    home = page.get("/")
    assert home.status_code == 200
    policy = home["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert script_src.split() == ["'self'"]
    assert "no-store" in home["Cache-Control"]
    assert "no-store" in Client().get("/accounts/login/")["Cache-Control"]
    api = token_client(user).get("/api/v1/me")
    assert api.status_code == 200 and "no-store" in api["Cache-Control"]
    assert "no-store" in Client().get("/api/v1/me")["Cache-Control"]


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_static_files_keep_their_caching():
    response = Client().get("/static/js/guanxi.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# --- one log line per refusal -------------------------------------------------------------------

def test_a_refused_page_or_request_is_logged_as_one_line(caplog):
    agent = UserFactory(role=Role.AGENT)
    page = Client()
    page.force_login(agent)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert page.get("/service/attainment/").status_code == 403
        assert page.get("/service/999999/").status_code == 404
        assert Client().get("/api/v1/me").status_code == 401
        attainment = {"since": "2026-01-01", "until": "2026-02-01"}
        assert token_client(agent).get("/api/v1/service-standards/attainment", attainment).status_code == 403
        assert Client().post("/api/v1/cti/events", "{}", content_type="application/json").status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    lines = [r.getMessage() for r in records]
    assert lines == [
        f"refused GET /service/attainment/ user={agent.pk} status=403 code=forbidden",
        f"refused GET /service/999999/ user={agent.pk} status=404 code=not_found",
        "refused GET /api/v1/me user=- status=401 code=unauthenticated",
        f"refused GET /api/v1/service-standards/attainment user={agent.pk} status=403 code=forbidden",
        "refused POST /api/v1/cti/events user=- status=403 code=cti_disabled",
    ]
    assert all(r.exc_info is None for r in records)
    assert "Traceback" not in caplog.text
