"""The design-time checks (SPEC G.3), as properties: durations add up per mode and stay under each
mode's limit, a mode carries only the question types its respondent can give, and any listed leading
phrase in either language is flagged."""

from hypothesis import given
from hypothesis import strategies as st

from ..design import (
    LIMIT_SECONDS,
    MAX_KEY_OPTIONS,
    QuestionSpec,
    check_design,
    estimated_seconds,
    leading_phrases,
    mode_refuses,
)
from ..enums import QuestionType, SurveyMode

T = QuestionType
NEUTRAL = ["您对本次服务的满意程度如何？", "How satisfied are you with the repair?", "问题解决得及时吗？"]


def spec(kind, options=0, text="您对本次服务的满意程度如何？"):
    return QuestionSpec(type=kind, text_zh=text, dimension="overall" if kind in ("rating_5", "rating_10", "nps")
                        else "", option_count=options if kind in ("single", "multiple") else 0)


questions = st.lists(st.builds(spec, st.sampled_from(T.values), st.integers(2, 12)), min_size=1, max_size=40)


@given(questions, st.sampled_from(SurveyMode.values), st.sampled_from(T.values))
def test_one_more_question_never_shortens_a_survey(qs, mode, kind):
    assert estimated_seconds([*qs, spec(kind, 3)], mode) > estimated_seconds(qs, mode)


@given(questions, st.sampled_from(SurveyMode.values))
def test_a_version_over_its_mode_s_limit_is_refused(qs, mode):
    report = check_design(qs, [mode])
    over = report.seconds[mode] > LIMIT_SECONDS[mode]
    assert over == any("限" in e or "limit" in e for e in report.errors)


def test_phone_allows_twenty_minutes_and_not_more():
    fits = [spec("rating_5")] * ((1200 - 45) // 20)
    assert check_design(fits, ["phone"]).is_publishable
    assert not check_design([*fits, spec("rating_5")], ["phone"]).is_publishable


@given(st.sampled_from(T.values), st.integers(2, 15))
def test_ivr_carries_key_presses_and_sms_also_words(kind, options):
    question = spec(kind, options)
    choice = kind in ("single", "multiple")
    key_press = kind in ("rating_5", "rating_10", "nps") or (choice and options <= MAX_KEY_OPTIONS)
    assert mode_refuses(question, "ivr") is not key_press
    assert mode_refuses(question, "sms") is not (key_press or kind == "text")
    assert not mode_refuses(question, "web") and not mode_refuses(question, "phone")


def test_sms_takes_at_most_five_questions():
    assert check_design([spec("rating_5")] * 4, ["sms"]).is_publishable
    assert not check_design([spec("rating_5")] * 6, ["sms"]).is_publishable


@given(st.sampled_from(leading_phrases()), st.text(max_size=20), st.text(max_size=20), st.booleans())
def test_any_listed_leading_phrase_is_flagged(phrase, before, after, english):
    text = before + phrase.upper() + after if english else before + phrase + after
    q = QuestionSpec(type="rating_5", text_zh=NEUTRAL[0], text_en=text, dimension="overall")
    report = check_design([q], ["web"])
    assert report.warnings and report.is_publishable


@given(st.lists(st.sampled_from(NEUTRAL), min_size=1, max_size=5))
def test_neutral_wording_passes(texts):
    report = check_design([spec("rating_5", text=t) for t in texts], ["web", "phone", "ivr"])
    assert report.warnings == [] and report.errors == []


def test_the_seed_examples_are_flagged():
    for text in ("您一定很满意我们的服务吧？", "难道不是很快吗？", "Fast, don't you agree?", "Wouldn't you say so?"):
        assert check_design([spec("rating_5", text=text)], ["web"]).warnings, text


def test_ratings_need_a_dimension_and_choices_need_options():
    report = check_design([QuestionSpec(type="rating_5", text_zh="满意吗"), spec("single", 1)], ["web"])
    assert len(report.errors) == 2
