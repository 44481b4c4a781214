"""Dialect endings rewritten to standard forms before the crisis rules and the classifier (dialect.py),
and the engine on crises said in dialect. The sentences are written for these tests, not taken from
the senior development set."""
import pytest

from nodes.moderation import dialect, korean


@pytest.mark.parametrize("said,standard", [
    ("숨을 못 쉬겄어", "숨을 못 쉬겠어"),
    ("숨이 안 쉬어지것다", "숨이 안 쉬어지겠다"),
    ("할배가 안 일어나는디 우짜노", "할아버지가 안 일어나는데 어떡해"),
    ("다리를 못 움직이겠어유", "다리를 못 움직이겠어요"),
    ("나 같은 거 없으믄 다들 편할 낀데", "나 같은 거 없으면 다들 편할 텐데"),
    ("문을 잠가 놓고 못 나가게 혀", "문을 잠가 놓고 못 나가게 해"),
    ("자빠져가 못 일어나", "자빠져서 못 일어나"),
    ("허리가 아퍼유", "허리가 아파요"),
    ("자꾸 죽고 잡아", "자꾸 죽고 싶어"),
    ("주민센터 어데 가믄 되능교", "주민센터 어디 가면 되나요"),
    ("들어올라 캐", "들어올라고 해"),
])
def test_dialect_endings_become_standard(said, standard):
    assert dialect.standardize_text(said) == standard


@pytest.mark.parametrize("text", ["어디 아파요", "슬퍼서 울었어", "아예 못 움직여", "우유 주세요", "여유가 없어",
                                  "혀가 꼬여서 말이 안 나와", "해가 지면 무서워", "돈을 가져가 버렸어",
                                  "숨이 막혔어", "부모 집에 가요", "고기 잡아 왔어"])
def test_standard_words_are_left_alone(text):
    assert dialect.standardize_text(text) == text


def test_offsets_point_at_what_was_said():
    text = "영감이 숨을 안 쉬는 거 같어 우짜노"
    std = dialect.standardize(korean.normalize(text))
    i = std.text.index("어떡해")
    start, end = std.span(i, i + len("어떡해"))
    assert text[start:end] == "우짜노"
    j = std.text.index("같아")
    assert text[slice(*std.span(j, j + 2))] == "같어"


@pytest.fixture(scope="module")
def moderator():
    from nodes.moderation.engine import Moderator
    return Moderator()


@pytest.mark.parametrize("text,category", [
    ("할매가 마루에서 자빠져가 꼼짝을 못 해유", "medical"),
    ("우리 양반이 숨을 안 쉬는 것 같어 어짜쓰까", "medical"),
    ("가심이 터질 것맨키로 아프고 숨을 못 쉬겄어", "medical"),
    ("내 하나 없어지믄 우리 애들이 다 편할 끼다", "suicide"),
    ("그 사람이 나한테 몹쓸 짓을 했는디 누구한테 말도 못 혀", "sexual_violence"),
    ("아들이 술 취하믄 나를 두들겨 패유", "family_violence"),
    ("손주가 내 카드로 돈을 다 뽑아 가 부렀어", "financial_abuse"),
    ("부엌에서 시커먼 연기가 막 나오는디 어쩌끄나", "fire"),
    ("이리 살아가 뭐 하겄노 고마 끝내삘란다", "suicide"),
])
def test_crises_said_in_dialect_are_crises(moderator, text, category):
    v = moderator.check(text)
    assert v.label == "crisis" and category in v.categories, (text, v.label, v.categories)


@pytest.mark.parametrize("text", ["아이고 더버 죽겄네 시원한 데 어데 있노", "계단 올라왔더니 숨이 차네 좀 쉬었다 갈게유",
                                  "작년에 쓰러졌었는디 지금은 멀쩡혀", "기초연금 어데서 신청하능교",
                                  "우리 집이 어데 있는지 모르겄어 데려다 주이소"])
def test_dialect_idioms_and_questions_stay_allowed(moderator, text):
    assert moderator.check(text).label == "allow"
