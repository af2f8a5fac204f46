"""An article's own names and terms, learned from its text, so that jieba cuts them whole.

jieba's dictionary knows Chinese at large, not a county's villages, its officials or the
slogans of one campaign, and cuts them apart (叶建华 → 叶 / 建华, 横樟村 → 横 / 樟村,
三通一达 → 三通 / 一达). Each finder below reads one kind of evidence in the text itself:

- *names jieba's HMM pieced together* and tagged as a person, place, organisation or other
  proper noun (阙玉英 nr), kept when the text shows them as names;
- *a surname and a given name cut apart* where a title comes before (书记叶建华) or a verb of
  saying after (叶建华介绍);
- *places named with their suffix* (村, 镇, 县, 城, 园区…): the suffix and the proper-noun
  words before it (古 / 市镇 → 古市镇, 富春 / 未来 / 城 → 富春未来城);
- *repeated strings that hold together*: every occurrence cut apart by jieba, each part found
  (almost) only inside the string (cohesion), varied neighbours on both sides (boundary
  entropy above zero), and no longer string with the same count (三通一达);
- *numeral slogans*: numeral–word pairs (一核两翼多点, 两餐一送) — terms that count nothing,
  so they also go to ``not_figures``;
- *quoted coinages* (“幸福食堂”).

Titles with 副 (副县长, 副局长) become whole words, so that search mode does not find a 县长 in
them. What is learned is written as the article's layer of the lexicon
(:mod:`bot.core.lexicon`), in jieba's user-dictionary format with tags.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from bot.core.figures import IDIOMS
from bot.core.tokenizer import Tagger

# Tags of proper nouns: person, place, organisation, other.
_PROPER = ("nr", "ns", "nt", "nz")
_CJK = re.compile(r"[\u4e00-\u9fff]+")
_CJK_ONLY = re.compile(r"[\u4e00-\u9fff]+$")
# The most common Chinese surnames (a name starts with one of them).
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
    "文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷"
    "盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷"
    "晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝阙"
)
# Words right before a name (书记叶建华, 村民丁素珍) and right after one (叶建华介绍).
_BEFORE_NAME = re.compile(
    r"(?:书记|县长|镇长|乡长|村长|区长|市长|省长|局长|主任|主席|部长|厅长|委员|常委|编辑|记者|通讯员|村民|居民|"
    r"老人|师傅|医生|老师|校长|院长|经理|董事长|负责人|指挥长|站长|所长|队长|组长|科长|处长|社长|会长|干部|"
    r"志愿者|网格员|阿姨|大爷|大妈|奶奶|爷爷|老板|代表|专家|教授|岁的)$"
)
_AFTER_NAME = re.compile(
    r"^(?:说|表示|介绍|说道|指出|告诉|坦言|认为|强调|透露|回忆|感慨|笑着|提到|称|[，。、：:；！？）)”]|$)"
)
# Suffixes that end a place or organisation name, longest first.
_PLACE_SUFFIXES = (
    "科技城",
    "开发区",
    "产业园",
    "工业园",
    "园区",
    "小镇",
    "新区",
    "街道",
    "社区",
    "村",
    "镇",
    "乡",
    "县",
    "城",
    "区",
    "市",
)
_LONGEST_PLACE = 7
_ADMINISTRATIVE = ("村", "镇", "乡", "县", "市", "区", "街道", "社区")
# Words that never stand in a name: 各乡镇, 全县, 本村; directions before 山区.
_NOT_IN_NAME = frozenset("各每本该这那此其全整我你他她它")
_DIRECTIONS = frozenset(
    {"东", "南", "西", "北", "东北", "西北", "东南", "西南", "中部", "东部", "西部", "南部", "北部"}
)
# Characters a term never starts or ends with: particles, prepositions, conjunctions.
_NO_START = frozenset("的了着过和与及或等也都就还又把被让对从向为将要会在是这那个之其而并且但")
_NO_END = frozenset("的了着过和与及或等也都就还又把被让对从向为将要会在是这那之其而并且但地得")
# Tags of words that may open a place name before its suffix, besides proper nouns and
# words jieba does not know: a lone character (古 / 市镇) that is no function word.
_FUNCTION_TAGS = ("r", "p", "c", "u", "d", "m", "q", "f", "y", "e", "o", "x", "uj", "ul", "zg")
_NUMERALS = "一二三四五六七八九十两多"
# Measure words and time units: after a numeral they make a figure (一个多月), not a slogan.
_MEASURES = frozenset("个家条件人位项名批次倍所座台亩吨只元天年月日周时分秒岁户米里斤届期轮大成")
_SLOGAN = re.compile(rf"(?:[{_NUMERALS}][\u4e00-\u9fff]){{2,4}}")
_QUOTED = re.compile(r"[“\"「『]([\u4e00-\u9fff]{2,8})[”\"」』]")
_VICE_TITLE = re.compile(r"副[\u4e00-\u9fff]{2,3}")
# Repeated strings: lengths considered, how often (at least), and how much of each part's
# occurrences the string must hold.
_NGRAM_SIZES = range(2, 7)
_MIN_REPEATS = 2
_COHESION = 0.6
# Characters that never stand inside a learned term (的 ties two phrases, 说 ends a name).
_NOT_IN_TERM = frozenset("的了着过说")


@dataclass(frozen=True)
class Term:
    """A learned term: the word, its jieba tag, and why it was learned."""

    word: str
    tag: str
    why: str


@dataclass(frozen=True)
class Terms:
    """What the importer learned from one article."""

    words: tuple[Term, ...]
    not_figures: tuple[str, ...]
    whole_words: tuple[str, ...]

    def userdict(self) -> str:
        """The words in jieba's user-dictionary format (``word tag`` a line; jieba's format has no comments)."""
        return "".join(f"{t.word} {t.tag}\n" for t in self.words)


def learn(text: str, tagger: Tagger) -> Terms:
    """The names and terms of ``text`` that jieba does not cut whole, and which of them count nothing."""
    tagged = tagger.tagged(text)
    found: dict[str, Term] = {}

    def keep(word: str, tag: str, why: str) -> None:
        if word not in found and _plausible(word) and not _whole_already(word, tagger):
            found[word] = Term(word, tag, why)

    for word, tag, why in _slogans(text):
        keep(word, tag, why)
    for word, tag, why in _names(tagged, tagger):
        keep(word, tag, why)
    for word, tag, why in _places(tagged, tagger):
        keep(word, tag, why)
    for word, tag, why in _quoted(text):
        keep(word, tag, why)
    for word, tag, why in _repeated(text, tagged, tagger):
        keep(word, tag, why)
    words = tuple(sorted(found.values(), key=lambda t: text.find(t.word)))
    not_figures = tuple(t.word for t in words if any(c in _NUMERALS for c in t.word) and t.word not in IDIOMS)
    titles = (_vice_title(m, tagger) for m in _VICE_TITLE.findall(text))
    whole = tuple(dict.fromkeys(t for t in titles if t))
    return Terms(words, not_figures, whole)


def _plausible(word: str) -> bool:
    return (
        len(word) >= 2
        and bool(_CJK_ONLY.match(word))
        and word[0] not in _NO_START
        and word[-1] not in _NO_END
        and word not in IDIOMS
    )


def _whole_already(word: str, tagger: Tagger) -> bool:
    """A dictionary word jieba already cuts whole (its own user words included)."""
    return tagger.frequency(word) > 0 and tagger.tagged(word) == [(word, tagger.tag(word) or "x")]


def _vice_title(text: str, tagger: Tagger) -> str | None:
    """副县长 at the start of ``text``: a dictionary word whose rest (县长) is a word of its own."""
    for size in range(len(text), 2, -1):
        candidate = text[:size]
        if tagger.frequency(candidate) and tagger.frequency(candidate[1:]):
            return candidate
    return None


def _slogans(text: str) -> list[tuple[str, str, str]]:
    """Numeral–word pairs (三通一达, 一核两翼多点): slogans and names, not counts."""
    found = []
    for match in _SLOGAN.finditer(text):
        word = match.group(0)
        pairs = [word[i : i + 2] for i in range(0, len(word), 2)]
        if all(p[1] not in _MEASURES and p[1] not in _NUMERALS for p in pairs) and word not in IDIOMS:
            found.append((word, "nz", "numeral slogan"))
    return found


def _names(tagged: list[tuple[str, str]], tagger: Tagger) -> list[tuple[str, str, str]]:
    """People: names jieba's HMM found, and surnames cut from their given names."""
    found = []
    for i, (word, tag) in enumerate(tagged):
        before = "".join(w for w, _ in tagged[max(0, i - 3) : i])
        after = "".join(w for w, _ in tagged[i + 1 : i + 3])
        if tag == "nr" and 2 <= len(word) <= 3 and word[0] in _SURNAMES and not tagger.frequency(word):
            if _BEFORE_NAME.search(before) or _AFTER_NAME.match(after):
                found.append((word, "nr", "a name (jieba's HMM)"))
        elif len(word) == 1 and word in _SURNAMES and i + 1 < len(tagged):
            given = tagged[i + 1][0]
            rest = "".join(w for w, _ in tagged[i + 2 : i + 4])
            if 1 <= len(given) <= 2 and _CJK_ONLY.match(given) and given[-1] not in _NO_END:
                if _BEFORE_NAME.search(before) and _AFTER_NAME.match(rest):
                    found.append((word + given, "nr", "surname and given name"))
    return found


