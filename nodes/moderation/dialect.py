"""Regional and colloquial spoken Korean -> standard forms, before the crisis rules and the classifier.

Why: seniors say a crisis in their own dialect ("숨을 못 쉬겄어", "영감이 숨을 안 쉬는 거 같어
우짜노", "그놈이 몹쓸 짓을 했는디"). The rules were written, and most training rows worded, in
standard Korean, and the kiosk's everyday dialect questions are all `allow`, so a dialect ending
taught the classifier "allow". Rewriting the endings and a few function words to standard forms
lets one rule or one learned weight cover every dialect.

Only forms that are not standard words are rewritten (겄, 는디, -능교, 우짜노, 같어, 쉬것다), and
word-final endings only where the letter before them is a verb ending (움직이겠어유 -> 움직이겠어요,
but 우유, 이유, 여유 stay). Every rewrite keeps the original offsets (korean.Mapped), so a rule hit
is still reported on what was said.

    standardize_text("숨을 못 쉬겄어 우짜노")   # "숨을 못 쉬겠어 어떡해"
    standardize(mapped)                          # the same on a korean.Mapped, offsets kept
"""
from __future__ import annotations

import re

from . import korean

# A word ends here: a space, punctuation or the end of the text.
_END = r"(?=[\s?.!,~…]|$)"


def _syllables(finals: str = "", medials: str = "") -> str:
    """Every syllable with one of these finals (" " for none) and, if given, one of these medials."""
    out = []
    for code in range(korean.SYL_BASE, korean.SYL_END + 1):
        _, med, fin = korean.decompose(chr(code))
        if (fin or " ") in finals and (not medials or med in medials):
            out.append(chr(code))
    return "".join(out)


_N = _syllables("ㄴ")                 # a syllable ending in ㄴ (아픈, 했는, 된, 한)
_NL = _syllables("ㄴㄹ")              # ... or ㄹ (할, 갈)
_B = _syllables("ㅂ")                 # a syllable ending in ㅂ (뭡, 됩, 합)
_AO = _syllables(" ", "ㅏㅗ")         # 아, 고, 바, 나: where 퍼/뻐 is a dialect 파/빠 (not 슬퍼, 예뻐)
# Letters that end a verb form before a sentence-final particle (움직이겠어유, 했지유, 아파예).
# Not 아 (아유, 아예), not 여 (여유), not 이 (이유).
_VERB_END = "어워와해돼봐줘셔세게지네데래겠았었였했됐왔갔줬봤파빠"

