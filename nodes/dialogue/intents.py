"""Control and small-talk intents, and follow-up facets, recognised by pattern.

Patterns run on normalised text with spaces removed, so STT spacing errors do
not matter. Only short, unambiguous phrasings are matched; anything else goes
to retrieval.
"""

from __future__ import annotations

import re

from nodes.dialogue.text import normalize
from nodes.moderation.dialect import standardize_text

# name -> pattern over space-stripped text; order is priority.
_INTENTS: tuple[tuple[str, str], ...] = (
    # a request for a person, not every mention of staff ("보건소 직원 월급" is a question)
    ("staff", r"(직원|상담원|상담사|담당자|안내원)(분|님)?(을|를|이|좀|하고|이랑|과|한테|은|는)?"
              r"(불러|부르|와|오|연결|있|없|어디|만나|얘기|이야기|바꿔|직접|말|통화|좀|요$|$)"
              r"|(직원|상담원|담당자|안내원)(은|는|이)?(어딨|어데|어디)|(일하는|여기|여|안내하는)사람(은|이)?(없|있|어디|어딨|어데)"
              r"|사람(이랑|하고|과|좀)?(얘기|이야기|통화|불러|연결)|사람불러|연결해(줘|주세요|주십시오)"
              r"|(누가|누구|분|사람|선생님)(이)?좀?(와|오셔|나와)(서도와)?(주세요|줘요|줘|주이소|주십시오|주실래요)$"
              r"|(책임자|관리자|높은사람|윗사람|과장|소장|동장)(을|를|이|좀)?(나와|나오|불러|부르|데려|오라|와봐|어딨|어디|어데|바꿔|만나)"
              r"|(기계|로봇|너)(말고|는말고|하고는|랑은|하곤)(사람|직원)|(사람|직원)(을|이|좀)?(불러|데려와|오라|나오라)"
              r"|(담당|담당하는|일하는|여있는|안내하는)(분|양반|사람|직원|아저씨|아가씨|총각|선생님?)(좀|을|를|이)?(불러|부르|데려|오라|와보|나와|어딨|어디|어데)"
              r"|^(여기|여|이)?(사람|직원|아무도)(이|은|는)?(아무도)?(없나|없노|없어|없소|없능교|없는교|없어요|없수|없니|없냐)"),
    ("slower", r"천천히|너무빨라|빨라요|빠르게말"),
    ("repeat", r"다시(한번|한번만)?(말|얘기|이야기|들려|해주)|다시요|다시한번$|뭐라고(요|하셨|했)|뭐라꼬|뭐라카노|뭐라고라|못알아들|못들었|안들려|잘안들|한번더(말|얘기)"),
    ("goodbye", r"안녕히(계세요|계십시오|가세요|계시오|계셔)|잘있으소|잘계시소|잘계시이소|욕봤|욕보이소|욕보소|욕보세요|"
                r"(또|다음에|담에|내일|나중에)(또)?(올게|올께|오께|오겠|옴세|올란다|올라요|보입시더|봐요|봅시다)|(내|나)(인자|이제)?간데이|간데이|가께요?$|갈께요?$|"
                r"그럼이만|이만(갈게|가볼게|가겠|들어가)|잘있어|잘있으|수고하세요|수고하셨|수고해$|수고하이소|수고혀|그만할게|그만하겠|끝낼게|"
                r"(이제|인자|인제|고마)갈게|갈게요|갈란다|가볼게|가볼란다|됐어요고마|다끝났"),
    ("thanks", r"^(네|예|아|네네)?(정말|너무|참)?(감사합니다|감사해요|고마워|고맙습니다|고마워요|고맙네|고맙네요)(요)?$"),
    ("greeting", r"^(네|예|아이고|아이구|어이|저기|여보세요|야)?(안녕하세요|안녕|안녕하십니까|안녕하신교|안녕하신가요|안녕하시오|안녕허세요|안녕하능교|안녕하십니꺼|안녕하시우|안녕하슈|안녕하신가|안녕들하시오|"
                 r"반가워요|반갑습니다|반갑소|반갑네|반갑구먼|반갑구만|반갑데이|반가버|반갑심더|반갑수다|잘있었나|잘있었어|잘지냈나|잘지냈어|좋은아침|식사하셨어|진지드셨어|밥묵었나|밥은묵었나|오랜만이네|오랜만이야)(요|예|유|잉)?$"),
    # talk about the kiosk itself or a request to entertain: answered kindly, never matched to a service
    ("chitchat", r"^(너|니|당신|로봇)(는|가|이|은)?(몇살|누구|이름|로봇|사람|기계|밥|나이|어디살|결혼)"
                 r"|(로봇|기계)(이가|이야|이에요|예요|인가요|이냐|이가사람)|노래(한곡|하나|좀|를)?(불러|해줘|해봐)"
                 r"|(재밌는|재미있는|웃긴|옛날)(얘기|이야기)(하나|좀)?(해|들려)|(얘기|이야기)나좀해|끝말잇기|수수께끼|농담(하나|좀)?해"),
    ("help", r"^(저기|그|예|네)?(뭐|뭘|뭣|머)(좀)?(물어|여쭤|물을)(볼|봅|보|볼라|보려|보자)[가-힣]{0,4}$|뭘물어|뭐물어|무엇을물어|뭐할수있|무엇을할수|어떤거알려|뭐알려줄수|뭘도와|무엇을도와|뭐도와줄|도움받을수있는게"),
)