def _places(tagged: list[tuple[str, str]], tagger: Tagger) -> list[tuple[str, str, str]]:
    """Places named with their suffix: the suffix word and the proper-noun words before it."""
    found = []
    for i, (word, tag) in enumerate(tagged):
        suffix = next((s for s in _PLACE_SUFFIXES if word.endswith(s)), None)
        if suffix is None or word[0] in _NOT_IN_NAME:
            continue
        if word != suffix and tag.startswith(_PROPER) and tagger.frequency(word):
            continue  # 桐庐县: a name jieba knows whole
        known = word != suffix and tagger.frequency(word) > 0  # 村镇, 山区: a word of its own
        start = i
        while start > 0 and len("".join(w for w, _ in tagged[start - 1 : i + 1])) <= _LONGEST_PLACE:
            prev, prev_tag = tagged[start - 1]
            if not _opens_name(prev, prev_tag, tagger, after_word=known, first=start == i):
                break
            start -= 1
            if prev_tag.startswith(_PROPER) and len(prev) > 1:
                break  # a proper noun opens the name: go no further
        if start < i:
            name = "".join(w for w, _ in tagged[start : i + 1])
            tag = "ns" if suffix in _ADMINISTRATIVE else "nz"
            found.append((name, tag, f"a place ({suffix})"))
    return found


