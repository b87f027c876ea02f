"""The service desk's signals, connected in SurveysConfig.ready(): a closed case gets its survey, a
recorded repair callback becomes a phone survey. A survey that cannot be made never blocks the case:
the savepoint drops it and the refusal is logged."""

import logging

from django.db import transaction

from guanxi.core.errors import DomainError

from .services import surveys

logger = logging.getLogger("guanxi.surveys")


def survey_after_case_closed(sender, *, ticket, actor, at, **kwargs):
    try:
        with transaction.atomic():
            surveys.survey_after_case(ticket=ticket, now=at)
    except DomainError as exc:
        logger.warning("no survey for case %s: %s", ticket.pk, exc)


def survey_from_callback(sender, *, callback, actor, at, **kwargs):
    try:
        with transaction.atomic():
            surveys.survey_from_callback(callback=callback, actor=actor, at=at)
    except DomainError as exc:
        logger.warning("callback %s not recorded as a survey: %s", callback.pk, exc)