# (pattern, replacement), applied in order; a replacement may use the match's groups.
RULES: tuple[tuple[str, str], ...] = (
    # how / what now: 우짜노, 우야노, 어짜쓰까, 워쩌, 어쩌끄나 -> 어떡해
    (r"(?<![가-힣])(?:우짜|우야|어짜|워쩌|어쩌)(?:노|꼬|까|쓰까|쓰끄나|끄나|믄 ?좋노|믄 ?좋아|모 ?좋노|제|지|나|쓰가|야 ?쓰까|야 ?쓰끄나|야 ?되노|야 ?하노)" + _END, "어떡해"),
    (r"(?<![가-힣])(?:우째|우예|어찌|어드렇게|어드러케|어띃게|어찌께|어치께|어찌케|어뜨께|어떠케|어트케|어캐|워치케|워찌케|어뜨케|어케|우얘|우찌|으째|으뜩해|으뜨케|으떻게)(?=\s)", "어떻게"),
    (r"(?<![가-힣])(?:어데|워디|어드메|오데|으디|으데)(?=[\s가-힣?]|$)", "어디"),
    # future / conjecture -겄- (Jeolla, Chungcheong), -것- before an ending (쉬것다)
    (r"겄", "겠"),
    (r"(?<=[가-힣])(?<![이그저무])것(?=(?:다|어|네|소|제|지|구먼|는디|는데|어유|어요)" + _END + ")", "겠"),
    # a trailing 잉 (Jeolla): 아파요잉, 했제잉, 헌디잉
    (r"(?<=[요다어지죠네제디소])(?:잉|이잉)" + _END, ""),
    # -는디/-ㄴ디/-ㄹ틴디 -> -는데 (Jeolla, Chungcheong); never 어디, 마디
    (r"(?<=[" + _N + r"])디(?=[\s?.!,~…]|$|요)", "데"),
    # -당가, -당께, -랑께: questions and insistence (Jeolla)
    (r"(?<=[가-힣])당가" + _END, "가"),
    (r"(?<=[가-힣])당께(?=요?" + _END + ")", "다니까"),
    (r"(?<=[가-힣])랑께(?=요?" + _END + ")", "라니까"),
    (r"(?<=[가-힣])(?:응께|니께)(?=요?" + _END + ")", "니까"),
    # -ㅂ니꺼 (Gyeongsang 합쇼체 question): 뭡니꺼, 됩니꺼 -> 뭡니까
    (r"(?<=[" + _B + r"])니꺼" + _END, "니까"),
    # Gyeongsang questions: -능교, -는교, -ㄴ교, -노 after a past or future stem
    (r"(?<=[가-힣])(?:능교|는교|능가|니꺼)" + _END, "나요"),
    (r"(?<=[신한인된])교" + _END, "가요"),
    (r"(?<=[었았였겠했갔왔됐났졌])노" + _END, "나"),
    # -이소 (Gyeongsang imperative): 주이소, 하이소 -> 주세요
    (r"(?<=[주하오가보해])(?:이소|이쏘|시이소)" + _END, "세요"),
    # vowel colour: 같어, 같애, 아퍼, 고퍼, 바뻐, 무서버 -> 같아, 아파, 무서워
    (r"(?<=같)(?:어|애)(?=[\s?.!,~…요]|$)", "아"),
    (r"(?<=[" + _AO + r"])퍼(?=[\s?.!,~…요서도유]|$)", "파"),
    (r"(?<=[" + _AO + r"])뻐(?=[\s?.!,~…요서도유]|$)", "빠"),
    (r"(?<![가-힣])(무서|더|추|어두|어려|가까|뜨거|차가)(?:버|바)(?=[\s?.!,~…요서가]|$)", r"\1워"),
    # polite endings: -유, -예, -여 (Chungcheong, Gyeongsang)
    (r"(?<=[" + _VERB_END + r"])(?:유|예|여)" + _END, "요"),
    (r"(?<=[이뭐])여" + _END, "야"),
    # -슈 after a tense or 있/없 (Chungcheong): 왔슈, 있었슈 -> 왔어요
    (r"(?<=[았었였겠했왔갔됐있없])슈" + _END, "어요"),
    # -소 after a tense or 있/없 (하오체): 했소, 있소 -> 했어요
    (r"(?<=[었았였겠했있없됐])소" + _END, "어요"),
    # -어가 = -어서 (Gyeongsang): 넘어져가, 밀쳐가, 없어가, 아파가; not 가져가, 훔쳐가, 해가 (the sun)
    (r"(?<!가져)(?<!데려)(?<!훔쳐)(?<=[져쳐워파빠])가(?=\s)", "서"),
    (r"(?<=없어|있어|몰라|무서)가(?=\s)", "서"),
    # Jeju: -젠 (-려고), -민 (-면), -사 (-야), 가졍 (가지고), 강 (가서), 어떵 (어떻게), 누게 (누구),
    # -니꽈 (-니까), 누게우꽈 (누구예요), 이수꽈 (있어요): "인감 떼젠 허믄 뭐 가졍 와사 됩니꽈"
    (r"(?<=[가-힣])(?:젠|잰)(?=\s)", "려고"),
    (r"(?<=[하허])민(?=\s)", "면"),
    (r"(?<=[와해가돼])사(?= (?:됩|되|돼|허|하|해))", "야"),
    (r"(?<![가-힣])가졍(?=\s)", "가지고"),
    (r"(?<![가-힣])강(?= (?:허|해|하))", "가서"),
    (r"(?<![가-힣])어떵(?=\s)", "어떻게"),
    (r"(?<![가-힣])누게(?=우꽈|라|가|한테|신디|\s|$)", "누구"),
    (r"(?<=누구)우꽈" + _END, "예요"),
    (r"(?<![가-힣])(?:이수꽈|있수꽈|이수과|있수과)" + _END, "있어요"),
    (r"(?<=[가-힣] )거(?:우꽈|우과)" + _END, "거예요"),
    (r"(?<![가-힣])무신(?= )", "무슨"),
    (r"(?<=[가-힣])니꽈" + _END, "니까"),
    # -ㅁ수꽈 (Jeju present, polite question): 햄수꽈, 열엄수과, 받암수꽈 -> 해요, 열어요, 받아요;
    # 무시거 (뭐), 가민/오민 (가면/오면)
    (r"(?<![가-힣])(?:햄|헴)(?:수꽈|수과)" + _END, "해요"),
    (r"(?<=[가-힣])(?:엄|암)(?:수꽈|수과)" + _END, "어요"),
    (r"(?<![가-힣])무시거(?=\s|$)", "뭐"),
    (r"(?<![가-힣])(가|오|보|되|있으|없으|먹으|받으)민(?=\s)", r"\1면"),
    (r"(?<![가-힣])허(?=려고|믄|면)", "하"),
    (r"(?<=[가-힣])허(?=려고|는\s|믄\s|면\s)", "하"),   # 담당허는, 가입허젠 (not 허리)
    # 혀, 허요 (Chungcheong, Jeolla 하다): 못 나가게 혀, 혔어, 허는
    (r"(?<![가-힣])혀(?=요?(?:[?.!,~…]|$))", "해"),
    (r"(?<=게 )혀(?=요?" + _END + ")", "해"),
    (r"(?<![가-힣])혔(?=[가-힣])", "했"),
    (r"(?<![가-힣])허(?=(?:요|는|고|면|믄|지|니|유)" + _END + ")", "하"),
    # -믄, -라믄: conditional (Gyeongsang)
    (r"(?<=[가-힣])(?:을라믄|을라카믄|을라카모)" + _END, "으려면"),
    (r"(?<=[가-힣])(?:라믄|라카믄|라카모)" + _END, "려면"),
    (r"(?<=[가-힣])믄(?=\s)", "면"),
    (r"(?<=[가-힣])라꼬(?=\s)", "려고"),
    # quotative 카다 (Gyeongsang 하다): 캤는데, 카던데, 칸다, 들어올라 캐
    (r"(?<=[라다자까고])\s?(?:카더라|카던데|카데)(?=[\s?.!,~…]|$)", "고 하던데"),
    (r"(?<=[라다자까])\s?캤(?=[가-힣])", "고 했"),
    (r"(?<=[라다자까])\s?(?:캐|카이)(?=요?[\s?.!,~…]|$|서|도)", "고 해"),
    (r"(?<=[라다자까])\s?칸다" + _END, "고 한다"),
    (r"(?<=[라다])\s?카는(?=\s)", "고 하는"),
    (r"(?<=[라다])\s?카던(?=\s)", "고 하던"),
    # 기 (Gyeongsang 게, "그것이") before what: "에너지바우처라 카는 기 뭡니꺼"
    (r"(?<=하는 )기(?= (?:뭐|뭡|머|무엇|뭔))", "게"),
    # -갔- (이북 -겠-): 되갔소, 하갔어, 모르갔어 -> 되겠소, 하겠어, 모르겠어
    (r"(?<=[되하있없좋알모르괜찮])갔(?=[소어다네지니수습])", "겠"),
    # -ㄹ 끼다, 낀데, -는 겨 (Gyeongsang, Chungcheong 거다, 텐데, 거야)
    (r"(?<=[가-힣] )(?:낀데|낀디)" + _END, "텐데"),
    (r"(?<=[가-힣] )(?:끼다|끼라|기라|기고|긴교)" + _END, "거야"),
    (r"(?<=[" + _NL + r"] )(?:겨|거여|기여|기야|긴겨)" + _END, "거야"),
    (r"(?<=[가-힣])(?:는겨|는거여|는기라|는기고)" + _END, "는 거야"),
    # -제 (Gyeongsang, Jeolla -지): 괜찮겠제, 했제
    (r"(?<=[겠었았했있없좋])제" + _END, "지"),
    # 버리다: -뿌다, -삐다, -부러 (잃어뿌맀다, 죽어삐까, 가부렀어)
    (r"(?<=[어아여워와져쳐가해봐])\s?(?:뿌맀|삐맀|뿌렀|부렀|삐릿|뿟|뿠|삤|부럿)", "버렸"),
    (r"(?<=[어아여워와져쳐가해봐])\s?(?:뿌까|삐까|뿔까)", "버릴까"),
    (r"(?<=[어아여워와져쳐가해봐내])\s?(?:뿔란다|삘란다|뿌릴란다|뿔라꼬|삘라꼬|뿔라고)", "버릴란다"),
    (r"(?<=[어아여워와져쳐가해봐])\s?(?:뿌라|삐라|부러|뿌래|부러라)" + _END, "버려"),
    # -심더, -니더 (Gyeongsang 합쇼체; -ㅂ니꺼 is read with the questions above)
    (r"(?<=[가-힣])(?:심더|슴더|심니더)" + _END, "습니다"),
    (r"(?<=[가-힣])니더" + _END, "니다"),
    # a few dialect words the rules and the model know in their standard form
    (r"(?<![가-힣])(?:델꼬|데꼬|델고)(?=\s)", "데리고"),
    (r"(?<![가-힣])(?:갈차|갈쳐)(?=\s|주)", "가르쳐"),
    (r"(?<![가-힣])(?:맹글|맨들)", "만들"),
    (r"(?<![가-힣])(?:쪼매|쪼깨|쬐끔|쪼끔)(?=[\s가-힣])", "조금"),
    (r"(?<![가-힣])(?:인자|인제)(?=\s)", "이제"),
    (r"(?<![가-힣])(?:아부지|아바이)(?=[\s가-힣])", "아버지"),
    (r"(?<![가-힣])(?:엄니|어매|어무이|어무니)(?=[\s가-힣])", "어머니"),
    (r"(?<![가-힣])(?:할매|할망)(?=[\s가-힣])", "할머니"),
    (r"(?<![가-힣])(?:할배|하르방)(?=[\s가-힣])", "할아버지"),
    (r"(?<![가-힣])(?:억수로|겁나게|허벌나게|디게|대따)(?=\s)", "너무"),
    (r"(?<![가-힣])가심(?=[이에은도팍]|\s)", "가슴"),
    (r"(?<=[가-힣])(?:맨키로|맹키로|맨치로|맹치로|매로|맹캐로)(?=\s)", "처럼"),
    # months said in words, as written ("칠월이여 구월이여" -> 7월, 9월); not 일월 or 이월, which
    # 일요일월요일 and 이월하다 also say
    *((r"(?<![가-힣])" + w + r"월(?=[에이은도까부달말초\s]|$)", f"{n}월") for n, w in (
        (3, "삼"), (4, "사"), (5, "오"), (6, "유"), (7, "칠"), (8, "팔"), (9, "구"), (10, "시"), (11, "십일"), (12, "십이"))),
    # -고 잡다 (Jeolla, Chungcheong -고 싶다): 죽고 잡아, 가고 잡네
    (r"(?<=고 )잡(?:아|어)", "싶어"),
    (r"(?<=[가-힣]고)잡(?:아|어)(?=[\s?.!,~…요]|$)", "싶어"),
    (r"(?<=고 )잡(?=[다네은고지])", "싶"),
)
_COMPILED = tuple((re.compile(p), r) for p, r in RULES)


