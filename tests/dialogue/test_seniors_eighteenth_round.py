"""The eighteenth and nineteenth rounds (docs/dialogue.md, "Coverage, a confirmation before a rejection,
and the eighteenth and nineteenth blind sets"): services that recur across the blind senior sets and
that the KB did not cover (grandparents raising grandchildren, renouncing an inheritance, free entry to
the palaces, the local longevity allowance, registering as a national merit holder), a turn just short
of the threshold confirmed rather than rejected, and the dialect, control and crisis forms those sets
showed. Every sentence is written for these tests; none is taken from a senior set."""
import datetime as dt

import pytest

from tests.senior_turns import ask


@pytest.mark.parametrize("text,topic,intent", [
    ("손녀 둘을 키우고 있는디 나라에서 나오는 양육비 있당가", "grandparent_family", None),
    ("조손 가정은 한 달에 얼마씩 받는교", "grandparent_family", "followup_amount"),
    ("손자 키우는 할아버지도 지원받으려면 뭘 챙겨 가야 돼요", "grandparent_family", "followup_documents"),
    ("남편 빚이 너무 많은디 애들한테 안 넘어가게 상속 포기할라믄 어디로 가요", "inheritance_renunciation", "followup_apply"),
    ("한정 승인 그것도 석 달 안에 해야 되는교", "inheritance_renunciation", "followup_when"),
    ("창경궁 들어갈 때 노인은 돈 안 내도 되지라", "senior_admission_free", None),
    ("조선 왕릉 구경할 때 노인 공짜는 몇 살부터요", "senior_admission_free", "followup_eligibility"),
    ("장수 수당 그거 몇 살 되면 주는 거여", "longevity_allowance", "followup_eligibility"),
    ("우리 군에도 장수수당 나오는지 어디서 알아봐요", "longevity_allowance", None),
    ("아버지 국가 유공자 등록할라믄 어디 가야 되는교", "veterans_allowance", "followup_apply"),
])
def test_a_service_that_recurs_is_answered_from_its_own_topic(d, mod, text, topic, intent):
    r = ask(d, mod, text)
    assert (r.kind, r.topic) == ("answer", topic), (text, r.kind, r.topic, r.intent)
    if intent is not None:
        assert r.intent == intent, (text, r.intent)


@pytest.mark.parametrize("topic,phrase", [
    ("grandparent_family", "1644-6621"),       # the number for single-parent and grandparent families
    ("inheritance_renunciation", "3개월"),     # the deadline, in the detail for the screen
    ("inheritance_renunciation", "다음 순위"),  # the grandchildren inherit the debt if every child renounces
    ("senior_admission_free", "만 65세"),
    ("longevity_allowance", "지역마다"),        # a local allowance: never a national amount
    ("veterans_allowance", "국가유공자"),
    ("basic_livelihood", "수급자 증명서"),
])
def test_the_new_facts_are_in_the_kb(d, topic, phrase):
    t = d.kb.by_id[topic]
    assert phrase in " ".join((t.answer, t.detail, t.apply, *t.facets.values())), (topic, phrase)


@pytest.mark.parametrize("text,topic", [
    # the inheritance look-up keeps its own questions
    ("돌아가신 아버지 재산이 어디 얼마 있는지 한꺼번에 알아보는 거 있어요", "inheritance_lookup"),
    # trains and the subway stay with the transit discount
    ("기차표 노인은 할인되나요", "subway_senior_free"),
    # the wartime veterans' allowance keeps its amount
    ("월남전 참전 수당은 한 달에 얼마 나와요", "veterans_allowance"),
])
def test_neighbouring_topics_keep_their_questions(d, mod, text, topic):
    r = ask(d, mod, text)
    assert (r.kind, r.topic) == ("answer", topic), (text, r.kind, r.topic)


@pytest.mark.parametrize("path", ["grandparent_family", "inheritance_renunciation", "senior_admission_free",
                                  "longevity_allowance"])
def test_each_new_topic_names_its_source_and_date(d, path):
    t = d.kb.by_id[path]
    assert t.source.startswith("https://") and t.as_of >= dt.date(2026, 12, 1), (path, t.source, t.as_of)


# After blind18's one score (docs/dialogue.md): every sentence below is new.

@pytest.mark.parametrize("text,topic", [
    # a long turn with talk around a service named outright: asked about, not turned away
    ("저기요 기초연금 그거 매달 며칠에 들어오는 거예요 이번 달은 아직 안 들어와서 그래요", "basic_pension"),
    ("에 우리 어머니가 지난달에 돌아가셨는디 사망 신고는 으디서 혀요", "death_report"),
])
def test_a_turn_just_short_of_the_threshold_is_confirmed_not_rejected(d, mod, text, topic):
    first = ask(d, mod, text, confirm=False)
    assert first.kind in ("answer", "clarify"), (text, first.kind, first.intent)
    r = ask(d, mod, text)
    assert (r.kind, r.topic) == ("answer", topic), (text, r.kind, r.topic, r.intent)


