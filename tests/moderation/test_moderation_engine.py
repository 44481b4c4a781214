"""Verdicts: abuse with evasions, innocent look-alikes, crisis with hotlines, PII masking."""
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from nodes.moderation.engine import LexiconError, Moderator, Span, Verdict

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def mod():
    return Moderator()


def test_verdict_shape(mod):
    v = mod.check("안녕하세요")
    assert isinstance(v, Verdict)
    assert (v.label, v.categories, v.hotline, v.masked_text, v.spans, v.pii, v.alert, v.score) == \
        ("allow", [], None, "안녕하세요", [], [], False, 0.0)


@pytest.mark.parametrize("text", [
    "씨발 뭐야", "씨 발 이거 왜 안 돼", "ㅅㅣ발 짜증나", "ㅅㅂ 뭐라는 거야", "ㅈㄴ 짜증나네", "씨1발 장난하냐",
    "s발 뭐야", "c발", "씨이이발", "조오온나 답답하네", "씨씨씨발", "개.새.끼", "개 새 끼 야", "시8 진짜",
    "ㅄ같이", "존나 좋아", "이 기계 졸라 느려", "미친 새끼", "씨발놈아", "tlqkf", "ssibal",
])
def test_profanity_and_evasions(mod, text):
    v = mod.check(text)
    assert v.label == "abuse", text
    assert v.categories == ["profanity"]
    assert v.alert is False and v.hotline is None
    assert 0 < v.score <= 1


@pytest.mark.parametrize("text, category", [
    ("틀딱들은 집에나 있지", "hate"), ("틀 딱 들 이 문제야", "hate"), ("노인충들", "hate"),
    ("틀니딱딱 소리 좀 그만해", "hate"), ("노인들은 다 죽어야 돼", "hate"),
    ("야동 좀 틀어줘", "sexual"), ("딸딸이 치고 싶네", "sexual"),
    ("너 죽여버릴거야", "threat"), ("가만 안 둘 거야", "threat"),
])
def test_abuse_categories(mod, text, category):
    v = mod.check(text)
    assert v.label == "abuse" and category in v.categories, (text, v)


@pytest.mark.parametrize("text", [
    "시발점이 어디예요", "옛날에 시발택시 타 봤어요", "시바견을 키워요", "18세 이상", "손자가 게임 개발자예요",
    "수박씨 발라 먹어야 돼요", "수박씨발라", "강아지 새끼가 태어났어요", "개 새끼를 분양받았어요",
    "우리 새끼들 보고 싶어요", "아저씨 이발하러 가요", "병신년생이에요", "보지 마세요", "잠을 자지 못해요",
    "손자가 용돈 달라고 졸라요", "불이 꺼져 있어요", "위기가 닥쳐요", "맛이 죽인다", "엿 먹어 봤어요",
    "딸이 통장 만드는 걸 도와줬어요", "개 같은 동물 좋아해요", "시바 강아지 키워요",
])
def test_innocent_lookalikes_pass(mod, text):
    v = mod.check(text)
    assert v.label == "allow", (text, v)


@pytest.mark.parametrize("text, category, hotline", [
    ("죽고 싶어요", "suicide", "109"),
    ("살기 싫어요", "suicide", "109"),
    ("다 끝내고 싶어요", "suicide", "109"),
    ("가슴이 아파요", "medical", "119"),
    ("숨을 못 쉬겠어요", "medical", "119"),
    ("영감이 쓰러졌어요", "medical", "119"),
    ("불이 났어요", "fire", "119"),
    ("도둑이 들었어요", "crime", "112"),
    ("아들이 술만 먹으면 때려요", "family_violence", "1577-1389"),
    ("남편이 때려요", "family_violence", "1366"),
    ("요양보호사가 저를 때려요", "elder_abuse", "1577-1389"),
    ("아들이 제 연금을 다 가져가요", "financial_abuse", "1577-1389"),
    ("성추행을 당했어요", "sexual_violence", "1366"),
])
def test_crisis_categories_and_hotlines(mod, text, category, hotline):
    v = mod.check(text)
    assert v.label == "crisis", (text, v)
    assert category in v.categories
    assert v.hotline == hotline
    assert v.alert is True