def standardize(norm: korean.Mapped) -> korean.Mapped:
    """norm with dialect endings and words rewritten to standard forms; offsets kept."""
    text, starts, ends = norm.text, list(norm.starts), list(norm.ends)
    for regex, repl in _COMPILED:
        if regex.search(text) is None:
            continue
        out, s_out, e_out, pos = [], [], [], 0
        for m in regex.finditer(text):
            i, j = m.span()
            if j == i:
                continue
            out.append(text[pos:i])
            s_out += starts[pos:i]
            e_out += ends[pos:i]
            new = m.expand(repl)
            # letters the rewrite keeps at its start map one to one; the rest to the rest of the match
            keep = 0
            while keep < min(len(new), j - i) and new[keep] == text[i + keep]:
                keep += 1
            out.append(new)
            s_out += starts[i:i + keep]
            e_out += ends[i:i + keep]
            rest_start = starts[min(i + keep, j - 1)]
            s_out += [rest_start] * (len(new) - keep)
            e_out += [ends[j - 1]] * (len(new) - keep)
            pos = j
        out.append(text[pos:])
        s_out += starts[pos:]
        e_out += ends[pos:]
        text, starts, ends = "".join(out), s_out, e_out
    return korean.Mapped(text, starts, ends)


def standardize_text(text: str) -> str:
    """The same on a plain string."""
    return standardize(korean.Mapped(text, list(range(len(text))), list(range(1, len(text) + 1)))).text