_FACETS: tuple[tuple[str, str], ...] = (
    # a day or an hour asked before a phone number ("백이십구 전화하면 밤에도 받는교")
    ("when", r"(밤|새벽|저녁|주말|토요일|일요일|공휴일|명절|휴일|점심시간)(에도|에는|엔|에)(전화|문|열|여|받|해|하|되|돼|가|와|오|하나|하는)|24시간|몇시(까지|부터)"),
    ("phone", r"전화번호|연락처|번호(가|좀|알려|뭐)|문의처|어디로전화|전화(하면|해야|는)"),
    ("documents", r"서류|준비물|뭐(를)?가져|뭘가져|무엇을가져|뭐(를)?챙겨|뭘챙겨|필요한(거|것)|뭐가필요|뭐있어야"
                  r"|(뭐|뭘|무얼|머|무신)(를|을)?(가꼬|가주고|갖고|가지고|챙기|들꼬|가가)"
                  r"|(사진|도장|통장|신분증)(이|은|도|을|를|하고)?.{0,3}(있어야|필요|가져|챙겨)|뭐(를|을)?(들고|필요)"),
    ("proxy", r"(데리고|델꼬|데꼬|모시고)(가|와)(서|도|면)|(내가|제가|가족이|보호자가|자식이|며느리가)[^?]{0,12}(해도|가도|받게해도|신청해도|데려가도)(되|돼|된)|대신(가|해|신청|받|떼|발급)|대리(로|인|신청|발급)|(아들|딸|자식|며느리|사위|손주|가족|자녀)(이|가|놈이|보고)?"
              r"(대신|가도|가면|해도|떼도|신청해도|받아도|와도)"),
    ("amount", r"얼마|얼매|얼맨교|비싸|값이|값은|몇푼|본인부담|자부담|금액|액수|몇만원|몇원|비용|수수료|회비|돈(이|을)?(대주|대줘|보태|드나|들어|내야)"),
    ("eligibility", r"몇살(부터|이상|돼야|되야|되면|이면|넘|까지)|아무나|누구나|나이(가|는)?(몇|얼마)|누가"
                    r"|(있으면|없으면|있어도|없어도|이어도|살아도|살면|받아도|받으면|받고있으면|있는데도|없는데도)(안)?(되|돼|된)"
                    r"|받는해|받을해|대상인(가|지|교|감|겨|기)|(나라|국가|구청|시청|군청|동사무소|주민센터)에서(좀)?(도와주|해주|대주|보태주|지원해주|돈주)(나|나요|남|는지|능교|는교|는가|까|려나|겠나)"),
    ("when", r"토요일|일요일|주말|공휴일|밤에도|몇시|멫시|문(을)?(여|열|닫)|언제(쯤)?(나와|나오|들어와|들어오|줘|주|받|까지|부터|신청|입금|지급|돼|되|하|해|열|여|있|시작|가면|가야|와야|오면|배우|모이|모여)|며칠|몇일|메칠|몇월|무슨요일|날짜|기한|마감|지급일|"
             r"(들어오|나오|입금되|지급되)는날|몇시(까지|부터)"),
    ("apply", r"어디서|어디에서|어데서|워디서|어디로가|어디가|어디에가|어디가면|어디로|어떻게신청"
              r"|(어떻게|우째|우예|어찌|어케|워치케|어뜨케)(다시|새로|또)?(만들|맨들|맹글|맹그|해야|하면|하나|받|해요|해유|하노|합니|떼|뗄|발급)"
              r"|아무(치과|병원|약국|은행|안경점|데|곳|주민센터|동사무소|보건소|센터)(나|이나|에서나|라도|이라도|에나|서나|에가)|어느(창구|쪽|건물|층|사무실|과|병원|치과)|몇층|몇번창구"
              r"|(있는|하는|받는|해주는|주는|파는|가는)(데|곳)(가|이|는)?(어디|어데)|(받을|물어볼|갈|배울|주는|해줄)(데|곳)(가|이|는)?(있|없)|어디(여|예요|에요|인가요|야|냐|입니까|인교)$"
              r"|(어디|어데|워디)(있|가노|가요|가면|로가|에있|다)|(어떻게|우째|어찌)(하는|허는|등록|신고|다노|하노|허요|해유)"
              r"|신청(방법|하려면|하면|은|할|하는|해야|하러|하고)|접수|어디에신청|가입(방법|하려면)|발급(받|하)"),
    ("amount", r"무료|공짜|돈(이|은|도)?(들|드|내)"),
    ("eligibility", r"누가|대상|자격|해당(돼|되|이)|나도|저도|받을수있|받을수있나|받을수있을|탈수있|될까|되나요|되는지"
                    r"|(이것|이거|이런것|이런거|이병|이정도)(도|두)[^?]{0,15}(되|돼)|(되는가|될랑가|되남|되는감|되겠나|되능교|되는교)$"),
    ("detail", r"자세히|자세한|좀더|더알려|설명해"),
)

