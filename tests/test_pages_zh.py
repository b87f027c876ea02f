"""Every page of the UI, rendered in Simplified Chinese for an administrator, an agent and a
portal customer over the demo company, reads in Chinese: no untranslated English, no raw choice
values, no machine timestamps. The pages come from the URL resolver (tests/page_text.py), so a
page added later is checked from its first day."""

import io
import re

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import models, transaction
from django.test import Client
from page_text import ALLOWED_WORDS, ISO_MICROSECONDS, english_words, raw_values, ui_pages, visible_text

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.models import User
from guanxi.accounts.services import api_token_create
from guanxi.customers.models import Customer
from guanxi.customers.services.imports import import_job_create
from guanxi.customers.services.merging import customer_merge
from guanxi.marketing.services.imports import lead_import_start
from guanxi.portal.models import PortalAccount
from guanxi.portal.services import portal_account_create
from guanxi.portal.session import SESSION_ACCOUNT_KEY, SESSION_HASH_KEY, _auth_hash
from guanxi.servicedesk.models import Ticket

# Words people read as they are in a Chinese UI: the language switch's "English", the API token
# header and the keys of a segment definition in JSON (match, all, any, rules, field, op, value),
# shown as code.
ALLOWED = ALLOWED_WORDS | {"english", "authorization", "match", "all", "any", "rules", "field", "value"}
# What people typed (the demo's data): names, subjects, articles, messages, products.
DATA_FIELDS = [
    ("customers", "Customer", ("name", "invoice_title")), ("customers", "Contact", ("name", "title", "notes")),
    ("customers", "ContactPoint", ("value", "label")), ("customers", "Interaction", ("subject", "content")),
    ("customers", "Transaction", ("description",)), ("customers", "Brand", ("name",)),
    ("customers", "Tag", ("name",)), ("customers", "Holding", ("product", "category")),
    ("servicedesk", "Ticket", ("subject", "description")), ("servicedesk", "TicketMessage", ("body",)),
    ("servicedesk", "Article", ("title", "body")), ("servicedesk", "KnowledgeCategory", ("name",)),
    ("servicedesk", "TicketCategory", ("name",)), ("servicedesk", "ServiceStandard", ("name",)),
    ("catalog", "Product", ("name", "brand", "model_code", "description")), ("catalog", "Part", ("name", "code")),
    ("catalog", "Category", ("name",)), ("accounts", "ApiToken", ("name",)),
    ("tasks", "Task", ("subject", "outcome")),
    ("marketing", "Lead", ("person_name", "company_name", "interest", "source_detail", "need")),
    ("marketing", "WebForm", ("title", "intro")),
    ("marketing", "Campaign", ("name", "objective", "message_text", "message_subject")),
    ("marketing", "CampaignExpense", ("description",)),
    ("sales", "Opportunity", ("name", "source", "reason_note")), ("sales", "Competitor", ("name", "note")),
    ("orders", "Order", ("number", "note", "cancel_reason")), ("orders", "Contract", ("number", "title")),
    ("orders", "Payment", ("number", "note")), ("orders", "Refund", ("reason",)),
]
PORTAL_PARAMETERS = {"ticket_id"}


def _data_words() -> set[str]:
    """Latin words in what people typed into the demo company (e.g. WiFi in an article, a name)."""
    words = set()
    for app_label, model_name, names in DATA_FIELDS:
        model = apps.get_model(app_label, model_name)
        for row in model._default_manager.values_list(*names):
            words |= {w.lower() for value in row if value for w in re.findall(r"[A-Za-z']+", str(value))}
    return words


def _choice_values() -> set[str]:
    """Stored choice values that look like words (`in_progress`, `pending_customer`…)."""
    values = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.Field) and field.choices:
                values |= {str(v) for v, _ in field.flatchoices if isinstance(v, str) and "_" in v}
    return values