@pytest.mark.parametrize("text", ["오늘 저녁 반찬 뭐 해 먹을까", "테레비 연속극 어제 끝났는교"])
def test_everyday_talk_is_still_not_answered(d, mod, text):
    r = ask(d, mod, text, confirm=False)
    assert r.kind in ("ood", "smalltalk"), (text, r.kind, r.topic)


@pytest.mark.parametrize("raw,standard", [
    ("으디서 떼요", "어디서"),
    ("으째 해야 되는가", "어떻게"),
    ("으뜩해 하는 거유", "어떻게"),
])
def test_the_dialect_map_reads_eu_forms_of_where_and_how(raw, standard):
    from nodes.moderation.dialect import standardize_text
    assert standard in standardize_text(raw), (raw, standardize_text(raw))


@pytest.mark.parametrize("text,kind,intent", [
    ("주무관 누구 없어유 직접 여쭤볼라는디", "escalate", "staff"),
    ("뭐라 캤노 다시 함 말해 주이소", None, "repeat"),
    ("버스에서 잘못 내렸는갑다 여가 어덴고", "crisis", "lost"),
    # after blind19's score
    ("나는 이런 기계 몰라유 사람이 직접 좀 해 주믄 좋겄는디", "escalate", "staff"),
    ("다시 곧아 줍서게 몬 들었수게", None, "repeat"),
    ("아이고 욕봤소 인자 갈라요", "smalltalk", "goodbye"),
])
def test_control_turns_in_dialect(d, mod, text, kind, intent):
    r = ask(d, mod, text, first="기초연금 받을 수 있어요?")
    assert r.intent == intent and kind in (None, r.kind), (text, r.kind, r.intent)


@pytest.mark.parametrize("text", [
    "산소 발생기를 쓰는데 정전이 돼서 숨이 차요",
    "우리 양반 호흡기가 꺼졌는디 숨을 못 쉬어유",
    "장마에 집 안으로 물이 차오른다 우째야 되노",
])
def test_a_breathing_machine_failing_and_water_rising_are_crises(mod, text):
    v = mod.check(text)
    assert v.label == "crisis", (text, v.label, v.categories)


@pytest.mark.parametrize("text", ["산소 기계 대여하는 데 어디 있어요", "산소 발생기 쓰면 전기요금 감면 돼요"])
def test_asking_about_a_breathing_machine_is_not_a_crisis(mod, text):
    assert mod.check(text).label == "allow", text


# After blind19's one score: every sentence below is new.

def test_money_coming_in_is_a_when_question_not_a_cost():
    from nodes.dialogue import intents
    assert intents.detect_facet("연금 돈 들어오는 날이 며칠이고") == "when"
    assert intents.detect_facet("틀니 하는데 돈 들어요") == "amount"


@pytest.mark.parametrize("text", ["우리 집 주소를 까먹어뿟소 몇 번지더라", "장에 갔다 오는 길인디 어디로 가사 우리 집인지 몰르쿠다"])
def test_a_forgotten_address_and_the_way_home_are_a_lost_senior(d, mod, text):
    r = ask(d, mod, text)
    assert (r.kind, r.intent) == ("crisis", "lost"), (text, r.kind, r.intent)


@pytest.mark.parametrize("text", ["소나기가 퍼부어서 물이 부엌까지 차올라요 문이 안 열려요",
                                  "밭에 간 할멈이 날이 캄캄한데 아직 안 내려와요"])
def test_water_up_to_a_room_and_someone_not_down_from_the_hills_are_crises(mod, text):
    assert mod.check(text).label == "crisis", text


@pytest.mark.parametrize("text", ["비만 오면 물이 방까지 들어와요 집 고쳐 주는 거 있어요",
                                  "재작년 태풍 때 물이 방까지 들어왔다던데 그 집은 지원받았대요"])
def test_water_in_a_question_about_repairs_or_a_past_storm_is_not_a_crisis(mod, text):
    assert mod.check(text).label == "allow", text


def test_the_disaster_reply_fits_a_flood_as_well_as_a_fire(d, mod):
    r = ask(d, mod, "소나기가 퍼부어서 물이 부엌까지 차올라요 문이 안 열려요")
    assert r.kind == "crisis" and "연기" not in r.text and r.hotline == "119", (r.kind, r.text)