# Kinds of question that ask for something other than a service's facts and procedures: where it
# came from, or a choice among products or places. A topic answers such a question only if its
# own text asks or answers it that way (retrieval checks), so the rule follows the knowledge base.
ASK_KINDS: tuple[tuple[str, str], ...] = (
    ("history", r"언제(처음)?(생겼|생긴|생겨|만들어졌|만들었|시작됐|시작되었|시작했|도입)|역사|유래|"
                r"처음(만든|만들었|시작한)|누가(처음)?(만들었|만든|지었|세웠)|언제부터(있었|생겼|했)"),
    ("recommend", r"추천|어떤(게|것이|걸|거)(좋|나아|낫|괜찮)|어느(게|것이|걸|거)(좋|나아|낫|괜찮)|뭐가(좋|나아|낫|괜찮)|"
                  r"무엇이(좋|낫)|뭘사|뭐사|어떤(걸|거)사|골라(줘|주세요|주이소)|"
                  r"(어디|어느곳|어느데)가(제일|젤|더)?(싸|저렴|좋|나아|낫|맛있)"),
)


def detect_ask_kinds(text: str) -> set[str]:
    """The ASK_KINDS a text matches (usually none)."""
    s = _squeeze(text)
    return {name for name, pat in ASK_KINDS if re.search(pat, s)}


_ORDINALS = ((r"첫번째|첫째|처음|앞에|앞의|1번", 0), (r"두번째|둘째|뒤에|뒤의|나중|2번", 1), (r"세번째|셋째|3번", 2))

