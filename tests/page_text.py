"""Find the pages of the UI and what a person reads on them: the helpers of the zh-Hans page test.

The list of pages comes from the URL resolver, so a page added later is rendered too; a URL
parameter this module cannot fill makes the test fail until a sample is added to SAMPLES.
"""

import html
import re
from dataclasses import dataclass

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Namespaces of the product's pages; the admin site, the API and the language switch are not pages of it.
SKIPPED_NAMESPACES = {"admin", "api-v1"}
SKIPPED_NAMES = {"set_language", "logout", "portal:logout", "healthz"}

# Where a sample value of each URL parameter comes from: (app label, model, field[, filter]).
SAMPLES = {
    "customer_id": ("customers", "Customer", "pk"),
    "figure": "revenue",  # an executive dashboard figure (analytics), named by its key
    "candidate_id": ("customers", "MatchCandidate", "pk"),
    "merge_id": ("customers", "CustomerMerge", "pk"),
    "job_id": ("customers", "ImportJob", "pk", {"target": "customers"}),
    "lead_import_id": ("customers", "ImportJob", "pk", {"target": "leads"}),
    "segment_id": ("segments", "Segment", "pk"),
    "ticket_id": ("servicedesk", "Ticket", "pk"),
    "message_id": ("servicedesk", "TicketMessage", "pk"),
    "category_id": ("servicedesk", "TicketCategory", "pk"),
    "article_id": ("servicedesk", "Article", "pk"),
    "callback_id": ("servicedesk", "Callback", "pk"),
    "commitment_id": ("servicedesk", "Commitment", "pk"),
    "decision_id": ("warranty", "WarrantyDecision", "pk"),
    "product_id": ("catalog", "Product", "pk"),
    "serial": ("warranty", "SerialNumber", "serial"),
    "token_id": ("accounts", "ApiToken", "pk"),
    "task_id": ("tasks", "Task", "pk"),
    "lead_id": ("marketing", "Lead", "pk"),
    "slug": ("marketing", "WebForm", "slug"),
    "opportunity_id": ("sales", "Opportunity", "pk"),
    "rule_id": ("pool", "PoolRule", "pk"),
    "retention_rule_id": ("privacy", "RetentionRule", "pk"),
    "order_id": ("orders", "Order", "pk"),
    "contract_id": ("orders", "Contract", "pk"),
    "payment_id": ("orders", "Payment", "pk"),
    "campaign_id": ("marketing", "Campaign", "pk"),
    "expense_id": ("marketing", "CampaignExpense", "pk"),
    "opt_out_id": ("marketing", "MarketingOptOut", "pk"),
    "token": ("marketing", "CampaignMember", "pk"),  # not a valid unsubscribe token: the page says so
    "partner_id": ("accounts", "Team", "pk", {"kind": "partner"}),
    "web_form_id": ("marketing", "WebForm", "pk"),
    "survey_id": ("surveys", "Survey", "pk"),
    "questionnaire_id": ("surveys", "Questionnaire", "pk"),
    "version_id": ("surveys", "QuestionnaireVersion", "pk"),
    "key_account_id": ("key_accounts", "KeyAccount", "pk"),
    "process_id": ("key_accounts", "GreenProcess", "pk"),
    "green_document_id": ("key_accounts", "GreenDocument", "pk"),
    "green_template_id": ("key_accounts", "GreenTemplate", "pk"),
    "wave_id": ("surveys", "SurveyWave", "pk"),
    "explorer_view_id": ("analytics", "ExplorerView", "pk"),  # POST only (delete): the GET is refused (405)
    "analysis_id": ("analytics", "MiningAnalysis", "pk", {"status": "done"}),
    "assessment_id": ("analytics", "QualityAssessment", "pk"),
    "subscription_id": ("analytics", "ReportSubscription", "pk"),
    "delivery_id": ("analytics", "ReportDelivery", "pk"),
    "file_id": ("analytics", "ReportFile", "pk"),
    "red_rule_id": ("key_accounts", "RedChannelRule", "pk"),
    "wave_action": "close",  # POST only: the GET is refused (405) and skipped
    "improvement_action_id": ("surveys", "ImprovementAction", "pk"),
    "care_rule_id": ("care", "CareRule", "pk"),
    "care_action_id": ("care", "CareAction", "pk", {"task__isnull": False}),
    "sales_expense_id": ("sales", "SalesExpense", "pk"),
    "setting_kind": "stages",
    "setting_id": ("sales", "OpportunityStage", "pk"),
    "request_id": "1",  # POST only (a privacy request's review and execution): the GET is refused (405)
}

