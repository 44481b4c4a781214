"""What the kiosk says to a person in distress in front of it, per crisis category.

The kiosk acts instead of delegating: staff are alerted at once (moderation's StaffAlert, or the
dialogue's own for a senior who seems lost), the spoken reply says in short calm sentences that
help is coming, and the number is shown on screen for anyone who can call. A person in pain is
never told to dial a number themselves.

A session stays in the crisis state, with no idle goodbye, until staff clear it (StaffAction).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nodes.dialogue import intents


@dataclass(frozen=True)
class CrisisScript:
    hotline: str        # shown on screen (Reply.hotline)
    spoken: str         # calm, short sentences; help is on its way
    screen: str         # what the screen shows under the number
    holding: str        # said to anything else while waiting for staff


_WAIT = "직원이 곧 올 거예요. 조금만 기다려 주세요."

SCRIPTS: dict[str, CrisisScript] = {
    "medical": CrisisScript(
        "119", "많이 아프시지요. 직원을 바로 불렀어요. 곧 올 거예요. 편하게 앉아서 기다려 주세요.",
        "직원을 불렀습니다. 곁에 계신 분은 119에 전화해 주세요.", "직원이 곧 와요. 편하게 앉아 계세요."),
    "fire": CrisisScript(
        "119", "직원에게 바로 알렸어요. 곧 올 거예요. 위험한 곳에는 가까이 가지 마세요.",
        "직원을 불렀습니다. 곁에 계신 분은 119에 신고해 주세요.", _WAIT),
    "suicide": CrisisScript(
        "109", "말씀해 주셔서 고마워요. 직원이 곧 와서 곁에 있을 거예요. 여기서 같이 기다려요.",
        "자살예방 상담전화 109 (24시간). 직원을 불렀습니다.", "저도 여기 있어요. 직원이 곧 올 거예요."),
    "sexual_violence": CrisisScript(
        "1366", "많이 놀라셨지요. 어르신 잘못이 아니에요. 직원이 곧 와서 도와드릴 거예요.",
        "여성긴급전화 1366 (24시간, 성폭력 피해 상담과 해바라기센터 연결). 직원을 불렀습니다.", _WAIT),
    "family_violence": CrisisScript(
        "1366", "많이 힘드셨지요. 여기는 안전해요. 직원이 곧 와서 도와드릴 거예요.",
        "여성긴급전화 1366 (24시간, 가정폭력 상담). 위험하면 112. 직원을 불렀습니다.", _WAIT),
    "elder_abuse": CrisisScript(
        "1577-1389", "많이 힘드셨지요. 여기는 안전해요. 직원이 곧 와서 도와드릴 거예요.",
        "노인보호전문기관 1577-1389 (24시간). 직원을 불렀습니다.", _WAIT),
    "financial_abuse": CrisisScript(
        "1577-1389", "돈 문제로 걱정이 많으시지요. 직원이 곧 와서 같이 알아봐 드릴 거예요.",
        "노인보호전문기관 1577-1389. 사기가 의심되면 112. 직원을 불렀습니다.", _WAIT),
    "crime": CrisisScript(
        "112", "많이 놀라셨지요. 여기는 안전해요. 직원이 곧 와서 도와드릴 거예요.",
        "경찰 112. 직원을 불렀습니다.", _WAIT),
    "lost": CrisisScript(
        "112", "괜찮아요. 직원을 불렀어요. 곧 올 거예요. 여기 앉아서 잠시만 기다려 주세요.",
        "직원을 불렀습니다. 길을 잃으신 어르신을 보시면 112에 알려 주세요.",
        "괜찮아요. 직원이 곧 와요. 여기 계시면 돼요."),
}
_BY_HOTLINE = {"119": "medical", "109": "suicide", "1366": "family_violence", "1577-1389": "elder_abuse",
               "112": "crime"}
# Priority when a verdict names several categories: the most urgent for a body first.
_ORDER = ("medical", "fire", "suicide", "sexual_violence", "family_violence", "crime", "elder_abuse",
          "financial_abuse", "lost")


def category_of(categories: list[str], hotline: str | None) -> str:
    """The one category the reply speaks to."""
    for name in _ORDER:
        if name in categories:
            return name
    return _BY_HOTLINE.get((hotline or "").strip(), "suicide" if not categories else "crime")


def script(categories: list[str], hotline: str | None) -> tuple[str, CrisisScript]:
    name = category_of(categories, hotline)
    s = SCRIPTS[name]
    if hotline and hotline != s.hotline:   # moderation's rule may name a more specific number
        s = CrisisScript(hotline, s.spoken, f"{hotline}. {s.screen}", s.holding)
    return name, s


# A senior who does not know where they are or how to get home: first person only (a family
# member who wanders is a question about 배회감지기 or 치매안심센터, not a senior lost here).
_LOST = re.compile(
    r"여기가어디|여기어디(예요|에요|여|인가|지|요|야|고|노)|(여기|여)가?(어딘|어덴)(지|가|교|고|데|겨|여|요)|어딘지(잘|하나도|통|도무지|전혀)?모르|어디인지(잘|하나도|통|도무지|전혀)?모르|어디로가야할지모르"
    r"|집에(어떻게|우째|어찌|어케)?(가고싶|가야되|가야하|갈래|보내)|집에가는길|집(으로)?가는길을?(모르|잃|까먹|잊)"
    # which flat was home ("우리 집이 몇 동이더라 아파트가 다 똑같아서 못 찾겠다")
    r"|(우리집|내집)(이|은)?몇(동|호)(이더라|인지|이었|였|이드라|이여)|(아파트|집)(가|이|들이)?다똑같[^?]{0,10}못찾"
    # which way home ("우리 아파트가 어느 쪽이고 다 똑같이 생겨가")
    r"|(우리|내)(아파트|집|동네|빌라)(가|이|는|은)?어느쪽(이고|인지|이여|이야|이가|이더라|이드라|고|여)"
    r"|길을?잃(었|어버렸|어부렀|어부러|어뿌렀|어뿟|어삣|어버려|었어|은것)|집(이|을)?(어딘지|어디였는지|못찾|어느쪽)|우리집(이|을)?(어디|못찾|어느쪽)"
    r"|어떻게왔는지(모르|기억)|여기왜왔는지|집주소(가|를)?(기억|생각)(이)?안|(우리|내)집주소(를|가)?(모르|까먹|잊)|"
    # one's own address forgotten ("내 사는 주소를 까먹어뿟다"); which way home, in Jeju speech ("어디로 가사 집인지 몰르쿠다")
    r"(내|제|우리)(가)?사는(집)?주소(를|가|도)?(모르|몰르|까먹|잊|생각이안|기억이안)|어디로가(야|사|믄|면)?(우리)?집인지(모르|몰르|몰라)|(집|우리집)호수(를|가)?(모르|까먹|잊|생각이안|기억이안)"
    # where am I, two places offered ("여가 서울이가 부산이가")
    r"|^(여가|여기가|여는|여기는)(서울|부산|대구|광주|대전|인천|울산|제주)(이가|가|인가|이여|여|이고|고|인교)"
    r"((서울|부산|대구|광주|대전|인천|울산|제주)(이가|가|인가|이여|여|이고|고|인교))?$"
    r"|^(여가|여기가|여는|여기는)(병원|동사무소|주민센터|시장|역|기차역|은행|우체국|보건소|구청|시청|복지관|경로당|약국|교회|절|터미널|정류장|아파트|성당)(이여|여|이가|가|인가|이고|고|인교|이요|요|이유|유|이야|야)"
    r"(병원|동사무소|주민센터|시장|역|기차역|은행|우체국|보건소|구청|시청|복지관|경로당|약국|교회|절|터미널|정류장|아파트|성당)(이여|여|이가|가|인가|이고|고|인교|이요|요|이유|유|이야|야)$"
    r"|^(여가|여기가|여는|여기는)(어데|어디)|내가(어데|어디)(있|와)|집에(어떻게|우째|어찌|어케)가는지(모르|기억)|집에(어떻게|우째|어찌|어케)가(노|나|지|야돼|야되|야하)?(요|예|유)?$"
    r"|(왜|와|뭐하러|뭣하러|뭐하로)(여|여기|이곳|이까지)?(에)?(왔는지|온건지|왔는가)(모르|생각이안|기억이안|까먹)|(집|여기)(에|까지)?어떻게가(는지|야하는지|야되는지)(모르|생각이안|기억이안)"
    r"|집(에|으로|까지)?(어떻게|우째|어찌|어케|어디로)?(가야|돌아가야)(될|할|하는|되는|될런)지(도)?(모르|생각이안|기억이안|까먹)"
    # the way out of the building lost ("나가는 문이 어디여 들어온 데를 못 찾겠어", "빙빙 돌고 있는데 밖으로 어떻게 나가요")
    r"|(나가는|나갈)(문|길|데|곳)(이|을|를|가|은|는)?(어디|어데|워디|못찾|몬찾|모르)|출구(가|를|는)?(어디|어데|워디|못찾|몬찾)"
    r"|들어온(데|곳|문|길)(를|을|가|이)?(못찾|몬찾|모르|어딘지)|빙빙(돌|헤매)[^?]{0,20}(나가|나갈|출구|못찾|몬찾)")
# Confusion said without "lost" or "home": the day or year asked with a word of confusion ("오늘이
# 며칠이여 정신이 없어"), not knowing where one got off, forgetting why one came, a place that is not
# one's own neighbourhood. Weaker than _LOST: the policy counts them only when the turn names no
# service ("우리 동네가 아닌데 여기서 전입신고 돼요" is a question).
_CONFUSION_WORD = r"(정신이(없|하나도|깜빡|오락가락|가물)|헷갈|깜빡|가물가물|기억이(안|잘안|도안)|생각이(안|잘안|도안)|모르겠|모르겄|모르것|모르갔|까먹|잊어버|잊었|어리벙벙|멍하)"
_CONFUSED = re.compile(
    r"(오늘|지금|올해|요새|요즘|금년)(이|은|가|는|이가)?((무슨|몇|어느)(요일|일|날|월|년|년도|해|달)|며칠|메칠|몇일)"
    r"(이|인|이에|예|에|이여|여|이고|고|노|인가|인지|이냐|이야|인교|이요|요|지)?[^?]{0,20}" + _CONFUSION_WORD
    + r"|" + _CONFUSION_WORD + r"[^?]{0,12}(오늘|지금|올해)(이|은|가|는)?(무슨|몇|며칠|메칠|몇일)(요일|일|날|월|년|년도|해)"
    r"|(어디서|어데서|워디서|어디에서|어느역에서|어느정류장에서|어느정거장에서)(내렸|탔|왔)(는지|는가|나|더라|드라|던가|던지)"
    # who brought one here forgotten ("나 누구랑 왔는지 모르겠어"); which place one came to ("병원에 왔는지 동사무소에 왔는지 헷갈리네")
    r"|(에|로|엘)(왔는지|온건지|온긴지)[^?]{0,14}(에|로|엘)(왔는지|온건지|온긴지)[^?]{0,4}" + _CONFUSION_WORD +
    r"|(누구|누구누구|누)(랑|하고|하구|와|캉|허고)(같이|함께)?(왔|온)(는지|는가|나|더라|드라|던가|던지|건지|기)(도|를)?" + _CONFUSION_WORD + r"?"
    r"|누가(나를?|날)?(데려|데리고|델꼬|태워)(왔|다줬)(는지|는가|나|더라|드라|던가|던지|건지)"
    r"|(뭐하러|뭣하러|뭐하로|머하러|머하로|무슨일로|뭐땜에|뭐때문에|뭐할라꼬|뭐할라고|뭐하려고|뭐할려고)(내가)?(여|여기|이곳|이까지)?(에)?"
    r"(왔더라|왔드라|왔던가|왔던고|왔지|왔는고|왔노|왔을까|왔는데)($|까먹|모르|생각이안|기억이안|가물)"
    r"|(여기|여|이동네|이곳)(가|는|이)?(무슨|어느)(동|동네|구|마을|역|시|군|고장)[^?]{0,12}((우리|내|내가사는)동네(가|는)?아닌|처음보는|낯설|모르는동네|" + _CONFUSION_WORD[1:]
    + r"|(우리|내|내가사는)동네(가|는)?아닌(것|거|갑|듯|데)[^?]{0,6}(여기|여가|어디|어데)"
    # orientation asked outright: today's day of the week, whether it is morning or evening, the year
    # ("오늘이 무슨 요일이고", "지금 아침이여 저녁이여"); an hour asked ("지금 몇 시예요") is not one
    r"|(오늘|지금)(이|은|가|는)?(무슨|몇)요일|^(지금|오늘|시방|인자)?(이|은|가|는)?(올해|금년)(가|이|는|은)?(몇년|몇년도|무슨해)[가-힣]{0,4}$"
    r"|(아침|낮|저녁|밤|오전|오후)(이여|이야|이에요|예요|이가|인가|이고|이냐|이유|인교|인지|이요)?(아니면|아이면|아님)?"
    r"(아침|낮|저녁|밤|오전|오후)(이여|이야|이에요|예요|이가|인가|이고|이냐|이유|인교|이지|인지|이요)"
    # which place this is, asked outright ("여기가 무신 동이우꽈": the dialect map reads 무신 as 무슨)
    r"|^(여기|여|여가)(가|는|이)?(무슨|뭔)(동|동네|마을|면|읍)(이|인|이우|이유|이여|이고|이가|이요|이에요|입니까|이꽈|이우꽈)"
    # the way not known ("길을 몰르쿠다"; with no service named, a person, not a map, helps)
    r"|길(을|도|을잘|도잘|을통|을하나도)?(몰르|모르겠|모르것|모르겄|몰라|몰러|모리겠|모르쿠|몰라서|모르네|모른다|모르는데|모르는디)"
    # the year asked the other way round ("몇 년이여 시방이"); where here is, asked in any ending after a
    # guess ("여가 약국이유 어디유"); one's own address or home number gone ("우리 집 번호가 생각이 안 나")
    r"|^(몇년|몇년도|무슨해)(여|이여|야|이야|이오|요|예요|인가|인교|고|이고|이가|가|냐|이냐|지|이지|이요|이유|유)?(올해|금년|지금|시방|인자)(가|이|는|은)?[가-힣]{0,2}$"
    r"|^(여기|여|이곳|여긴|여는)(가|는|이|은)?[^?]{0,8}(어디|어데|워디)(우꽈|이우꽈|꽈|예요|에요|여|이여|유|이유|인교|고|노|냐|야|요|이요|오|이오|입니까|입니꺼|인가요|인가|랑가|당가|라|이라)$"
    r"|(우리집|집|내)(전화)?(번호|주소)(가|도|를|는)?(기억|생각)(이|도)?(안|잘안|통안|하나도안)|(우리집|집|내)(전화)?(번호|주소)(가|도|를|는)?(모르겠|모르겄|모르것|몰라|까먹|잊어)"
    r"|(동호수|몇동몇호|집호수|아파트호수)(가|도|를|는|인지)?(기억|생각)(이|도)?(안|잘안|통안)"
    # where one lives gone ("어디 사는지가 기억이 안 나"); a family member's number forgotten; the date
    # asked with a guessed weekday ("오늘이 며칠이여 월요일인가")
    r"|(어디|어데|워디)(사는지|살았는지|사는가|사는데)(가|도|를|는)?" + _CONFUSION_WORD
    + r"|(아들|딸|영감|며느리|사위|손주|손자|손녀|남편|자식|딸내미|딸래미|아들놈|식구|가족)(네)?(전화|핸드폰|휴대폰)?번호(를|가|도|는)?" + _CONFUSION_WORD
    + r"|(몇동|몇호|무슨아파트|어느아파트)(인지|였는지|였더라)[^?]{0,6}" + _CONFUSION_WORD
    # one's children's names gone; the way to one's own flats not known
    + r"|(우리|내)?(애들|자식|자식들|아들|딸|손주|새끼들|며느리|사위|영감|남편|마누라)(이름|이름이|이름도|이름을)(이|은|는)?(뭐였더라|뭐더라|뭐였지)?[^?]{0,4}" + _CONFUSION_WORD
    + r"|가는길이(었|였)(나|더라|지|는지)[^?]{0,12}(어디|어데|워디)가는길"
    + r"|(우리|내)(아파트|집|동네)(에|까지|로)?(어떻게|우째|어찌|어케)가(는지|나|노)[^?]{0,4}" + _CONFUSION_WORD
    + r"|(오늘|지금)(이|은|가|는)?(며칠|메칠|몇일)[가-힣]{0,3}(월|화|수|목|금|토|일)요일(인가|이가|인교|이여|이지|인지|이제|이고|가|이요|여)"
    # the name of one's own flats forgotten ("아파트 이름이 뭐였더라 우리 집 가야 되는데"); off at the
    # wrong stop and not knowing where ("버스를 잘못 내렸나 봐 여기가 무슨 동이여")
    r"|(우리|내|우리집|집)?(아파트|빌라|동네|마을)(이름|주소)(이|가|을|를)?(뭐였더라|뭐더라|뭐였지|뭐드라|뭐였드라|생각이안|기억이안|까먹)"
    r"|(잘못|엉뚱한데|엉뚱한데서|엉뚱한곳에서)(내렸|탔|왔)[^?]{0,20}(여기|여가|여는|어디|어데|무슨동|어느동|무슨동네)")

# Left here by a companion who has not come back ("아들이 여 있으라 캤는데 어데 갔노"): the other
# person is the one who went away, so no first-person check.
_LEFT_WAITING = re.compile(
    r"(아들|딸|영감|며느리|사위|손주|손자|손녀|남편|마누라|할멈|자식|데려온사람|같이온사람)(이|가|은|는)?(어디|어데)(로)?(갔노|갔나|갔어|갔지|갔능교|갔는교|갔을까|가버렸노|가버렸나|가버렸어)(요|예|유)?$"
    r"|(있으라|기다리라|앉아있으라)(고)?(했|캤|켔|카더|하더|해놓고|카고|하고|하더니|카더니|해놓고는)[^?]{0,20}(안와|안오|안온|안왔|안옵|어디|어데|없어|모르)"
    # a companion who said they would be right back and has not come ("아들이 금방 온다 캤는데 한참 됐다")
    r"|(아들|딸|영감|며느리|사위|손주|손자|손녀|남편|마누라|할멈|자식|딸내미|아들놈|데려온사람|같이온사람)(이|가|은|는)?[^?]{0,8}"
    r"(온다|오께|올게|올께|오겠다|온다꼬|오마|돌아온다|돌아올게)(고|꼬)?(했|캤|카더|하더|하고|카고|해놓고|하더니|카더니|카데|하데|그랬)"
    r"[^?]{0,20}(안와|안오|안온|안왔|안옵|어디|어데|없어|모르|한참|소식|연락이없|안보여|아직)"
    # waiting for one who does not come, said plainly ("딸 기다리는데 딸이 안 와"); "안 온다" is 안+온,
    # not 안+오, so each form of the verb is listed
    r"|(아들|딸|영감|며느리|사위|손주|손자|손녀|남편|마누라|할멈|자식|딸내미|아들놈)(을|를)?(기다리|기둘리|기다려)[^?]{0,12}(안와|안오|안온|안왔|안옵|어디갔|어데갔|안보)"
    # a companion who brought the senior and is nowhere to be seen ("영감이랑 왔는데 어데 간 지 안 보이네")
    r"|(같이왔|데리고왔|데려왔|델꼬왔|따라왔|같이온|데리고온|데려온|델꼬온)[^?]{0,12}((어디|어데|워디)(로)?(갔|가버렸)|안보여|안보이|없어졌|사라졌)"
    # back from the toilet and the companion gone ("화장실 갔다 오니까 아들이 없어")
    r"|(화장실|볼일)(을|에)?(갔다|다녀|댕겨)(오니까|오니|와보니|왔더니|오니께|오니깐|와보니께|왔는데)[^?]{0,6}(아들|딸|영감|며느리|사위|손주|손자|손녀|남편|마누라|할멈|자식|딸내미|아들놈|보호자|요양보호사|간병인|일행)(이|가|은|는)?(없|안보|사라)"
    # a companion who stepped away a moment and has not come back ("딸이 화장실 간다 카고 갔는데 안 오네")
    r"|(아들|딸|영감|며느리|사위|손주|손자|손녀|남편|마누라|할멈|자식|딸내미|요양보호사|보호자|간병인)(이|가|은|는)?[^?]{0,12}"
    r"(화장실|차대|차빼|주차|잠깐|잠시|금방)[^?]{0,10}(갔는데|갔는디|가더니|갔다가|갔거든|간다고하더니|간다카더니|간다더니|간다고하고|간다카고)[^?]{0,4}(안와|안오|안온|안왔|안옵|안보)")
# the year asked outright, first thing ("지금 몇 년도요 우리 어머니가 집에서 기다리실 텐데"): nobody
# who knows the year asks it; someone else's question is reported ("몇 년도냐고 물어요"), not asked
_WHAT_YEAR = re.compile(r"(지금|올해|금년|시방|인자|이제)(이|은|는|가)?(몇년도|몇년|몇해|무슨해)"
                        r"(요|여|유|예|이요|이여|이유|인교|인가|이가|고|이고|노|지|이지|래요|라요|이래요|이라요|입니까|이오|오|냐|이냐|야|이야)?(요|예)?($|[^고])")
_OTHER_PERSON = re.compile(r"(어머니|아버지|엄마|아빠|어머님|아버님|남편|아내|영감|할멈|마누라|할머니|할아버지|"
                           r"치매|아들|딸|손주|손자|손녀|친구|이웃|동생|형님|언니|누나|오빠)(가|이|께서|는|은|를|을)")


def is_confused(text: str) -> bool:
    """The speaker seems confused about the day, the place or why they came, without saying "lost"
    ("지금 몇 년도여 자꾸 헷갈려"). The policy treats it as lost only when no service is named."""
    return any((_CONFUSED.search(s) and not _OTHER_PERSON.search(s)) or _WHAT_YEAR.match(s)
               for s in intents.views(text))


def left_waiting(text: str) -> bool:
    """Left here by a companion who has not come back ("아들이 여 있으라 캤는데 안 오네")."""
    return any(_LEFT_WAITING.search(s) for s in intents.views(text))


def is_lost(text: str) -> bool:
    """The speaker seems lost or confused about where they are ("집에 가고싶은데 어떻게해요?")."""
    forms = intents.views(text)
    return any(_LEFT_WAITING.search(s) or (_LOST.search(s) and not _OTHER_PERSON.search(s)) for s in forms)
