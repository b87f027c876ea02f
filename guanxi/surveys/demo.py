"""Demo data of the surveys: the post-case questionnaire (published through the services), answered
surveys on the demo's closed cases in which the drivers are visible — overall satisfaction moves with
timeliness (the case's time to resolve) and service attitude (the agent who owned it), much less with
the rest — a few unanswered or expired ones, and an improvement action on timeliness whose effect
shows in the scores after it started."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.servicedesk.enums import TicketStatus
from guanxi.servicedesk.models import Ticket

from .analysis import snapshot
from .enums import Dimension, Purpose, QuestionType, SurveyMode, SurveyStatus, SurveyTrigger
from .models import Answer, ImprovementAction, Survey, SurveyResponse
from .services.actions import action_create
from .services.questionnaires import questionnaire_create, version_create, version_publish

D, T = Dimension, QuestionType
QUESTIONS = [
    {"type": T.RATING_5, "dimension": D.OVERALL, "text_zh": "总体而言，您对本次服务的满意程度如何？",
     "text_en": "Overall, how satisfied are you with this service?"},
    {"type": T.RATING_5, "dimension": D.TIMELINESS, "text_zh": "您如何评价问题解决的及时性？",
     "text_en": "How do you rate how quickly the problem was solved?"},
    {"type": T.RATING_5, "dimension": D.SERVICE_ATTITUDE, "text_zh": "您如何评价服务人员的态度？",
     "text_en": "How do you rate the staff's attitude?"},
    {"type": T.RATING_5, "dimension": D.SERVICE_QUALITY, "text_zh": "您如何评价问题解决的质量？",
     "text_en": "How do you rate the quality of the solution?"},
    {"type": T.RATING_5, "dimension": D.PRICE_VALUE, "text_zh": "您如何评价我们服务的性价比？",
     "text_en": "How do you rate the value for money of our service?"},
    {"type": T.NPS, "dimension": D.OVERALL, "text_zh": "您有多大可能向亲友推荐我们？",
     "text_en": "How likely are you to recommend us to friends and family?"},
    {"type": T.SINGLE, "text_zh": "您是通过哪种方式联系我们的？", "text_en": "How did you contact us?",
     "options": [{"value": "phone", "zh": "电话", "en": "Phone"}, {"value": "web", "zh": "网站", "en": "Web"},
                 {"value": "store", "zh": "营业厅", "en": "Store"}]},
    {"type": T.TEXT, "text_zh": "您还有什么意见或建议？", "text_en": "Anything else you would like to tell us?",
     "is_required": False},
]
ANSWER_RATE = 0.55
ACTION_DAYS_AGO = 90
COMMENTS = ["上门很及时，谢谢", "等待时间太长了", "客服态度很好", "希望流程再简化一些", "问题解决得很彻底"]


def _clamp(value: float, lo: int = 1, hi: int = 5) -> int:
    return max(lo, min(hi, round(value)))


def _scores(rng: random.Random, ticket: Ticket, attitude_of: dict, improved: bool) -> dict[str, int]:
    """Dimension ratings driven by the case: timeliness by hours to resolve, attitude by its owner."""
    hours = max(1.0, (ticket.resolved_at - ticket.created_at).total_seconds() / 3600) if ticket.resolved_at else 72
    timeliness = 5.2 - min(3.5, hours / 24) + (0.5 if improved else 0) - 0.6 * ticket.reopen_count
    attitude = attitude_of.get(ticket.owner_id, 4.0)
    quality = 4.0 - 0.8 * ticket.reopen_count
    price = 3.6
    noise = [rng.gauss(0, 0.6) for _ in range(5)]
    t, a, q, p = (_clamp(v + n) for v, n in zip((timeliness, attitude, quality, price), noise, strict=False))
    overall = _clamp(0.5 * t + 0.35 * a + 0.1 * q + 0.05 * p + noise[4] * 0.5)
    return {"overall": overall, "timeliness": t, "attitude": a, "quality": q, "price": p}


def surveys_demo_load(*, seed: int, scale: float, staff, customers: list[int], now: dt.datetime | None = None) -> str:
    rng = random.Random(seed + 110)  # nosec B311  # demo/sample data, not security: seeded random for repeatable demo figures
    now = now or timezone.now()
    questionnaire = questionnaire_create(actor=SYSTEM, code="HF-01", name="服务满意度回访",
                                         purpose=Purpose.POST_CASE)
    version = version_create(actor=SYSTEM, questionnaire=questionnaire, data={
        "title_zh": "服务满意度调查", "title_en": "Service satisfaction survey", "modes": [SurveyMode.WEB,
                                                                                     SurveyMode.PHONE],
        "intro_zh": "感谢您抽出一分钟时间评价我们的服务。", "intro_en": "Thank you for rating our service.",
        "questions": QUESTIONS})
    version_publish(actor=SYSTEM, version=version)
    questions = list(version.questions.order_by("order"))
    agents = [*staff.by_role(Role.AGENT), *staff.by_role(Role.TEAM_LEAD)]
    attitude_of = {u.pk: rng.uniform(3.0, 4.8) for u in agents}
    action_start = now - dt.timedelta(days=ACTION_DAYS_AGO)
    closed = (Ticket.objects.filter(status=TicketStatus.CLOSED, customer__isnull=False, closed_at__lte=now,
                                    closed_at__gte=now - dt.timedelta(days=365), surveys__isnull=True)
              .order_by("closed_at", "id"))
    answered = unanswered = 0
    for ticket in closed:
        sent = ticket.closed_at + dt.timedelta(minutes=rng.randint(5, 120))
        if sent >= now:
            continue
        is_answered = rng.random() < ANSWER_RATE
        at = sent + dt.timedelta(hours=rng.uniform(0.2, 48))
        is_answered = is_answered and at < now
        expires = sent + dt.timedelta(days=14)
        status = SurveyStatus.EXPIRED if expires <= now else SurveyStatus.SENT
        status = SurveyStatus.ANSWERED if is_answered else status
        survey = Survey.objects.create(version=version, customer_id=ticket.customer_id, ticket=ticket,
                                       mode=SurveyMode.WEB, trigger=SurveyTrigger.POST_CASE, status=status,
                                       sent_at=sent, expires_at=expires, answered_at=at if is_answered else None)
        if not is_answered:
            unanswered += 1
            continue
        answered += 1
        s = _scores(rng, ticket, attitude_of, improved=ticket.closed_at >= action_start)
        nps = max(0, min(10, round(s["overall"] * 2 + rng.gauss(0, 1.2))))
        raw = [s["overall"], s["timeliness"], s["attitude"], s["quality"], s["price"], nps,
               rng.choice(["phone", "phone", "web", "store"]),
               rng.choice(COMMENTS) if rng.random() < 0.2 else ""]
        response = SurveyResponse.objects.create(survey=survey, answered_at=at, mode=SurveyMode.WEB)
        Answer.objects.bulk_create([
            Answer(response=response, question=q, raw=value, answered_at=at,
                   score=float(value) if q.type in (T.RATING_5, T.NPS) else None,
                   score_pct=(value - 1) * 25.0 if q.type == T.RATING_5 else value * 10.0 if q.type == T.NPS else None,
                   dimension=q.dimension if q.type in (T.RATING_5, T.NPS) else "")
            for q, value in zip(questions, raw, strict=True) if value != ""])
    managers = staff.by_role(Role.SERVICE_MANAGER)
    if managers:
        action = action_create(actor=SYSTEM, data={
            "title": "缩短故障上门与修复时间", "dimension": D.TIMELINESS, "owner": managers[0],
            "due_date": (action_start + dt.timedelta(days=60)).date(),
            "notes": "回访显示及时性是总体满意度的主要驱动因素：增加夜间工单派工，上门时限由48小时缩短到24小时。"})
        ImprovementAction.objects.filter(pk=action.pk).update(created_at=action_start)
    waves = _demo_waves(rng, now=now, customers=len(customers))
    snapshot.rebuild()  # the answers above were stored directly, not through the answering services
    return (f"1 questionnaire, {answered} answered surveys, {unanswered} unanswered, 1 improvement action, "
            f"{waves}")


WAVE_ANSWER_RATE = {"individual": 0.55, "organisation": 0.35}


def _demo_waves(rng: random.Random, *, now: dt.datetime, customers: int) -> str:
    """The half-yearly satisfaction survey: last half-year's wave finished (launched, reminded, closed),
    this half-year's running since four days; organisations answer less often than individuals, so the
    response rates differ by stratum."""
    from .services.surveys import survey_answer_by_phone, survey_answer_by_token, survey_token
    from .services.waves import wave_close, wave_create, wave_draw, wave_launch

    size = min(200, customers // 5)
    if size < 10:
        return "no survey waves (too few customers)"
    questionnaire = questionnaire_create(actor=SYSTEM, code="MY-HY", name="半年度客户满意度调查",
                                         purpose=Purpose.WAVE)
    version = version_create(actor=SYSTEM, questionnaire=questionnaire, data={
        "title_zh": "半年度客户满意度调查", "title_en": "Half-yearly customer satisfaction survey",
        "modes": [SurveyMode.WEB, SurveyMode.PHONE], "intro_zh": "感谢您参与本次客户满意度调查。",
        "intro_en": "Thank you for taking part in our satisfaction survey.", "questions": QUESTIONS[:7]})
    version = version_publish(actor=SYSTEM, version=version)
    answered = 0
    for name, days_ago, seed, finished in (("上半年客户满意度调查", 190, 2601, True),
                                            ("下半年客户满意度调查", 4, 2602, False)):
        launched = now - dt.timedelta(days=days_ago)
        wave = wave_create(actor=SYSTEM, name=name, version=version, mode=SurveyMode.WEB, sample_size=size,
                           seed=seed, dimensions=["customer_type", "arpu_band"], quiet_days=0, reminder_count=2,
                           reminder_interval_days=3)
        wave = wave_launch(actor=SYSTEM, wave=wave_draw(actor=SYSTEM, wave=wave, now=launched), now=launched)
        for member in wave.members.select_related("survey").order_by("id"):
            kind = member.stratum.split("|")[0]
            at = launched + dt.timedelta(hours=rng.uniform(1, 24 * (10 if finished else 3.5)))
            if at >= now or rng.random() >= WAVE_ANSWER_RATE.get(kind, 0.45):
                continue
            overall = _clamp(rng.gauss(3.9, 0.8))
            answers = {1: overall, 2: _clamp(overall + rng.gauss(-0.2, 0.7)), 3: _clamp(overall + rng.gauss(0.2, 0.6)),
                       4: _clamp(overall + rng.gauss(0, 0.7)), 5: _clamp(rng.gauss(3.5, 0.8)),
                       6: max(0, min(10, round(overall * 2 + rng.gauss(0, 1.2)))),
                       7: rng.choice(["phone", "web", "store"])}
            if at > now - dt.timedelta(days=10):  # a live link
                survey_answer_by_token(token=survey_token(member.survey), answers=answers, now=at)
            else:  # the link has expired since: the answers as recorded at the time
                survey_answer_by_phone(actor=SYSTEM, survey=member.survey, answers=answers, at=at)
            answered += 1
        if finished:
            wave_close(actor=SYSTEM, wave=wave, now=launched + dt.timedelta(days=30))
    return f"2 survey waves ({answered} answers)"
