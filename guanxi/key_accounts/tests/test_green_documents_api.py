"""Green-channel documents through the API: a step's required document is uploaded (multipart) to the
step in progress, listed (paged to the end) and downloaded only through the permission-checked API path,
never from a media URL; bad input (a name the step does not need, another type, an empty or too large
file, a step not in progress) is refused with a 4xx and nothing stored; another manager's process is
refused (403) and an unknown or foreign document is not found (404)."""

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.testing import assert_error_body, client_for, rows_of

from ..models import GreenDocument, GreenStep
from ..services import MAX_DOCUMENT_BYTES, green_document_upload
from .test_green_api_pages import NOW, world  # noqa: F401 - the fixture

PDF = b"%PDF-1.4 minutes of the visit"


def upload(client: Client, process, step, name="拜访纪要", content=PDF, filename="纪要.pdf"):
    return client.post(
        f"/api/v1/green-channel/{process.pk}/steps/{step.pk}/documents",
        {"name": name, "file": SimpleUploadedFile(filename, content, content_type="application/pdf")},
    )


def first_step(process):
    return GreenStep.objects.get(process=process, position=1)


def test_a_document_is_uploaded_listed_and_downloaded_through_the_api(world):  # noqa: F811
    client, process = client_for(world["first"]), world["processes"]["mine"]
    step = first_step(process)
    with time_machine.travel(NOW, tick=False):
        made = upload(client, process, step)
    assert made.status_code == 201, made.content
    body = made.json()
    document = GreenDocument.objects.get()
    assert body["id"] == document.pk and body["name"] == "拜访纪要" and body["file_name"] == "纪要.pdf"
    assert body["size"] == len(PDF) and body["uploaded_by"] == world["first"].pk and body["step"] == step.pk
    assert body["download"] == f"/api/v1/green-channel/{process.pk}/documents/{document.pk}/file"
    assert "media" not in body["download"] and "纪要" not in document.file.name  # stored under a random name
    listing = client.get(f"/api/v1/green-channel/{process.pk}/documents").json()
    assert [d["id"] for d in listing["items"]] == [document.pk] and listing["next_cursor"] is None
    assert client.get(f"/api/v1/green-channel/{process.pk}/documents", {"step": step.pk}).json()["items"]
    download = client.get(body["download"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    detail = client.get(f"/api/v1/green-channel/{process.pk}").json()
    assert detail["steps"][0]["documents"] == ["拜访纪要"]


def test_the_document_list_is_paged_to_its_end(world, admin):  # noqa: F811
    process = world["processes"]["mine"]
    step = first_step(process)
    made = [
        green_document_upload(actor=admin, step=step, name="拜访纪要", upload=SimpleUploadedFile(f"{n}.pdf", PDF)).pk
        for n in range(5)
    ]
    client, seen, cursor = client_for(world["first"]), [], ""
    while True:
        body = client.get(f"/api/v1/green-channel/{process.pk}/documents", {"limit": 2, "cursor": cursor}).json()
        seen += [d["id"] for d in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == made


def test_bad_uploads_are_refused_and_nothing_is_stored(world):  # noqa: F811
    client, process = client_for(world["first"]), world["processes"]["mine"]
    step = first_step(process)
    before = rows_of("key_accounts")
    cases = [
        (upload(client, process, step, name="营业执照"), 422, "name"),  # not a document this step needs
        (upload(client, process, step, filename="run.exe", content=b"MZ"), 422, "file"),
        (upload(client, process, step, content=b""), 422, "file"),
        (upload(client, process, step, content=b"x" * (MAX_DOCUMENT_BYTES + 1)), 422, "file"),
        (upload(client, process, GreenStep.objects.get(process=process, position=2)), 409, None),  # not started
        (client.post(f"/api/v1/green-channel/{process.pk}/steps/{step.pk}/documents", {"name": "拜访纪要"}), 422, None),
    ]
    for response, status, field in cases:
        assert_error_body(response, status, field)
    assert "允许" in cases[1][0].json()["fields"]["file"] and "10 MB" in cases[3][0].json()["fields"]["file"]
    assert "文件为空" in cases[2][0].json()["fields"]["file"]
    assert rows_of("key_accounts") == before
    assert not GreenDocument.objects.exists()


def test_another_managers_documents_are_refused_and_foreign_ones_not_found(world, admin):  # noqa: F811
    client = client_for(world["first"])
    theirs, mine = world["processes"]["theirs"], world["processes"]["mine"]
    secret = green_document_upload(
        actor=admin, step=first_step(theirs), name="拜访纪要", upload=SimpleUploadedFile("机密.pdf", b"%PDF secret")
    )
    before = rows_of("key_accounts")
    for response in (
        client.get(f"/api/v1/green-channel/{theirs.pk}/documents"),
        client.get(f"/api/v1/green-channel/{theirs.pk}/documents/{secret.pk}/file"),
        upload(client, theirs, first_step(theirs)),
    ):
        body = assert_error_body(response, 403)
        assert "其他客户经理" in body["message"]
    # asked for under one's own process, another's document does not exist there
    assert_error_body(client.get(f"/api/v1/green-channel/{mine.pk}/documents/{secret.pk}/file"), 404)
    assert_error_body(client.get(f"/api/v1/green-channel/{mine.pk}/documents/999999/file"), 404)
    assert_error_body(client.get("/api/v1/green-channel/999999/documents"), 404)
    assert_error_body(client.get(f"/api/v1/green-channel/{mine.pk}/documents", {"step": first_step(theirs).pk}), 404)
    assert rows_of("key_accounts") == before
    # a reader of every process (service manager) downloads but does not upload
    reader = client_for(UserFactory(role=Role.SERVICE_MANAGER))
    assert reader.get(f"/api/v1/green-channel/{theirs.pk}/documents/{secret.pk}/file").status_code == 200
    assert_error_body(upload(reader, theirs, first_step(theirs)), 403)
    assert_error_body(client_for(UserFactory(role=Role.AGENT)).get(f"/api/v1/green-channel/{theirs.pk}/documents"), 403)
    assert GreenDocument.objects.count() == 1


def test_the_refusal_is_in_the_language_of_the_request(world):  # noqa: F811
    theirs = world["processes"]["theirs"]
    english = client_for(world["first"], HTTP_ACCEPT_LANGUAGE="en").get(f"/api/v1/green-channel/{theirs.pk}/documents")
    chinese = client_for(world["first"], HTTP_ACCEPT_LANGUAGE="zh-hans").get(f"/api/v1/green-channel/{theirs.pk}")
    assert "managed by someone else" in assert_error_body(english, 403)["message"]
    assert "其他客户经理" in assert_error_body(chinese, 403)["message"]
