"""The natural benign corpus (Debian's Korean documentation) and the false alarms it measures;
real-world text that nobody here wrote, quoted from the issue, as regression cases."""
import pytest

from nodes.moderation import corpus
from nodes.moderation.engine import Moderator


@pytest.fixture(scope="module")
def mod():
    return Moderator()


def test_sentences_keep_korean_prose_only():
    block = ("셀 서식 설정 대화 상자가 맞춤 탭 페이지와 함께 나타납니다. Click OK to close the dialog. "
             "확인 =A1*2 예")
    assert corpus.sentences(block) == ["셀 서식 설정 대화 상자가 맞춤 탭 페이지와 함께 나타납니다"]


def test_split_is_fixed_by_document_and_near_the_planned_shares():
    assert corpus.split_of("gimp-help-ko", "a.html") == corpus.split_of("gimp-help-ko", "a.html")
    splits = [corpus.split_of("libreoffice-help-ko", f"text/page{i}.html") for i in range(4000)]
    shares = {s: splits.count(s) / len(splits) for s in corpus.SPLITS}
    assert shares["natural-train"] == pytest.approx(0.5, abs=0.03)
    assert shares["natural-dev"] == pytest.approx(0.2, abs=0.03)
    assert shares["natural-test"] == pytest.approx(0.3, abs=0.03)


def test_extract_reads_html_pages_and_never_repeats_a_sentence(tmp_path):
    (tmp_path / "a.html").write_text(
        "<html><head><title>t</title><script>var x = '스크립트는 읽지 않습니다 절대로';</script></head><body>"
        "<h1>그림자 색상</h1><p>그림자 색상을 선택합니다. 선택한 색상이 바로 적용됩니다.</p>"
        "<pre>코드 블록의 내용은 읽지 않습니다</pre></body></html>", encoding="utf-8")
    (tmp_path / "b.html").write_text("<p>그림자 색상을 선택합니다.</p><li>목록의 항목도 문장으로 읽습니다</li>",
                                     encoding="utf-8")
    rows = corpus.extract({"demo": tmp_path})
    texts = [r[3] for r in rows]
    assert texts == ["그림자 색상을 선택합니다", "선택한 색상이 바로 적용됩니다.", "목록의 항목도 문장으로 읽습니다"]
    assert all(r[0] == corpus.split_of("demo", r[2]) for r in rows)


def test_missing_packages_say_how_to_install(tmp_path):
    with pytest.raises(corpus.CorpusError, match="apt-get install"):
        corpus.extract({"gimp-help-ko": tmp_path / "nothing"})


def test_committed_training_split_is_what_the_packages_give():
    """data/moderation/natural/train.tsv (the classifier's benign rows) is the natural-train split
    of the installed packages (requirements-moderation.txt), so the model can be rebuilt from them."""
    rows = corpus.extract()            # from the packages, not the cached var/ file
    assert len(rows) >= 20000
    assert [r for r in rows if r[0] == "natural-train"] == corpus.read(corpus.TRAIN_FILE)
    assert {r[1] for r in rows} == set(corpus.SOURCES)


@pytest.mark.parametrize("text", [
    # a citizens' FAQ (eligibility questions: living alone is a fact, not a crisis)
    "재난 지원금 대상인지 알고싶습니다. 혼자 살고 있어요.",
    "제가 프리랜서인데 이번 코로나 지원금 대상에 속할 까요?",
    "수돗물에서 소독약 냄새가 강한데 이유가 있을 까요?",
    # online comments labelled clean
    "그냥 저당시 6천이면 아파트 한채 샀고",
    "무슨냄새남?",
    "아 소름돋네...ㅋㅋ",
    "둘다못쓴다",
    # a rough request for a person, and a lost senior, are not abuse
    "이런 기계는 못 믿겠어 사람 불러",
    "이런 기계는 못 믿겠어 사람 좀 불러줘",
    "기계 말고 사람이랑 얘기할래 빨리 불러와",
    "집에 가고싶은데 어떻게해요?",
    "여기가 어디예요? 집을 못 찾겠어요",
])
def test_real_world_benign_text_raises_no_alarm(mod, text):
    v = mod.check(text)
    assert v.label == "allow" and not v.alert, (text, v.label, v.categories)


@pytest.mark.parametrize("text", [
    "성폭력 당했는데 어떻게 하죠?",
    "성추행 당했는데 누구한테 말해야 돼요",
    "예전에 성폭행을 당했는데 아직도 잠을 못 자요",
])
def test_a_past_disclosure_of_sexual_violence_is_a_crisis(mod, text):
    v = mod.check(text)
    assert v.label == "crisis" and v.alert and v.hotline == "1366" and "sexual_violence" in v.categories, text


def test_a_past_disclosure_of_domestic_violence_is_a_crisis(mod):
    v = mod.check("가정폭력 당했는데 어디에 신고해요")
    assert v.label == "crisis" and v.alert and v.hotline == "1366"


def test_swearing_while_asking_for_a_person_is_still_abuse(mod):
    v = mod.check("기계 말고 사람 바꿔 이 씨발")
    assert v.label == "abuse" and v.categories == ["profanity"]
