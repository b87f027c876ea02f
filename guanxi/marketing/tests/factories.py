from guanxi.accounts.access import SYSTEM

from ..services.leads import lead_create, web_form_create


def make_lead(actor=SYSTEM, **data):
    """A lead captured through the service, as every real one is (the pool unless `owner` is given)."""
    data.setdefault("person_name", "李娜")
    if not any(data.get(k) for k in ("mobile", "phone", "email")):
        data.setdefault("mobile", "13912345678")
    owner = data.pop("owner", "default")
    source = data.pop("source", "manual")
    campaign = data.pop("campaign", None)
    return lead_create(actor=actor, data=data, source=source, owner=owner, campaign=campaign)


def make_web_form(slug="contact", **kwargs):
    kwargs.setdefault("title", "官网咨询")
    return web_form_create(actor=SYSTEM, slug=slug, **kwargs)