@pytest.mark.parametrize("text", ["배고파 죽겠어요", "더워 죽겠네요", "다리가 아파 죽겠어요", "죽고 싶지는 않아요",
                                  "오늘 안에 일 다 끝내고 싶어요", "주사를 맞았어요", "화재 보험 들고 싶어요",
                                  "마음이 아파요", "손자가 축구하다 자살골 넣었어요"])
def test_idioms_and_service_questions_are_not_crisis(mod, text):
    assert mod.check(text).label == "allow", text


def test_crisis_wins_over_abuse_and_most_urgent_hotline(mod):
    v = mod.check("씨발 죽고 싶어요 가슴이 아파요")
    assert v.label == "crisis"
    assert {"suicide", "medical"} <= set(v.categories)
    assert v.hotline == "119" and v.categories[0] == "medical"
    assert {s.category for s in v.spans} >= {"profanity", "suicide", "medical"}


def test_spans_index_the_original_text(mod):
    text = "아 ㅅㅣ발 진짜"
    v = mod.check(text)
    (span,) = [s for s in v.spans if s.category == "profanity"]
    assert isinstance(span, Span)
    assert text[span.start:span.end] == "ㅅㅣ발" == span.text


def test_pii_masked_in_verdict_and_abuse_words_kept(mod):
    v = mod.check("씨발 제 번호는 010-1234-5678이에요")
    assert v.label == "abuse"
    assert v.masked_text == "씨발 제 번호는 010-****-****이에요"
    assert v.pii == ["mobile"]
    (pii_span,) = [s for s in v.spans if s.category == "mobile"]
    assert pii_span.text == "010-****-****"


def test_crisis_with_pii(mod):
    v = mod.check("가슴이 아파요 주민번호는 800101-1234567")
    assert v.label == "crisis" and v.pii == ["rrn"]
    assert "1234567" not in v.masked_text


def test_concurrent_checks_agree(mod):
    texts = ["씨발", "시발점", "죽고 싶어요", "안녕하세요", "ㅅㅂ", "개 새 끼"] * 20
    expected = [mod.check(t).label for t in texts]
    results = [None] * len(texts)

    def work(k):
        for i in range(k, len(texts), 4):
            results[i] = mod.check(texts[i]).label

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == expected


def _write_lexicon(d: Path, abuse: str, crisis: str = "categories: {}\n") -> Path:
    (d / "abuse.yaml").write_text(abuse, encoding="utf-8")
    (d / "crisis.yaml").write_text(crisis, encoding="utf-8")
    return d


def test_custom_lexicon_dir_is_data_not_code(tmp_path):
    d = _write_lexicon(tmp_path, "categories:\n  profanity:\n    terms: [바보멍청이]\n",
                       "categories:\n  fire:\n    hotline: '119'\n    patterns: ['불꽃놀이 사고']\n")
    m = Moderator(lexicon_dir=d, use_classifier=False)   # the lexicons alone
    assert m.check("이 바보 멍청이").label == "allow"          # normal spacing, not letter-spacing
    assert m.check("바보멍청이").categories == ["profanity"]
    assert m.check("ㅂㅂㅁㅊㅇ").label == "abuse"
    assert m.check("씨발").label == "allow"                    # only the given lexicon is used
    assert m.check("불꽃놀이 사고 났어요").hotline == "119"


@pytest.mark.parametrize("abuse, message", [
    ("categories:\n  swearing:\n    terms: [a]\n", "unknown category"),
    ("categories:\n  profanity:\n    words: [a]\n", "unknown key"),
    ("categories:\n  threat:\n    phrases: ['(unclosed']\n", "bad pattern"),
    ("colours: []\n", "unknown key"),
])
def test_bad_lexicon_fails_loudly_with_file_and_key(tmp_path, abuse, message):
    _write_lexicon(tmp_path, abuse)
    with pytest.raises(LexiconError, match=message) as err:
        Moderator(lexicon_dir=tmp_path)
    assert "abuse.yaml" in str(err.value)


