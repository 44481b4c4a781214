"""Personal data is found and masked, with offsets in the original text."""
import pytest
from hypothesis import given, strategies as st

from bus.privacy import classify, luhn_ok, mask


@pytest.mark.parametrize("text, masked, kind", [
    ("주민번호 800101-1234567", "주민번호 ******-*******", "rrn"),
    ("주민번호 8001011234567", "주민번호 ******-*******", "rrn"),
    ("8 0 0 1 0 1 1 2 3 4 5 6 7 이에요", "******-******* 이에요", "rrn"),
    ("팔공공일공일 일이삼사오육칠", "******-*******", "rrn"),
    ("010-1234-5678로 주세요", "010-****-****로 주세요", "mobile"),
    ("010 1234 5678", "010-****-****", "mobile"),
    ("010.2345.6789", "010-****-****", "mobile"),
    ("공일공 일이삼사 오육칠팔로", "010-****-****로", "mobile"),
    ("번호는 공일공에 일이삼사에 오육칠팔이에요", "번호는 010-****-****이에요", "mobile"),
    ("집은 02-345-6789예요", "집은 02-****-****예요", "landline"),
    ("031 234 5678", "031-****-****", "landline"),
    ("카드 4532 0151 1283 0366", "카드 ****-****-****-****", "card"),
    ("국민은행 123456-01-234567", "국민은행 ******-**-******", "account"),
    ("메일은 grandma77@naver.com 이요", "메일은 ***@*** 이요", "email"),
    ("메일은 kim77 골뱅이 naver 점 com 이요", "메일은 ***@*** 이요", "email"),
    ("전화 (02) 345-6789", "전화 (02-****-****", "landline"),
])
def test_mask_kinds(text, masked, kind):
    out, spans = mask(text)
    assert out == masked
    assert [s.category for s in spans] == [kind]
    assert "1234" not in out and "5678" not in out


def test_span_offsets_are_original_and_text_is_masked():
    text = "제 번호는 010-1234-5678이에요"
    _, spans = mask(text)
    (span,) = spans
    assert text[span.start:span.end] == "010-1234-5678"
    assert span.text == "010-****-****"


def test_two_numbers_in_one_run_are_split():
    out, spans = mask("휴대폰은 010-3333-4444 집은 02-555-6666")
    assert [s.category for s in spans] == ["mobile", "landline"]
    assert "3333" not in out and "6666" not in out


def test_adjacent_numbers_do_not_fake_a_rrn():
    _, spans = mask("010-1234-5678 02-987-6543")
    assert [s.category for s in spans] == ["mobile", "landline"]


def test_rrn_spoken_in_two_halves():
    out, spans = mask("앞자리는 510203이고 뒷자리는 1234567이에요")
    assert {s.category for s in spans} == {"rrn"}
    assert "510203" not in out and "1234567" not in out


@pytest.mark.parametrize("text", ["1577-1389로 전화하세요", "18세 이상", "2024년 10월 15일",
                                  "109번", "75세고 키는 160이에요", "이사 가서 오일 교환"])
def test_ordinary_numbers_are_not_masked(text):
    assert mask(text) == (text, [])


def test_luhn():
    assert luhn_ok("4111111111111111")
    assert not luhn_ok("4111111111111112")
    assert classify("4111111111111112", grouped=True, context=False) == "account"


def test_account_context_wins_over_date_like_digits():
    _, spans = mask("통장 1002123456789 입니다")
    assert spans[0].category == "account"


@given(st.lists(st.sampled_from(["010", "1234", "5678", " ", "-", ".", "번호", "는 ", "02", "800101", "1234567"]),
                max_size=12).map("".join))
def test_mask_never_reveals_and_offsets_valid(text):
    masked, spans = mask(text)
    again = mask(masked)[0]
    assert sum(c.isdigit() for c in again) <= sum(c.isdigit() for c in masked) <= sum(c.isdigit() for c in text)
    for s in spans:
        assert 0 <= s.start < s.end <= len(text)
        assert s.text in masked


@pytest.mark.parametrize("text, masked, kind", [
    ("공일공 천이백삼십사 오천육백칠십팔로 전화 주세요", "010-****-****로 전화 주세요", "mobile"),
    ("번호는 공일공에 구천구백구십구에 팔천칠백육십오예요", "번호는 010-****-****예요", "mobile"),
    ("공일공 이삼사오 육천칠백팔십구이에요", "010-****-****이에요", "mobile"),
    ("공이 삼백사십오 육천칠백팔십구", "02-****-****", "landline"),
])
def test_spoken_numbers_with_place_values(text, masked, kind):
    out, spans = mask(text)
    assert out == masked
    assert [s.category for s in spans] == [kind]


@pytest.mark.parametrize("text", ["이천 오백 원이에요", "일억 이천만 원", "칠십 평생 처음이에요",
                                  "삼천포로 빠졌네", "천이백 원 오백 원"])
def test_amounts_in_number_words_are_not_masked(text):
    assert mask(text) == (text, [])


def test_hyphen_read_aloud_as_dasi():
    masked, spans = mask("주민번호 불러드리면 돼요 사칠공삼일이 다시 이일삼사오육칠")
    assert [s.category for s in spans] == ["rrn"] and "이일삼사오육칠" not in masked
    assert mask("공일공 다시 일이삼사 다시 오육칠팔이에요")[1][0].category == "mobile"
    assert mask("다시 한 번 말해 주세요 이사 가요")[1] == []