def _opens_name(word: str, tag: str, tagger: Tagger, *, after_word: bool, first: bool) -> bool:
    """Whether ``word`` may stand in a place name before its suffix.

    A proper noun or a word jieba does not know may (横樟 / 村, 富春 / 未来 / 城); so may a lone
    character that is no function word (古 / 市镇); before a bare suffix or one jieba glued to a
    stray character (石门 / 圩村), a common noun may too. Directions (西北 / 山区) may not.
    """
    if not _CJK_ONLY.match(word) or word[0] in _NOT_IN_NAME or word in _DIRECTIONS:
        return False
    if tag.startswith(_PROPER) or not tagger.frequency(word):
        return True
    if len(word) == 1:
        return first and tag not in _FUNCTION_TAGS and (after_word or tag != "v")
    return not after_word and tag in ("n", "t", "nz", "ng")


def _quoted(text: str) -> list[tuple[str, str, str]]:
    return [(m.group(1), "nz", "quoted") for m in _QUOTED.finditer(text)]


def _repeated(text: str, tagged: list[tuple[str, str]], tagger: Tagger) -> list[tuple[str, str, str]]:
    """Strings that recur, hold together and have varied neighbours, cut apart by jieba.

    Only noun phrases of whole words: every occurrence starts and ends where jieba's words
    do, and the last word is a noun (not 翁嫣说道, 转型升级).
    """
    runs = _CJK.findall(text)
    counts: Counter[str] = Counter()
    left: defaultdict[str, Counter[str]] = defaultdict(Counter)
    right: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for run in runs:
        for size in (1, *_NGRAM_SIZES):
            for i in range(len(run) - size + 1):
                gram = run[i : i + size]
                counts[gram] += 1
                if size > 1:
                    # A run's edge is a boundary of its own kind, different every time.
                    left[gram][run[i - 1] if i else f"^{counts[gram]}"] += 1
                    right[gram][run[i + size] if i + size < len(run) else f"${counts[gram]}"] += 1
    starts: dict[int, str] = {}
    ends: dict[int, str] = {}
    position = 0
    for word, tag in tagged:
        starts[position] = tag
        position += len(word)
        ends[position] = tag
    tokens = {w for w, _ in tagged}
    found = []
    for gram, count in counts.items():
        if len(gram) < 2 or count < _MIN_REPEATS or gram in tokens or not _plausible(gram):
            continue
        if any(c in _NOT_IN_TERM for c in gram):
            continue
        if _entropy(left[gram]) == 0 or _entropy(right[gram]) == 0:
            continue
        cohesion = min(max(count / counts[gram[:k]], count / counts[gram[k:]]) for k in range(1, len(gram)))
        if cohesion < _COHESION:
            continue
        if any(counts[longer] == count for longer in _extensions(gram, counts)):
            continue  # always part of a longer string: that one is the term
        places = [m.start() for m in re.finditer(re.escape(gram), text)]
        if not all(p in starts and p + len(gram) in ends for p in places):
            continue
        if not all(ends[p + len(gram)].startswith("n") for p in places):
            continue
        if any(starts.get(q, "n") in _FUNCTION_TAGS for p in places for q in range(p + 1, p + len(gram))):
            continue  # 周岁以上老人: a function word inside
        found.append((gram, _guess_tag(gram), f"repeated {count}×, holds together"))
    return found


def _extensions(gram: str, counts: Counter[str]) -> list[str]:
    chars = {c for g in counts if len(g) == 1 for c in g}
    if len(gram) >= max(_NGRAM_SIZES):
        return []
    return [c + gram for c in chars if c + gram in counts] + [gram + c for c in chars if gram + c in counts]


def _entropy(neighbours: Counter[str]) -> float:
    total = sum(neighbours.values())
    return -sum(n / total * math.log(n / total) for n in neighbours.values()) if total else 0.0


def _guess_tag(word: str) -> str:
    return "ns" if any(word.endswith(s) for s in ("村", "镇", "乡", "县", "市", "区", "街道", "社区")) else "nz"