def test_crisis_hotline_required(tmp_path):
    _write_lexicon(tmp_path, "categories: {}\n", "categories:\n  fire:\n    patterns: ['불']\n")
    with pytest.raises(LexiconError, match="hotline"):
        Moderator(lexicon_dir=tmp_path)


def test_import_is_light():
    code = ("import sys, nodes.moderation.engine, bus.privacy; "
            "print(any(m in sys.modules for m in ('kiwipiepy', 'torch', 'transformers')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

_korean_ish = st.text(alphabet=st.sampled_from(list("씨발시점개새끼ㅅㅂㅈㄴ죽고싶어요불이났 0123456789-.@a1s")), max_size=40)


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(_korean_ish, st.text(max_size=40)))
def test_any_text_gives_a_consistent_verdict(mod, text):
    v = mod.check(text)
    assert v.label in ("allow", "abuse", "crisis")
    assert v.alert == (v.label == "crisis")
    assert (v.hotline is not None) == (v.label == "crisis")
    assert 0.0 <= v.score <= 1.0
    for s in v.spans:
        assert 0 <= s.start < s.end <= len(text)
        if s.category not in v.pii:
            assert s.text == text[s.start:s.end]


# -- generalised crisis rules: components composed, not whole sentences listed ----------------

@pytest.mark.parametrize("text, category", [
    ("숨이 너무 가빠요", "medical"),                               # adverb between subject and verb
    ("가슴이 막 조여 와요", "medical"),
    ("할아버지 입이 갑자기 돌아갔어요", "medical"),                  # stroke, one strong sign
    ("엄마가 말이 어눌하고 침을 흘려요", "medical"),                 # stroke, two weaker signs
    ("계단에서 굴렀는데 다리가 부러진 것 같아요", "medical"),        # fall + injury
    ("손을 베였는데 피가 계속 나요", "medical"),
    ("할머니가 락스를 드셨어요", "medical"),
    ("약 먹었어요 많이 한꺼번에", "medical"),                        # drug + amount + swallowed, any order
    ("혈당이 뚝 떨어져서 정신이 없어요", "medical"),
    ("떡이 목에 걸렸어요", "medical"),
    ("집 안이 연기로 가득해요", "fire"),
    ("멀티탭에서 연기가 나요", "fire"),
    ("옆방에서 불이 나는 것 같아요", "fire"),
    ("오늘 밤 다 끝낼 생각이에요", "suicide"),
    ("죽은 남편 따라가고 싶어요", "suicide"),                       # the dead + following them
    ("세상에 미련이 없어요", "suicide"),
    ("이제 다 정리했어요 마지막 인사 하러 왔어요", "suicide"),
    ("남편이 머리채를 잡고 끌고 다녀요", "family_violence"),
    ("아들이 죽여 버린다고 해요", "family_violence"),
    ("밖에서 문을 잠가서 못 나가요", "elder_abuse"),
    ("간병인이 제 손목을 묶어요", "elder_abuse"),
    ("아들이 제 땅을 몰래 팔았어요", "financial_abuse"),              # relative + valuables + misuse
    ("딸이 제 인감으로 대출을 받았어요", "financial_abuse"),
    ("아들이 돈 안 주면 집에서 쫓아낸대요", "financial_abuse"),
    ("요양원 직원이 제 엉덩이를 더듬어요", "sexual_violence"),
    ("강제로 추행을 당했어요", "sexual_violence"),
    ("어떤 남자가 집 앞에서 계속 지켜봐요", "crime"),                # stranger + watching
    ("모르는 사람이 인증번호를 불러 달래요", "crime"),
    ("문자에 있는 링크를 눌렀더니 통장에서 돈이 다 빠져나갔어요", "crime"),
])
def test_generalised_crisis_rules(mod, text, category):
    v = mod.check(text)
    assert v.label == "crisis" and category in v.categories, (text, v)