@pytest.fixture(scope="module")
def demo_company(django_db_setup, django_db_blocker):
    """The demo company with an import job, an API token, a merge and a portal account, rolled back
    after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", "--customers", "120", "--seed", "11", stdout=io.StringIO())
        admin = User.objects.get(username="admin")
        import_job_create(actor=admin, upload=SimpleUploadedFile(
            "客户.csv", "姓名,手机\n张三,13800138000\n".encode()), original_name="客户.csv")
        lead_import_start(actor=admin, upload=SimpleUploadedFile(
            "线索.csv", "姓名,手机,邮箱\n王芳,13800138000,\n王芳,13800138000,\n李雷,12,\n".encode()))
        api_token_create(user=admin, name="集成")
        survivor, merged = Customer.objects.alive().order_by("-id")[:2]
        customer_merge(survivor=survivor, merged=merged, actor=admin)
        if not PortalAccount.objects.exists():
            ticket = Ticket.objects.filter(customer__isnull=False).order_by("id").first()
            portal_account_create(actor=SYSTEM, customer=ticket.customer, password="Portal-demo-2026!")
        yield
        transaction.set_rollback(True)


def _staff_client(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(username=username))
    return client


def _portal_client() -> tuple[Client, dict]:
    account = PortalAccount.objects.select_related("customer").get()
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    session = client.session
    session[SESSION_ACCOUNT_KEY], session[SESSION_HASH_KEY] = account.pk, _auth_hash(account)
    session.save()
    ticket = Ticket.objects.filter(customer=account.customer).order_by("id").first()
    return client, {"ticket_id": ticket.pk}


def _problems(client: Client, pages) -> tuple[dict, list]:
    """What each page that renders shows in English, raw values or timestamps, and the pages that did."""
    choice_values, allowed = _choice_values(), ALLOWED | _data_words()
    problems, rendered = {}, []
    for page in pages:
        response = client.get(page.url)
        assert response.status_code < 500, (page.url, response.status_code)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue  # a form's POST target, a download, or a page this role may not see
        rendered.append(page.name)
        text = visible_text(response.content.decode())
        found = sorted(english_words(text, allowed)) + sorted(raw_values(text, choice_values))
        found += ISO_MICROSECONDS.findall(text) + (["+00:00"] if "+00:00" in text else [])
        if found:
            problems[page.url] = found
    return problems, rendered


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["admin", "agent1"])
def test_every_staff_page_reads_in_chinese(demo_company, username):
    pages, unfilled = ui_pages()
    assert unfilled == [], f"no sample row for {unfilled}: add one to the demo_company fixture"
    staff_pages = [p for p in pages if not p.name.startswith("portal:")]
    problems, rendered = _problems(_staff_client(username), staff_pages)
    assert problems == {}
    assert {"customers:detail", "servicedesk:detail", "servicedesk:queue", "warranty:decision",
            "segments:detail", "catalog:list", "catalog:detail"} <= set(rendered)
    if username == "admin":
        assert len(rendered) >= 25 and "offers:models" in rendered


@pytest.mark.django_db
def test_every_portal_page_reads_in_chinese(demo_company):
    client, samples = _portal_client()
    pages, _ = ui_pages(samples=samples)
    problems, rendered = _problems(client, [p for p in pages if p.name.startswith("portal:")])
    assert problems == {}
    assert {"portal:home", "portal:ticket_list", "portal:ticket_detail", "portal:warranty"} <= set(rendered)


def test_the_checks_catch_english_raw_values_and_timestamps():
    text = visible_text('<p title="Save">客户 <b>new</b> in_progress 2026-11-20 19:13:16.573899+00:00</p>'
                        '<script>var English = 1;</script><textarea>{"match": "all"}</textarea>')
    assert english_words(text, ALLOWED) == {"Save", "new"}
    assert raw_values(text, {"in_progress"}) == {"in_progress"}
    assert ISO_MICROSECONDS.findall(text)