# Words that carry no topic on their own: a follow-up made only of these refers to the current topic.
FOLLOWUP_FILLER = {
    "그럼", "그러면", "그거", "그건", "그것", "이거", "거기", "신청", "방법", "어디", "얼마", "금액", "전화", "번호",
    "전화번호", "연락처", "서류", "준비물", "필요", "대상", "자격", "누구", "받", "나오", "주", "가", "오", "가지",
    "챙기", "자세히", "자세하", "설명", "더", "좀", "돈", "문의", "접수", "해당", "되", "원", "만", "몇", "뭐", "무엇",
    "어떻", "그", "저", "나", "네", "예", "그래", "요", "알리", "말", "다시", "하", "싶", "가입", "언제", "부터", "지원",
    "무료", "공짜", "비용", "들", "드", "내",
}


def _squeeze(text: str) -> str:
    return normalize(text).replace(" ", "")


def views(text: str) -> tuple[str, ...]:
    """The text squeezed as said and, when it differs, with its dialect endings and words in standard
    form ("집에 우째 가는지 모르겄어" -> "집에어떻게가는지모르겠어"): a pattern may match either."""
    said = _squeeze(text)
    standard = _squeeze(standardize_text(normalize(text)))
    return (said,) if standard == said else (said, standard)


def detect_intent(text: str) -> str | None:
    forms = views(text)
    if not forms[0]:
        return None
    for name, pattern in _INTENTS:
        if any(re.search(pattern, s) for s in forms):
            return name
    return None


def detect_facet(text: str) -> str | None:
    forms = views(text)
    for name, pattern in _FACETS:
        if any(re.search(pattern, s) for s in forms):
            return name
    return None


_YES = r"^(네|예|응|어|그래|그럼요|맞아|맞습니다|그렇습니다|그래요|좋아요|네네|예예)(요|네|맞아요|맞습니다|그래요|그거요|그거예요)*$"
_NO = r"^(아니|아뇨|아니요|아니에요|아닙니다|아니야|틀렸|그거아니|그게아니)"


_PII_CLAUSE = re.compile(
    r"(제|내|저의|우리|나의)?\s*(주민(등록)?\s?번호|전화\s?번호|핸드폰\s?번호|휴대폰\s?번호|폰\s?번호|연락처|계좌(번호)?|"
    r"카드(번호)?|번호|이메일|메일)?(는|은|가|이|요)?\s*[*\d][*\d\s-]*[*\d]\s*(이?고|인데요?|이에요|예요|입니다|이요|요)?[,.]?")
_GREETING = re.compile(r"^\s*(네\s*|예\s*|아이고\s*)?(안녕하세요|안녕하십니까|안녕하시오|안녕하신교|안녕하능교|안녕하십니꺼|안녕하슈|"
                       r"안녕하시우|안녕허세요|반갑습니다|반가워요|반갑소|반갑구먼|반갑데이|안녕)(?![가-힣])[\s,.!~]*")


def strip_pii(text: str) -> str:
    """The text without the masked personal data and the clause that says it ("제 주민번호가 ***인데 ...")."""
    return " ".join(_PII_CLAUSE.sub(" ", text).split())


def strip_greeting(text: str) -> tuple[bool, str]:
    """(True, the rest) when a greeting opens a longer turn ("안녕하세요 기초연금 받을 수 있어요?")."""
    m = _GREETING.match(text)
    rest = text[m.end():].strip() if m else text
    return (bool(m) and bool(normalize(rest))), (rest if m and normalize(rest) else text)


def detect_yes_no(text: str) -> bool | None:
    """True for a short yes, False for a no, None otherwise."""
    s = _squeeze(text)
    if re.search(_YES, s):
        return True
    if re.search(_NO, s):
        return False
    return None


def detect_ordinal(text: str) -> int | None:
    s = _squeeze(text)
    for pattern, index in _ORDINALS:
        if re.search(pattern, s):
            return index
    return None


def has_batchim(word: str) -> bool:
    """True when the last Hangul syllable ends in a consonant (chooses 과/와, 은/는, 을/를)."""
    for ch in reversed(word.strip()):
        if "가" <= ch <= "힣":
            return (ord(ch) - 0xAC00) % 28 != 0
        if ch.isdigit():
            return ch in "013678"
        if ch.isalpha():
            return False
    return False


def josa(word: str, with_batchim: str, without: str) -> str:
    return word + (with_batchim if has_batchim(word) else without)
