"""The figures a passage cites, and the places where the source lost its digits.

A figure is a number with what it counts: Arabic (``2020/3/11 19:59``, ``15%``, ``3天``) or
Chinese (``百亿``, ``千亿平台``, ``六大攻坚战``, ``第一批``, ``一个多月``, ``正月初七``); dates and times
(``去年11月``, ``3月11日``, ``2024年底``, ``昨天上午8点``, ``9时30分``); approximations and ranges
(``约20多平方米``, ``近400户``, ``3000多人次``, ``100元至500元``, ``3至5年``); shares (``72%``,
``百分之十五``, ``三成``).

The article's Arabic digits were stripped before it reached us, leaving units and magnitudes
with nothing in front (``全国快递包裹达亿件``, ``连续天``, ``共计条``, ``月日``). Those places are
figures too, with ``missing=True``: the bot says the number is gone and never guesses it.
Each rule below names the trace a lost number leaves in Chinese text; they are written for
any such text, not for one sentence of one article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_DIGIT = r"0-9０-９"
_CN = "零〇一二两三四五六七八九十百千万亿"
_NUM = _DIGIT + _CN
_COUNT_MEASURE = "个家条件人位项名批次倍所座台亩吨只元"
_CJK = r"\u4e00-\u9fff"
_CLAUSE_END = "，。、；！？：,.;!?"
# Numbers, approximations and units, for the rules below.
_AR = rf"[{_DIGIT}]+(?:[.,][{_DIGIT}]+)?"
_APPROX = r"(?:约|近|逾|超过|不到|不足|将近|大约|至少|最多)"
_UNITS = (
    "平方公里|平方千米|平方米|立方米|公里|千米|厘米|毫米|公顷|万元|亿元|块钱|人次|周岁|个月|小时|分钟|公斤|千克|"
    "米|亩|元|块|户|人|名|位|个|家|座|所|栋|间|套|台|辆|架|艘|张|本|份|篇|条|项|件|批|次|场|届|轮|只|头|棵|株|吨|斤|"
    "克|岁|年|周|天|日|秒|倍|层|处|种|类|部"
)
_DAY = r"(?:昨天|今天|明天|前天|当天|次日|当晚|昨日|今日|昨晚|今晚)"
_DAYTIME = r"(?:凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里|夜间)"
_RANGE = r"(?:至|到|~|～|-|—|－)"
# Common words that end in a measure word without counting (国家, 专家, 文件, 排名): a
# clause that ends in one lost no number. Two-character words of jieba's dictionary.
_WORDS_ENDING_IN_MEASURES = frozenset(
    (
        "个个 真个 单个 俗名 出名 别名 原名 又名 取名 命名 地名 声名 大名 姓名 威名 得名 慕名 成名 "
        "报名 排名 提名 改名 更名 有名 校名 知名 签名 罪名 联名 著名 闻名 驰名 齐名 专家 世家 人家 "
        "他家 作家 你家 儒家 全家 农家 出家 厂家 名家 商家 回家 国家 土家 在家 大家 娘家 学家 官家 "
        "庄家 我家 独家 画家 皇家 管家 老家 自家 谁家 酒家 专项 事项 款项 立项 选项 事件 信件 元件 "
        "器件 大件 文件 条件 构件 案件 物件 硬件 证件 软件 邮件 部件 配件 附件 零件 "
    ).split()
)
# A clause this short is shown whole around a missing figure.
_SHORT_CLAUSE = 8
# Idioms that hold numerals without counting anything (an article's own such terms, 三通一达,
# come from its lexicon: ``not_figures.txt``).
IDIOMS = frozenset({"千家万户", "千方百计", "万众一心", "一心一意", "十全十美", "三心二意", "一五一十", "七上八下"})


@dataclass(frozen=True)
class Figure:
    """A figure in a passage: its text, where it stands, and what it counts."""

    text: str
    missing: bool
    kind: str  # date, percent, count, magnitude, ordinal, duration
    unit: str  # the measure word, "%", "date", or the magnitude (亿, 万)
    start: int
    end: int
    shown_from: int = -1  # where ``text`` begins (it may start before ``start`` and end after ``end``)
    gaps: tuple[int, ...] = ()  # for a missing figure: where its digits stood (达|亿件, 连续|天, |月|日)


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    kind: str
    missing: bool
    unit: str | None = None  # None: the regex group "unit"
    context: int = 0  # characters of context kept before a missing figure
    common_words: bool = False  # no trace where the match ends a common word (国家, 文件)
    after: int = 0  # characters after it kept too (a lone 年 means little alone)
    within_clause: bool = False  # …up to the clause's end only (增长〔?〕改变, 〔?〕位确诊病例已经…)
    gap: str = "start"  # where the lost digits stood: start, end, unit (before it), last, each 的, month_day


def _rule(
    pattern: str,
    kind: str,
    missing: bool = False,
    unit: str | None = None,
    context: int = 0,
    *,
    common_words: bool = False,
    after: int = 0,
    within_clause: bool = False,
    gap: str = "start",
) -> _Rule:
    return _Rule(re.compile(pattern), kind, missing, unit, context, common_words, after, within_clause, gap)


# Order matters: earlier rules claim their characters first.
_RULES = (
    # --- figures that are there ----------------------------------------------------------
    _rule(
        rf"[{_DIGIT}]{{4}}[/.\-年][{_DIGIT}]{{1,2}}[/.\-月][{_DIGIT}]{{1,2}}日?(?:\s*[{_DIGIT}]{{1,2}}:[{_DIGIT}]{{2}})?",
        "date",
        unit="date",
    ),
    # Dates and times: 去年11月, 3月11日, 2024年底, 昨天上午8点, 9时30分.
    _rule(
        rf"(?:(?:今|去|明|前)年)?[{_DIGIT}]{{1,2}}月(?:[{_DIGIT}]{{1,2}}[日号])?(?:上旬|中旬|下旬|底|初)?"
        rf"|[{_DIGIT}]{{4}}年(?:[{_DIGIT}]{{1,2}}月(?:[{_DIGIT}]{{1,2}}[日号])?)?(?:上半年|下半年|底|初)?"
        rf"|(?:(?:今|去|明)年)?[一二三四五六七八九十]{{1,3}}月(?:[一二三四五六七八九十]{{1,3}}[日号])?(?:上旬|中旬|下旬|底|初)?",
        "date",
        unit="date",
    ),
    _rule(
        rf"{_DAY}?{_DAYTIME}?[{_DIGIT}]{{1,2}}(?:[点时](?:[{_DIGIT}]{{1,2}}分|半|许)?|:[{_DIGIT}]{{2}})"
        rf"|{_DAY}?{_DAYTIME}[一二三四五六七八九十]{{1,3}}[点时](?:[一二三四五六七八九十]{{1,3}}分|半|许)?",
        "date",
        unit="time",
    ),
    _rule(
        rf"{_APPROX}?{_AR}\s*(?:%|％|‰|个百分点)|百分之[零一二两三四五六七八九十百]+(?:点[零一二三四五六七八九]+)?"
        r"|[一二三四五六七八九十]成(?:以上|左右|多)?",
        "percent",
        unit="%",
    ),
    # Ranges and approximations with their unit: 100元至500元, 3至5年, 约20多平方米, 近400户.
    _rule(
        rf"{_APPROX}?{_AR}(?:{_UNITS})?{_RANGE}{_AR}(?:多|余)?[亿万千百]?(?:多|余)?(?P<unit>{_UNITS})",
        "count",
    ),
    _rule(rf"{_APPROX}?{_AR}(?:多|余|来)?\s*(?P<unit>[亿万千百]?(?:多|余)?(?:{_UNITS})|月|[亿万])", "count"),
    _rule(r"正月初[一二三四五六七八九十]+|[一二三四五六七八九十]+月[一二三四五六七八九十]+日", "date", unit="date"),
    _rule(rf"第[{_NUM}]+(?P<unit>[{_COUNT_MEASURE}届期轮])?", "ordinal", unit="ordinal"),
    _rule(r"(?:全国|全省|全市|全县)?首(?:个|批|家|座|次|届)", "ordinal", unit="ordinal"),
    _rule(
        r"(?:一|两|三|四|五|六|七|八|九|十|几)个多?(?:月|小时|星期)|[一两三四五六七八九十]+(?:多)?(?:天|年|周)(?=来|以来|后|前|内|里)",
        "duration",
        unit="duration",
    ),
    _rule(rf"[二三四五六七八九十两]+大(?:[{_CJK}]{{2}}战|[{_CJK}]{{2}})", "count", unit="大"),
    _rule(
        rf"[一二三四五六七八九十两]*[十百千万]+亿(?:[{_CJK}]{{2}})?|[一二三四五六七八九十两]*[十百千]+万(?:[{_CJK}]{{2}})?",
        "magnitude",
        unit="亿",
    ),
    _rule(rf"[二三四五六七八九十两百千]+(?P<unit>[{_COUNT_MEASURE}])(?:[{_CJK}]{{2}})?", "count"),
    _rule(rf"{_APPROX}?[二三四五六七八九十两百千]+(?:多|余)[万亿]?(?P<unit>{_UNITS})", "count"),
    # --- places where the digits were stripped ---------------------------------------------
    # A share that lost its percentages: 贡献了桐庐的税收的就业的.
    _rule(rf"贡献了?[{_CJK}]{{0,4}}的[{_CJK}]{{1,4}}的(?:[{_CJK}]{{1,4}}的)?", "percent", True, "%", gap="de"),
    # 增长 with its rate gone (增长，/ 增长改变…), but not 正增长, 快速增长, 不断增长.
    _rule(
        rf"(?<![正负高稳持速断幅续步显著所])增长(?=[{_CLAUSE_END}]|[改提回实创推])",
        "percent",
        True,
        "%",
        context=5,
        after=2,
        within_clause=True,
        gap="end",
    ),
    # 近 / 约 / 占 right before the end of the clause: 占中国快递市场近。 (Not 附近, 节约.)
    _rule(
        rf"(?<=[{_CJK}])(?:(?<![附最接靠临亲邻就贴])近|(?<![节制签合相违条预公赴邀履契婚隐])约|逾|(?<![高赶])超)"
        rf"(?=[{_CLAUSE_END}])",
        "percent",
        True,
        "%",
        context=6,
        gap="end",
    ),
    # An approximation with a unit and no number: 面积约平方米, 全村近户.
    _rule(
        r"(?:(?<![附最接靠临亲邻就贴将])近|(?<![节制签合相违条预公赴邀履契婚隐大])约|逾|超过|将近|不到|不足)"
        r"(?:多|余)?[万亿千百]?(?P<unit>平方公里|平方米|公里|公顷|万元|亿元|元|户|人次|吨|辆|岁|小时|分钟)",
        "count",
        True,
        context=4,
        gap="unit",
    ),
    # A magnitude standing alone: 达亿件, 超过万人, 增加值亿。
    _rule(
        rf"(?<![{_NUM}])(?:亿|万)(?P<unit>[{_COUNT_MEASURE}]?)(?=[{_CLAUSE_END}]|(?<=[{_COUNT_MEASURE}]))",
        "magnitude",
        True,
        context=5,
    ),
    # Dates: 月日, 今年月底, a clause that opens with 年 (2020年，…).
    _rule(rf"(?<![{_NUM}正])月(?:日|底|初|中旬|上旬|下旬)", "date", True, "date", context=2, gap="month_day"),
    _rule(rf"(?:^|(?<=[{_CLAUSE_END}]))年(?=[{_CLAUSE_END}]|[这那我全桐])|(?<=数字)年", "date", True, "date", after=7),
    _rule(r"连续(?=[天年月周日])[天年月周日]", "count", True, "天", gap="last"),
    _rule(r"共计(?P<unit>[条个项件家人])", "count", True, gap="unit"),
    # A measure word closing a clause with no number before it: 招引制造业项目个，净增国高企业家。
    _rule(
        rf"(?<=[{_CJK}])(?<![{_NUM}几每各首某整这那哪多余])(?P<unit>[个家项件名])(?=[{_CLAUSE_END}])",
        "count",
        True,
        context=4,
        common_words=True,
        gap="unit",
    ),
    # A headcount before the people it counts: 位确诊病例. The number is theirs, so what
    # follows is shown too (低风险〔?〕位确诊病例已经全部治愈出院).
    _rule(
        rf"(?<=[{_CJK}])(?<![{_NUM}几每各首某单岗地部学职座价诸这那哪])位(?:确诊病例|确诊|病例|患者|代表|专家)",
        "count",
        True,
        "位",
        context=3,
        after=8,
        within_clause=True,
    ),
    # An N-字 slogan without its N: 城乡联动字方针.
    _rule(rf"(?<![{_NUM}])字方针", "count", True, "字", context=4),
)


@lru_cache(maxsize=4096)
def extract(text: str, not_figures: frozenset[str] = frozenset()) -> tuple[Figure, ...]:
    """Every figure in ``text``, present or missing, in reading order.

    Numerals inside idioms and inside ``not_figures`` (names such as 三通一达) count nothing.
    """
    taken = [False] * len(text)
    for idiom in IDIOMS | not_figures:
        for found in re.finditer(re.escape(idiom), text):
            taken[found.start() : found.end()] = [True] * (found.end() - found.start())
    figures: list[Figure] = []
    for rule in _RULES:
        for found in rule.pattern.finditer(text):
            start, end = found.span()
            if start == end or any(taken[start:end]):
                continue
            if rule.common_words and text[max(0, end - 2) : end] in _WORDS_ENDING_IN_MEASURES:
                continue
            taken[start:end] = [True] * (end - start)
            unit = rule.unit if rule.unit is not None else (found.groupdict().get("unit") or "")
            if not unit:
                unit = found.group(0)[0] if rule.kind == "magnitude" else found.group(0)[-1]
            shown = _shown_from(text, start, rule.context)
            gaps = _gaps(found, rule.gap) if rule.missing else ()
            after = text[end : end + rule.after]
            if rule.within_clause:
                after = re.split(f"[{_CLAUSE_END}]", after)[0]
            figures.append(Figure(text[shown:end] + after, rule.missing, rule.kind, unit, start, end, shown, gaps))
    return tuple(sorted(figures, key=lambda f: f.start))


def _gaps(found: re.Match[str], gap: str) -> tuple[int, ...]:
    """Where the digits a missing figure lost stood, by its rule's ``gap``."""
    start, end = found.span()
    if gap == "end":
        return (end,)
    if gap == "last":
        return (end - 1,)
    if gap == "unit" and found.groupdict().get("unit"):
        return (found.start("unit"),)
    if gap == "month_day":  # |月|日, |月底
        return (start, start + 1) if found.group().endswith("日") else (start,)
    if gap == "de":  # 贡献了桐庐|的税收|的就业的: before each 的 but the last
        positions = [start + i for i, c in enumerate(found.group()) if c == "的"]
        return tuple(positions[:-1])
    return (start,)


def _shown_from(text: str, start: int, context: int) -> int:
    """Where the shown text of a figure begins.

    Its whole clause when short, else ``context`` characters before it: a missing figure
    means little without what it counted.
    """
    if not context:
        return start
    clause = start
    while clause > 0 and text[clause - 1] not in _CLAUSE_END:
        clause -= 1
    return clause if start - clause <= _SHORT_CLAUSE else start - context
