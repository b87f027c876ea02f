"""Design-time checks of a questionnaire version (SPEC G.3), pure functions of its questions.

- Duration: seconds per question type per mode (reading or listening, then answering), plus a fixed
  opening per mode; over the mode's limit is an error. Limits: phone 20 minutes (the SPEC's bound),
  IVR 3 minutes (callers hang up on long menus), SMS 2 minutes and at most 5 questions (one
  message exchange each), web and e-mail 10 minutes, a third-party interview 20 minutes.
- Types: a mode carries only what its respondent can give — IVR key presses (ratings, NPS as
  digits then #, single and multiple choice with at most 9 options, one key per option; free text
  is not possible), SMS a digit or a word (ratings, NPS, single and multiple choice with at most 9
  options, free text as a word reply); web, e-mail, phone and third party everything.
- Wording: a phrase of the maintained list `data/leading_phrases.txt` in either language is a
  warning (leading or suggestive wording), as are a rating without a dimension and a choice
  without options (errors).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _

from .enums import CHOICE_TYPES, SCORED_TYPES, QuestionType, SurveyMode

T, M = QuestionType, SurveyMode
# Seconds to put and answer one question of each type, per mode.
SECONDS = {
    M.WEB: {T.RATING_5: 8, T.RATING_10: 10, T.NPS: 10, T.SINGLE: 12, T.MULTIPLE: 18, T.TEXT: 60},
    M.EMAIL: {T.RATING_5: 8, T.RATING_10: 10, T.NPS: 10, T.SINGLE: 12, T.MULTIPLE: 18, T.TEXT: 60},
    M.SMS: {T.RATING_5: 25, T.RATING_10: 25, T.NPS: 25, T.SINGLE: 30, T.MULTIPLE: 35, T.TEXT: 45},
    M.IVR: {T.RATING_5: 15, T.RATING_10: 18, T.NPS: 18, T.SINGLE: 20, T.MULTIPLE: 30},
    M.PHONE: {T.RATING_5: 20, T.RATING_10: 25, T.NPS: 25, T.SINGLE: 30, T.MULTIPLE: 45, T.TEXT: 90},
    M.THIRD_PARTY: {T.RATING_5: 20, T.RATING_10: 25, T.NPS: 25, T.SINGLE: 30, T.MULTIPLE: 45, T.TEXT: 90},
}
OPENING_SECONDS = {M.WEB: 10, M.EMAIL: 10, M.SMS: 0, M.IVR: 20, M.PHONE: 45, M.THIRD_PARTY: 60}
LIMIT_SECONDS = {M.WEB: 600, M.EMAIL: 600, M.SMS: 120, M.IVR: 180, M.PHONE: 1200, M.THIRD_PARTY: 1200}
MAX_QUESTIONS = {M.SMS: 5}
MAX_KEY_OPTIONS = 9  # keys 1–9 on a phone pad (IVR) or one digit in a reply (SMS)
LEADING_PHRASES_FILE = Path(__file__).with_name("data") / "leading_phrases.txt"


@dataclass(frozen=True)
class QuestionSpec:
    type: str
    text_zh: str
    text_en: str = ""
    dimension: str = ""
    option_count: int = 0


@dataclass
class DesignReport:
    """Seconds per mode, and the problems: errors refuse publishing, warnings must be accepted."""

    seconds: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def is_publishable(self) -> bool:
        return not self.errors


@cache
def leading_phrases() -> tuple[str, ...]:
    lines = LEADING_PHRASES_FILE.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


def leading_phrases_in(text: str) -> list[str]:
    """The listed leading phrases found in `text` (case-insensitive)."""
    folded = (text or "").casefold()
    return [phrase for phrase in leading_phrases() if phrase in folded]


def estimated_seconds(questions: list[QuestionSpec], mode: str) -> int:
    """How long a respondent needs in `mode`; a type the mode cannot carry counts as on the phone."""
    table = SECONDS[mode]
    return OPENING_SECONDS[mode] + sum(table.get(q.type, SECONDS[M.PHONE][q.type]) for q in questions)


def mode_refuses(question: QuestionSpec, mode: str) -> bool:
    """Whether `mode` cannot carry the question (see the module's note)."""
    if question.type not in SECONDS[mode]:
        return True
    return mode in (M.IVR, M.SMS) and question.type in CHOICE_TYPES and question.option_count > MAX_KEY_OPTIONS


def _minutes(seconds: int) -> str:
    return f"{seconds / 60:.1f}"


def _question_problems(number: int, q: QuestionSpec, report: DesignReport) -> None:
    if q.type in SCORED_TYPES and not q.dimension:
        report.errors.append(_("Question %(n)d: a rating must measure a dimension.") % {"n": number})
    if q.type in CHOICE_TYPES and q.option_count < 2:
        report.errors.append(_("Question %(n)d: a choice needs at least two options.") % {"n": number})
    found = leading_phrases_in(q.text_zh) + leading_phrases_in(q.text_en)
    if found:
        report.warnings.append(_("Question %(n)d: leading wording (%(phrases)s); ask neutrally.") % {
            "n": number, "phrases": "、".join(dict.fromkeys(found))})


def check_design(questions: list[QuestionSpec], modes: list[str]) -> DesignReport:
    """Every check of a version meant for `modes`."""
    report = DesignReport()
    if not questions:
        report.errors.append(_("The questionnaire has no questions."))
    if not modes:
        report.errors.append(_("Choose at least one survey mode."))
    for number, q in enumerate(questions, 1):
        _question_problems(number, q, report)
    for mode in modes:
        label = M(mode).label
        seconds = report.seconds[mode] = estimated_seconds(questions, mode)
        if seconds > LIMIT_SECONDS[mode]:
            report.errors.append(_("%(mode)s: about %(minutes)s minutes, over the limit of %(limit)s minutes.") % {
                "mode": label, "minutes": _minutes(seconds), "limit": _minutes(LIMIT_SECONDS[mode])})
        if len(questions) > MAX_QUESTIONS.get(mode, len(questions)):
            report.errors.append(_("%(mode)s: at most %(count)d questions.") % {
                "mode": label, "count": MAX_QUESTIONS[mode]})
        for number, q in enumerate(questions, 1):
            if mode_refuses(q, mode):
                report.errors.append(_("%(mode)s cannot carry question %(n)d (%(type)s).") % {
                    "mode": label, "n": number, "type": T(q.type).label})
    return report