@pytest.mark.parametrize("text", [
    "가슴이 아프네요 그 소식 들으니",            # grief
    "요즘은 가슴이 하나도 안 아파요",           # negation
    "숨이 안 차요 괜찮아요",
    "등산하고 나니 숨이 차네요",                # exertion explained
    "할아버지가 넘어질 뻔했는데 괜찮으세요",      # near miss, over
    "생선 가시가 목에 걸렸다가 빠졌어요",
    "피곤해서 쓰러질 것 같아요 하하",
    "손녀 연기가 많이 늘었어요", "회의가 다음 주로 연기됐어요",   # acting, postponement
    "불이 안 붙어요 가스레인지가", "불편한 점이 있어요",
    "손자가 컴퓨터 게임에서 칼을 휘둘러요",
    "보이스피싱 전화 받으면 어떻게 해야 해요",
    "오늘 안에 김장을 끝낼 거예요", "집 정리 다 했어요 이사 가려고요",
    "혈당이 많이 떨어져서 좋아요 의사 선생님이 칭찬했어요",
    "딸이 통장에 돈을 넣어 줬어요 고맙게도", "아들이 집을 팔고 이사 간대요",
    "영감 먼저 보내고 혼자 산 지 오래예요", "문 잠그고 나가요", "머리를 묶었어요",
    "추워서 몸이 떨려요", "누가 제 우산을 잘못 가져갔나 봐요",
])
def test_generalised_rules_spare_innocent_speech(mod, text):
    assert mod.check(text).label == "allow", (text, mod.check(text))


@pytest.mark.parametrize("text, category", [
    ("야 이 새끼야 똑바로 해", "profanity"), ("이 미친 기계 새끼", "profanity"), ("개 새끼야", "profanity"),
    ("시 이 발 뭐야", "profanity"), ("18 놈아", "profanity"),
    ("조선족 놈들 다 쫓아내야 돼", "hate"), ("외국인 놈들 다 추방해야 돼", "hate"),
    ("야 벗어 봐", "sexual"),
])
def test_generalised_abuse_rules(mod, text, category):
    v = mod.check(text)
    assert v.label == "abuse" and category in v.categories, (text, v)


@pytest.mark.parametrize("text", ["이 새끼 고양이 귀엽죠", "아이고 내 새끼야 보고 싶었다", "신발 벗어 주세요",
                                  "외투 벗어 봐요 덥잖아요", "옛날에는 장티푸스를 염병이라고 했지요",
                                  "조선족 식당 맛있어요", "장애인 복지카드 신청하려고요"])
def test_generalised_abuse_rules_spare_innocent_speech(mod, text):
    assert mod.check(text).label == "allow", (text, mod.check(text))


def test_composed_rule_needs_its_parts_in_any_order(tmp_path):
    crisis = ("groups:\n  kin: '(?:아들|딸)'\n"
              "categories:\n  family_violence:\n    hotline: '1577-1389'\n    patterns:\n"
              "      - {parts: ['{kin}', '때려', '술'], need: 2, hotline: '1366'}\n"
              "    exclude: ['때려 ?잡']\n")
    m = Moderator(lexicon_dir=_write_lexicon(tmp_path, "categories: {}\n", crisis))
    v = m.check("술 마시면 때려요 아들이")
    assert v.label == "crisis" and v.hotline == "1366"
    assert v.spans[0].text == "술 마시면 때려요 아들"             # from the first part to the last
    assert m.check("때려요").label == "allow"                   # one part of two is not enough
    assert m.check("아들이 모기를 때려잡았어요").label == "allow"  # an excluded part does not count


@pytest.mark.parametrize("entry, message", [
    ("{parts: ['a']}", "at least two"),
    ("{parts: ['a', 'b'], need: 3}", "need"),
    ("{pattern: 'a', parts: ['a', 'b']}", "exactly one"),
    ("{pattern: 'a', need: 1}", "need"),
    ("{parts: ['a', 'b'], every: 2}", "unknown key"),
])
def test_bad_composed_rule_fails_loudly(tmp_path, entry, message):
    crisis = f"categories:\n  fire:\n    hotline: '119'\n    patterns:\n      - {entry}\n"
    _write_lexicon(tmp_path, "categories: {}\n", crisis)
    with pytest.raises(LexiconError, match=message) as err:
        Moderator(lexicon_dir=tmp_path)
    assert "crisis.yaml" in str(err.value)