# Words that are not English prose: brands, units, codes, file formats, and the demo's own data.
ALLOWED_WORDS = {
    "guanxi", "sla", "api", "csv", "xlsx", "xls", "utf", "gbk", "pos", "ivr", "cti", "vip", "arpu", "rfm",
    "clv", "abc", "kpi", "nps", "sms", "wechat", "alipay", "qq", "email", "html", "json", "http", "https",
    "url", "pdf", "crm", "bg", "nbd", "roi", "aaa", "id", "usd", "cny", "rmb", "kb", "mb", "gb", "imei", "sim",
    "pinyin", "www", "com", "cn", "net", "org", "demo", "admin", "bearer", "token", "gx", "ninja", "ok", "auc",
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
}
# Scripts and styles are not read; a textarea holds data being edited (a definition in JSON), not the UI's words.
TAGS_WITHOUT_TEXT = re.compile(r"<(script|style|template|noscript|textarea)\b.*?</\1\s*>", re.S | re.I)
# Text marked as English on purpose (a questionnaire's English wording shown beside the Chinese).
MARKED_ENGLISH = re.compile(r"<(\w+)\b[^>]*\blang=\"en\"[^>]*>.*?</\1\s*>", re.S)
TAG = re.compile(r"<[^>]+>")
WORD = re.compile(r"(?<![A-Za-z0-9_@./-])[A-Za-z][A-Za-z']{2,}(?![A-Za-z0-9_@])")
ISO_MICROSECONDS = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d\.\d+")


@dataclass(frozen=True)
class Page:
    name: str
    url: str


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(p for p in (namespace, entry.namespace) if p)
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            yield from _patterns(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), prefix + str(entry.pattern), entry


# Where a parameter name means another record in one namespace's pages; a plain string is the value itself.
NAMESPACE_SAMPLES = {
    "surveys_public": {"survey_token": "not-a-survey-token"},  # the page says the link is not valid
}


def _sample_spec(name: str, parameter: str):
    namespace = name.rpartition(":")[0]
    spec = NAMESPACE_SAMPLES.get(namespace, {}).get(parameter) or SAMPLES.get(parameter)
    if spec is None:
        raise KeyError(f"page {name} takes {parameter!r}: add a sample for it to SAMPLES")
    return spec


def sample_value(spec):
    """A value from the database (the first row of `spec`), or None when there is no such row."""
    if isinstance(spec, str):
        return spec
    app_label, model_name, field, *where = spec
    model = apps.get_model(app_label, model_name)
    rows = model._default_manager.filter(**(where[0] if where else {}))
    return rows.order_by("pk").values_list(field, flat=True).first()


def ui_pages(samples: dict | None = None) -> tuple[list[Page], list[str]]:
    """Every named page of the UI with sample ids filled in (`samples` first, e.g. the portal
    customer's own case), and the names that had no sample row."""
    pages, unfilled = [], []
    for name, _route, entry in _patterns(get_resolver()):
        if name in SKIPPED_NAMES:
            continue
        converters = entry.pattern.converters
        kwargs = {}
        for parameter in converters:
            kwargs[parameter] = (samples or {}).get(parameter) or sample_value(_sample_spec(name, parameter))
        if any(value is None for value in kwargs.values()):
            unfilled.append(name)
            continue
        pages.append(Page(name, reverse(name, kwargs=kwargs)))
    return pages, unfilled


def visible_text(markup: str) -> str:
    """What a person reads: no scripts, styles, tags or form data; the attributes people (or their
    screen readers) read (placeholder, title, aria-label, alt) are kept."""
    markup = MARKED_ENGLISH.sub(" ", TAGS_WITHOUT_TEXT.sub(" ", markup))
    read = " ".join(re.findall(r'\b(?:placeholder|title|aria-label|alt)="([^"]*)"', markup))
    return html.unescape(TAG.sub(" ", markup) + " " + read)


def english_words(text: str, allowed: set[str]) -> set[str]:
    """Words of three or more Latin letters that are not on the allow-list (case-insensitive)."""
    return {w for w in WORD.findall(text) if w.lower().strip("'") not in allowed}


def raw_values(text: str, values: set[str]) -> set[str]:
    """Choice values (`in_progress`, `new`…) standing alone in the text."""
    tokens = set(re.findall(r"[A-Za-z_]+", text))
    return tokens & values
