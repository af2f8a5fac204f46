"""The figures a passage cites, and the places where the source lost its digits.

A figure is a number with what it counts: Arabic (``2020/3/11 19:59``, ``15%``, ``3天``) or
Chinese (``百亿``, ``千亿平台``, ``六大攻坚战``, ``第一批``, ``一个多月``, ``正月初七``).

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


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    kind: str
    missing: bool
    unit: str | None = None  # None: the regex group "unit"
    context: int = 0  # characters of context kept before a missing figure


def _rule(pattern: str, kind: str, missing: bool = False, unit: str | None = None, context: int = 0) -> _Rule:
    return _Rule(re.compile(pattern), kind, missing, unit, context)


# Order matters: earlier rules claim their characters first.
_RULES = (
    # --- figures that are there ----------------------------------------------------------
    _rule(
        rf"[{_DIGIT}]{{4}}[/.\-年][{_DIGIT}]{{1,2}}[/.\-月][{_DIGIT}]{{1,2}}日?(?:\s*[{_DIGIT}]{{1,2}}:[{_DIGIT}]{{2}})?",
        "date",
        unit="date",
    ),
    _rule(rf"[{_DIGIT}]+(?:[.,][{_DIGIT}]+)?\s*(?:%|％|‰|个百分点)", "percent", unit="%"),
    _rule(rf"[{_DIGIT}]+(?:[.,][{_DIGIT}]+)?\s*(?P<unit>[亿万千百]?[{_COUNT_MEASURE}天年月日]|[亿万])", "count"),
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
    # --- places where the digits were stripped ---------------------------------------------
    # A share that lost its percentages: 贡献了桐庐的税收的就业的.
    _rule(rf"贡献了?[{_CJK}]{{0,4}}的[{_CJK}]{{1,4}}的(?:[{_CJK}]{{1,4}}的)?", "percent", True, "%"),
    # 增长 with its rate gone (增长，/ 增长改变…), but not 正增长.
    _rule(rf"(?<![正负高稳持])增长(?=[{_CLAUSE_END}]|[改提回实创推])", "percent", True, "%", context=5),
    # 近 / 约 / 占 right before the end of the clause: 占中国快递市场近。
    _rule(rf"(?<=[{_CJK}])(?:近|约|逾|超)(?=[{_CLAUSE_END}])", "percent", True, "%", context=6),
    # A magnitude standing alone: 达亿件, 超过万人, 增加值亿。
    _rule(
        rf"(?<![{_NUM}])(?:亿|万)(?P<unit>[{_COUNT_MEASURE}]?)(?=[{_CLAUSE_END}]|(?<=[{_COUNT_MEASURE}]))",
        "magnitude",
        True,
        context=5,
    ),
    # Dates: 月日, 今年月底, a clause that opens with 年 (2020年，…).
    _rule(rf"(?<![{_NUM}正])月(?:日|底|初|中旬|上旬|下旬)", "date", True, "date", context=2),
    _rule(rf"(?:^|(?<=[{_CLAUSE_END}]))年(?=[{_CLAUSE_END}]|[这那我全桐])|(?<=数字)年", "date", True, "date"),
    _rule(r"连续(?=[天年月周日])[天年月周日]", "count", True, "天"),
    _rule(r"共计(?P<unit>[条个项件家人])", "count", True),
    # A measure word closing a clause with no number before it: 招引制造业项目个，净增国高企业家。
    _rule(
        rf"(?<=[{_CJK}])(?<![{_NUM}几每各首某整这那哪])(?P<unit>[个家项件名])(?=[{_CLAUSE_END}])",
        "count",
        True,
        context=4,
    ),
    # A headcount before the people it counts: 位确诊病例.
    _rule(
        rf"(?<=[{_CJK}])(?<![{_NUM}几每各首某单岗地部学职座价诸这那哪])位(?:确诊病例|确诊|病例|患者|代表|专家)",
        "count",
        True,
        "位",
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
            taken[start:end] = [True] * (end - start)
            unit = rule.unit if rule.unit is not None else (found.groupdict().get("unit") or "")
            if not unit:
                unit = found.group(0)[0] if rule.kind == "magnitude" else found.group(0)[-1]
            shown = _shown_from(text, start, rule.context)
            figures.append(Figure(text[shown:end], rule.missing, rule.kind, unit, start, end))
    return tuple(sorted(figures, key=lambda f: f.start))


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
