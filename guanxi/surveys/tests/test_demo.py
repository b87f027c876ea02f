"""The surveys demo: a published questionnaire and answered surveys on the closed demo cases, in
which overall satisfaction follows timeliness and attitude, and an improvement action."""

import datetime as dt
import io

import pandas as pd
import pytest
import time_machine
from django.core.management import call_command

from guanxi.core import demo
from guanxi.servicedesk.demo.tickets import service_demo_load

from .. import selectors
from ..demo import surveys_demo_load
from ..models import Answer, ImprovementAction, Survey, SurveyWave

pytestmark = [pytest.mark.django_db, pytest.mark.demo]


def test_the_demo_answers_surveys_on_closed_cases_with_visible_drivers(monkeypatch):
    monkeypatch.setattr(demo, "DEMO_STEPS", [service_demo_load, surveys_demo_load])
    out = io.StringIO()
    with time_machine.travel(dt.datetime(2026, 6, 30, 12, tzinfo=dt.timezone(dt.timedelta(hours=8)))):
        call_command("demo", "--customers", "400", "--seed", "5", stdout=out)
    assert "answered surveys" in out.getvalue()
    surveys = Survey.objects.filter(wave_id__isnull=True).select_related("ticket")
    assert surveys.exists() and all(s.ticket.status == "closed" and s.sent_at >= s.ticket.closed_at for s in surveys)
    rows = pd.DataFrame(Answer.objects.filter(dimension__in=["overall", "timeliness", "price_value"],
                                              question__type="rating_5", response__survey__wave_id__isnull=True)
                        .values("response_id", "dimension", "score"))
    wide = rows.pivot(index="response_id", columns="dimension", values="score")
    assert len(wide) >= 20
    assert wide["overall"].corr(wide["timeliness"]) > 0.4
    assert abs(wide["overall"].corr(wide["price_value"])) < wide["overall"].corr(wide["timeliness"])
    assert ImprovementAction.objects.count() == 1
    waves = {w.status: w for w in SurveyWave.objects.all()}
    assert set(waves) == {"closed", "running"}
    for wave in waves.values():
        rates = selectors.wave_rates(wave)
        assert rates[-1]["sent"] == wave.sample_size and 0 < rates[-1]["answered"] < rates[-1]["sent"]
