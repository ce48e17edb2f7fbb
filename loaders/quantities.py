"""Quantities in Japanese, Chinese and English text, and the claims they make.

:class:`NumberGrammar` finds counts ("70社以上", "70余家", "2192家", "more than 70 companies", "3000名"), shares
("約60%", "三分之一", "三成", "3割", "one third", "5~10%"), money ("500億元", "約2兆円", "百亿规模", "$1.2 billion",
"RMB 500 million", "30-50亿元") and dates ("2025年7月28日", "July 28, 2025", "by 2027") in a folded sentence, with
values in base units, a qualifier and, for ranges, an upper bound. Months, days, durations, multiples and ranks
("今年3月", "3月29日", "March 29", "6个月", "2倍") are recognised so that they are never read as counts.
:class:`ClaimExtractor` then asks the metric rules of data/claims.yaml what each quantity measures, what it is about
and whether it is a target, and yields :class:`~loaders.records.Claim` records with evidence. Vocabulary and rules are
data; this module only knows the grammar of numbers and how to look for a subject.

A number that does not fit a finite float (``1`` followed by 400 zeros, thirty-nine 亿 in a row) or that is longer
than :data:`MAX_NUMBER_CHARS` characters is not a quantity: it yields no claim (JSON, GraphML and Neo4j cannot hold an
infinite value, and no text states such an amount).
"""

from __future__ import annotations

import math
import re
import sys
from bisect import bisect_right
from itertools import accumulate
from dataclasses import dataclass, field
from typing import NamedTuple

from .errors import InputError
from .fold import fold
from .records import Claim, Mention
from .subjects import NO_SUBJECT, SubjectResolver  # noqa: F401  (NO_SUBJECT: what subject_from says for none)
from .text import Document, _first_chars, clause_bounds

QUALIFIER_SYMBOL = {"at_least": "≥", "about": "≈", "at_most": "≤", "exact": "="}
_ASIDE = re.compile(r"\s*\([^()]{1,20}\)")
# Longer numerals are not quantities; the cap also keeps parsing linear on hostile input.
MAX_NUMBER_CHARS = 64


@dataclass
class Quantity:
    """A number found in a folded sentence; ``start``/``end`` index that folded sentence.

    ``start`` includes qualifier words before the number ("约", "more than"); ``num_start`` is where the number (or
    the lower bound of a range) itself starts. ``upper`` is the upper bound of a range ("30-50亿元"), else None.
    """

    kind: str  # count, share, money, date
    value: float | None
    start: int
    end: int
    qualifier: str = "exact"
    unit: str = ""  # currency code for money, 'share' for shares, the counter for counts, 'date'/'year'
    counter: str = ""
    date: str = ""
    full_date: bool = False
    upper: float | None = None
    num_start: int = -1
    noun: bool = False  # the counter is an English plural noun ("exhibitors"), not a CJK counter


# The pseudo-kind of :meth:`NumberGrammar.required_present` that says a sentence holds a range separator.
_RANGE = "(range)"
_MIXED = "(mixed)"  # and one with a big unit before a digit ("1万2000")


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted({fold(w) for w in words}, key=len, reverse=True))


def _word_alternation(words) -> str:
    """Like :func:`_alternation`, but a word starting or ending with a Latin letter must be a whole word."""
    parts = []
    for w in sorted({fold(w) for w in words}, key=len, reverse=True):
        p = re.escape(w)
        if w[:1].isascii() and w[:1].isalpha():
            p = p[0] + rf"(?<![a-z]{p[0]})" + p[1:]  # "(?<![a-z])yen", with a literal first (see cue_pattern)
        if w[-1:].isascii() and w[-1:].isalpha():
            p += r"(?![a-z])"
        parts.append(p)
    return "|".join(parts)


def _finite(value: float | None, cap: float = math.inf) -> float | None:
    """``value`` if it is a finite float no larger than ``cap``, else None."""
    return value if value is not None and math.isfinite(value) and abs(value) <= cap else None


def _bounded_alternation(words) -> str:
    r"""``\b(?:one|two|…)\b`` written so that each branch starts with a literal ("o(?<!\wo)ne"): ``re`` then skips to
    the places where a word may start instead of trying every branch at every position."""
    parts = []
    for w in sorted({fold(w) for w in words}, key=len, reverse=True):
        p = re.escape(w)
        parts.append(p[0] + rf"(?<!\w{p[0]})" + p[1:] if re.fullmatch(r"\w", w[:1]) and p[0] == w[0]
                     else r"\b" + p)
    return "(?:" + "|".join(parts) + r")\b"


def _need(mapping: dict, key: str, source, where: str = "lexicon"):
    if not isinstance(mapping, dict) or key not in mapping:
        raise InputError(f"missing '{key}'; see the comments in claims.yaml for what it holds", path=source,
                         field=f"{where}.{key}")
    return mapping[key]


class NumberGrammar:
    """Regular expressions and number parsing built from the lexicon of data/claims.yaml.

    Examples
    --------
    >>> from loaders.catalogue import load_catalogue
    >>> g = NumberGrammar(load_catalogue().claim_lexicon)
    >>> [(q.kind, q.value, q.qualifier) for q in g.scan("今年3月,深圳集聚企业2192家,产值超百亿")]
    [('count', 2192.0, 'exact'), ('money', 10000000000.0, 'at_least')]
    """

    def __init__(self, lexicon: dict, source="data/claims.yaml"):
        need = lambda key: _need(lexicon, key, source)  # noqa: E731
        fw = lambda d: {fold(k): v for k, v in d.items()}  # noqa: E731
        self.digits = fw(need("digits"))
        self.small_units = fw(need("small_units"))
        self.big_units = fw(need("big_units"))
        self.word_numbers = fw(need("word_numbers"))
        self.multipliers = fw(need("multipliers"))
        self.fraction_words = fw(need("fraction_words"))
        self.fraction_cjk = {fold(k): (float(v[0]), str(v[1])) for k, v in need("fraction_words_cjk").items()}
        one_in = need("one_in")
        self.currency_after = fw(need("currency_after"))
        self.currency_before = fw(need("currency_before"))
        self.counters = fw(need("counters"))
        self.plural_noun = str(need("plural_noun"))
        self.ellipsis_after = re.compile(r"\s*(?:" + phrase_pattern(need("ellipsis_after")).pattern + r")(?![a-z])")
        self.noun_modifier = str(need("noun_modifier"))
        noun_counter = fold("(noun)")
        self.max_value = float(need("max_value"))
        bare = need("bare_money")
        self.bare_currency = {k: str(v) for k, v in _need(bare, "currency", source, "lexicon.bare_money").items()}
        self.bare_after = re.compile(r"\s*(?:" + _alternation(_need(bare, "after", source, "lexicon.bare_money")) + ")")
        self.bare_before = re.compile(_alternation(_need(bare, "before", source, "lexicon.bare_money")))
        self.months = fw(need("dates")["months_en"])
        self.round_magnitudes = {fold(w) for w in need("round_magnitudes")}
        q = need("qualifiers")
        self.q_before = [(re.compile(r"(?:^|(?<![0-9a-z]))(?:" + phrase_pattern(ws).pattern + r")\s*$"), k)
                         for k, ws in q["before"].items()]
        # the same as one search: its leftmost match is the leftmost of any kind's, the first kind listed on a tie
        self._q_before_names = {f"q{i}": k for i, (_, k) in enumerate(self.q_before)}
        self._q_before_any = re.compile(r"(?:^|(?<![0-9a-z]))(?:" + "|".join(
            f"(?P<q{i}>{phrase_pattern(ws).pattern})" for i, ws in enumerate(q["before"].values())) + r")\s*$")
        # the last characters of the qualifiers before a number (None: one is blank, so none can be ruled out)
        words_before = [fold(w) for ws in q["before"].values() for w in ws if w]
        self._q_before_last = None if any(not w.strip() for w in words_before) else \
            {w.rstrip()[-1] for w in words_before}
        self.q_after = [(re.compile(r"^\s*(?:" + phrase_pattern(ws).pattern + r")(?![a-z])"), k)
                        for k, ws in q["after"].items()]

        kanji_chars = "".join(sorted(set(self.digits) | set(self.small_units) | set(self.big_units)))
        arabic = r"\d+(?:,\d{3})*(?:\.\d+)?"
        kanji = f"[{re.escape(kanji_chars)}]+"
        big = "".join(sorted(self.big_units))
        # "1万2000", "523億175万", "1兆8765億": Arabic digit groups with big units between them.
        mixed = rf"\d+(?:\.\d+)?(?:\s*[{re.escape(big)}]\s*\d+(?:\.\d+)?)+(?:\s*[{re.escape(big)}])?"
        words = _bounded_alternation(self.word_numbers)
        num = f"(?:{mixed}|{arabic}|{kanji}|{words})"
        months = _alternation(self.months)
        counters = _alternation(c for c in self.counters if c != noun_counter)
        count_mult = _word_alternation(k for k in self.multipliers if len(k) > 2 or not k.isascii())
        mult = _alternation(self.multipliers)
        bare_mult = _alternation(_need(bare, "multipliers", source, "lexicon.bare_money"))
        cur_after = _word_alternation(self.currency_after)
        cur_before = _word_alternation(self.currency_before)
        percent = _alternation(need("percent"))
        tenths = _alternation(need("tenths"))
        tenths_not = _alternation(need("tenths_not_before"))
        sep = _word_alternation(need("range_separators"))
        not_counts = _word_alternation(_need(need("not_counts"), "after", source, "lexicon.not_counts"))
        year_cues = _alternation(need("dates")["year_cues_en"])
        # An optional lower bound of a range: "30-", "5%~", "5万至", "20 to ".
        lo = rf"(?:(?P<lo>{arabic}|{kanji}|{words})\s*(?P<lomult>{mult})?\s*(?:{percent})?\s*(?:{sep})\s*)?"
        adjectives = need("magnitude_adjectives")
        adj_mult = _alternation(_need(adjectives, "multipliers", source, "lexicon.magnitude_adjectives"))
        adj_units = _alternation(_need(adjectives, "units_after", source, "lexicon.magnitude_adjectives"))
        one_in_cjk = _alternation(_need(one_in, "cjk", source, "lexicon.one_in"))
        one_in_en = phrase_pattern(_need(one_in, "en", source, "lexicon.one_in")).pattern
        # Every number starts with a digit, a kanji numeral or a number word's first letter: the patterns that open
        # with an optional lower bound look at that first (`re` tries them at every position; twice as fast). A
        # number word starts a word (see _bounded_alternation), so a letter inside a word is passed over at once
        # (English text: twice as fast again).
        letters = "".join(sorted({fold(w)[:1] for w in self.word_numbers}))
        lead = "(?=[\\d%s])(?!(?<=\\w)[%s])" % (re.escape(kanji_chars + letters), re.escape(letters))
        # Order matters: earlier patterns claim their span first; `guard_*` patterns claim a span and yield nothing.
        self.patterns: list[tuple[str, re.Pattern]] = [
            ("date_cjk", re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月(?:\s*(?P<d>\d{1,2})\s*[日号])?")),
            ("date_iso", re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")),
            ("date_en", re.compile(
                rf"\b(?:(?P<mon>{months})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})"
                rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon2>{months})\.?,?\s+(?P<y2>\d{{4}})"
                rf"|(?P<mon3>{months})\.?\s+(?P<y3>\d{{4}}))\b")),
            ("year_cjk", re.compile(r"(?P<y>\d{4})\s*年(?!代|度?\d)")),
            ("year_en", re.compile(rf"\b(?:{year_cues})\s+(?P<y>(?:19|20)\d{{2}})\b(?!\s*(?:{cur_after}|%))")),
            # "2025-2027", "2025至2027年": a span of years, not a range of counts.
            ("guard_years", re.compile(rf"(?<![\d.])(?:19|20)\d{{2}}\s*(?:{sep})\s*(?:(?:19|20)\d{{2}}|\d{{2}})(?!\d)")),
            # "March 29", "29 March", "29th of March": a day without a year.
            ("guard_day_en", re.compile(
                rf"\b(?:(?:{months})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{months}))\b")),
            # "（1元＝約21円）", "(1 yuan = 0.14 dollars)": an exchange rate beside an amount, not an amount
            ("guard_rate", re.compile(rf"(?<![\d.])1\s*(?:{cur_after})\s*(?:=|≈|は|合|约|約)\s*(?:约|約)?\s*{arabic}"
                                      rf"\s*(?:{mult})?\s*(?:{cur_after})")),
            # "the first half of 2025", "a half-marathon": a period or a race, not a share
            ("guard_half", re.compile(r"\b(?:(?:first|second|latter|former)\s+half|half[\s-]+(?:marathon|year|day|"
                                      r"time|century|decade|hour|season))\b")),
            ("percent_zh", re.compile(rf"百分之(?P<num>{arabic}|{kanji})")),
            ("fraction_ja", re.compile(rf"(?P<den>{arabic}|{kanji})\s*分の\s*(?P<num>{arabic}|{kanji})")),
            ("fraction_zh", re.compile(rf"(?P<den>{arabic}|{kanji})\s*分之\s*(?P<num>{arabic}|{kanji})")),
            # "3台に1台", "one in three" (before the fraction words: "one in three" is not "one third")
            ("one_in_cjk", re.compile(rf"(?=[\d{re.escape(kanji_chars)}])(?<![\d{re.escape(kanji_chars)}])"
                                      rf"(?P<den>{arabic}|{kanji})\s*(?P<c1>{counters})\s*(?:{one_in_cjk})"
                                      r"\s*(?:1|一)\s*(?P=c1)")),
            ("one_in_en", re.compile(rf"\b(?:one|1)\s+(?:{one_in_en})\s+(?P<den>{arabic}|{words})"
                                     rf"(?!\s*(?:{percent}))")),
            ("fraction_cjk", re.compile(rf"(?:{_alternation(self.fraction_cjk)})"
                                        rf"(?!{_alternation(need('fraction_cjk_not_before'))})")),
            ("fraction_en", re.compile(_bounded_alternation(self.fraction_words))),
            ("percent", re.compile(rf"{lead}{lo}(?P<num>{num})\s*-?\s*(?:{percent})")),
            ("tenths", re.compile(rf"(?<![\d.{re.escape(kanji_chars)}])(?P<num>10|[1-9]|[{re.escape(kanji_chars)}])"
                                  rf"\s*(?:{tenths})(?!{tenths_not})")),
            # "billion-yuan funds", "thousand-unit orders": an order of magnitude as an adjective
            ("magnitude_adj", re.compile(rf"(?<![\w-])(?:a\s+)?(?P<mult>{adj_mult})-(?:(?P<cur>{cur_after})|"
                                         rf"(?P<units>{adj_units}))(?![\w-])")),
            ("money_before", re.compile(
                rf"(?P<cur>{cur_before})\s*(?:(?P<lo>{arabic})\s*(?:{sep})\s*(?:{cur_before})?\s*)?"
                rf"(?P<num>{arabic})\s*(?P<mult>{mult})?(?![a-z])")),
            ("money", re.compile(
                rf"{lead}{lo}(?P<num>{num})\s*(?P<q1>余|多)?[\s-]*(?:(?P<mult>{mult})[\s-]*)?(?P<cur>{cur_after})")),
            ("money_bare", re.compile(  # the lookahead skips numbers without 亿/兆 quickly
                rf"{lead}(?=[\d.,{re.escape(kanji_chars)}~\-–—〜至到\s]*?(?:余|多)?\s*(?:{bare_mult}))"
                rf"{lo}(?P<num>{arabic}|{kanji})\s*(?P<q1>余|多)?\s*(?P<mult>{bare_mult})?(?!\s*(?:{counters}))")),
            ("guard_units", re.compile(rf"{lead}(?<![\d.])(?:{arabic}|{kanji}|{words})\s*(?:{not_counts})")),
            ("count", re.compile(
                rf"{lead}{lo}(?P<num>{num})(?P<q1>余り|余|多|\+)?(?:\s*(?P<mult>{count_mult}))?"
                rf"(?:\s*(?P<counter>{counters})"
                rf"|\s+(?:{self.noun_modifier}\s+)?(?P<noun>{self.plural_noun})(?![a-z]))?"
                rf"(?P<q2>以上|以内|以下|超|前后|左右)?")),
        ]
        # Words a pattern cannot match without (its percent sign, currency, 分の): a sentence without them skips it.
        # (a fraction word: its longest part, "third" of "one-third"; an ISO date: "5-07-2" of "2025-07-28"; a span
        # of years: a range separator anywhere, even inside a word as "to" in "total", a plain search)
        any_sep = _alternation(need("range_separators"))
        fraction_parts = _alternation({max(re.split(r"[\s-]+", fold(w)), key=len) for w in self.fraction_words})
        self._required = {kind: re.compile(word) for kind, word in (
            ("date_cjk", "月"), ("date_iso", r"\d-\d\d-\d"), ("date_en", months), ("year_cjk", "年"),
            ("year_en", year_cues), ("guard_years", any_sep), ("guard_day_en", months), ("fraction_en", fraction_parts),
            ("guard_rate", cur_after), ("guard_half", fraction_parts), ("fraction_cjk", "半"),
            ("magnitude_adj", adj_mult),
            ("one_in_cjk", rf"(?:{one_in_cjk})\s*[1一]"),
            ("one_in_en", r"\b(?:one|1)\s+(?:in|out)\b"),
            ("percent_zh", "百分之"), ("fraction_ja", "分の"), ("fraction_zh", "分之"), ("percent", percent),
            ("tenths", tenths), ("money_before", cur_before),
            ("money", cur_after), ("money_bare", bare_mult), ("guard_units", not_counts))}
        self._required_sentence_res: list[tuple[re.Pattern, list[str]]] | None = None
        self._guards = {kind for kind, _ in self.patterns if kind.startswith("guard")}
        self._ranged = {kind for kind, p in self.patterns if "lo" in p.groupindex}
        # A lower bound needs a range separator after it: in a sentence without one (most), the patterns that open
        # with `lo` run without it (its groups kept, never matching), which spares `re` trying every numeral as a
        # lower bound first. Same matches: where no separator stands, `lo` cannot match.
        # Likewise a number with big units between digit groups ("1万2000") needs a big unit before a digit.
        self._required[_RANGE] = re.compile(any_sep)
        self._required[_MIXED] = re.compile(rf"[{re.escape(big)}]\s*\d")
        no_lo, no_mixed = "(?:(?!)(?P<lo>)(?P<lomult>))?", "(?!)"
        # An amount's Arabic number is taken whole ("2192" is not tried again as "219" before a currency): no
        # multiplier or currency word starts with a digit, a comma or a point, so a shorter number cannot be
        # followed by one (kept as it is otherwise, and before Python 3.11, which has no atomic groups).
        money_num = f"(?P<num>{num})"
        if sys.version_info >= (3, 11) and not any(
                w[:1] in ",." or w[:1].isdecimal() for w in [*self.multipliers, *self.currency_after]):
            money_num = f"(?P<num>{num.replace(arabic, f'(?>{arabic})')})"
        self._variants: dict[str, dict[tuple[bool, bool], re.Pattern]] = {}
        for kind, p in self.patterns:
            text = p.pattern.replace(f"(?P<num>{num})", money_num) if kind == "money" else p.pattern
            if text.count(lo) != 1 and text.count(mixed) != 1 and text == p.pattern:
                continue
            self._variants[kind] = {
                (has_range, has_mixed): re.compile(
                    (text if has_range else text.replace(lo, no_lo)).replace(mixed, mixed if has_mixed else no_mixed))
                for has_range in (False, True) for has_mixed in (False, True)}
        self._kanji_re = re.compile(kanji)
        self._big_kanji = re.compile("[百千万亿]")  # a kanji numeral with one of these is a number, not a word (一)
        self._arabic_re = re.compile(arabic)
        # a sentence without any of these has no quantity (most patterns need not run)
        # two searches, each of which `re` can skip through quickly: a digit or kanji numeral, else a number word
        # (半: the shares written as words, "半数", "半壁江山")
        self._numeral_chars = re.compile(rf"[0-9{re.escape(kanji_chars)}半]")
        self._numeral_words = re.compile(_bounded_alternation([*self.word_numbers, *self.fraction_words, *_need(
            need("magnitude_adjectives"), "multipliers", source, "lexicon.magnitude_adjectives")]))
        # the same two, run once over a document's NUL-joined sentences: a match runs on to its sentence's end
        self._numeral_sentence_res = (re.compile(self._numeral_chars.pattern + "[^\x00]*"),
                                      re.compile(self._numeral_words.pattern + "[^\x00]*"))
        self._mixed_re = re.compile(mixed)
        self._mixed_token = re.compile(rf"\d+(?:\.\d+)?|[{re.escape(big)}]")
        self._bare_mult_re = re.compile(f"(?:{bare_mult})$")

    # ---------------------------------------------------------------- number parsing
    def parse_kanji(self, s: str) -> float | None:
        """'五千万' -> 50000000, '三万亿' -> 3e12, '三' -> 3, '二十' -> 20; None if not a finite number.

        Examples
        --------
        >>> from loaders.catalogue import load_catalogue
        >>> g = NumberGrammar(load_catalogue().claim_lexicon)
        >>> g.parse_kanji("一万五千亿"), g.parse_kanji("三" + "亿" * 39)
        (1500000000000.0, None)
        """
        if len(s) > MAX_NUMBER_CHARS:
            return None
        section, digit, tokens = 0, None, []
        for ch in s:
            if ch in self.digits:
                digit = self.digits[ch] if digit is None else digit * 10 + self.digits[ch]
            elif ch in self.small_units:
                section += (1 if digit is None else digit) * self.small_units[ch]
                digit = None
            elif ch in self.big_units:
                tokens += [section + (digit or 0), ch]
                section, digit = 0, None
            else:
                return None
        return self._combine(tokens + [section + (digit or 0)])

    def _combine(self, tokens: list) -> float | None:
        """Numbers and big units in order ([1, '万', 2000] -> 12000) to a finite float, or None.

        Exact ints (or the floats of Arabic groups) until the end, so that huge inputs fail on the final float()."""
        total, chunk = 0, 0
        for t in tokens:
            if not isinstance(t, str):
                chunk = t
                continue
            unit = self.big_units[t]
            if total and not chunk:
                total *= unit  # 万亿: a unit of units
            elif total and total < unit:
                total = (total + chunk) * unit  # 一万五千亿: the smaller unit was part of this one
            else:
                total += (chunk or 1) * unit  # 三亿五千万
            chunk = 0
        try:
            return _finite(float(total + chunk), self.max_value)
        except OverflowError:
            return None

    def parse_number(self, s: str) -> float | None:
        """An Arabic, kanji or English-word number as a finite float, else None."""
        s = s.strip()
        if len(s) > MAX_NUMBER_CHARS:
            return None
        if self._arabic_re.fullmatch(s):
            return _finite(float(s.replace(",", "")), self.max_value)
        if self._mixed_re.fullmatch(s):
            return self._combine([t if t in self.big_units else float(t) for t in self._mixed_token.findall(s)])
        if s in self.word_numbers:
            return float(self.word_numbers[s])
        if self._kanji_re.fullmatch(s):
            return self.parse_kanji(s)
        return None

    def _scaled(self, numtxt: str, mult: str | None, table: dict) -> float | None:
        v = self.parse_number(numtxt)
        if v is None:
            return None
        try:
            return _finite(v * table.get(mult or "", 1), self.max_value)
        except OverflowError:
            return None

    # ---------------------------------------------------------------- scanning
    def numeral_sentences(self, texts: list[str]) -> list[int]:
        """Indices of the folded sentences ``texts`` that hold a numeral or number word (:meth:`scan` finds nothing
        in the others): one pass over all of them for numerals, one over the rest for number words."""
        chars, words = self._numeral_sentence_res
        joined, bases = _join(texts)
        found = {bisect_right(bases, m.start()) - 1 for m in chars.finditer(joined)}
        rest = [i for i in range(len(texts)) if i not in found]
        joined, bases = _join([texts[i] for i in rest])
        found.update(rest[bisect_right(bases, m.start()) - 1] for m in words.finditer(joined))
        return sorted(found)

    def required_present(self, texts: list[str]) -> list[set[str]]:
        """For each folded sentence of ``texts``, the kinds of pattern whose required word (its percent sign,
        currency, 分の) it holds, as :meth:`scan` takes them: one pass over all sentences per word list."""
        if self._required_sentence_res is None:
            by_pattern: dict[str, list[str]] = {}  # kinds that need the same word share one pass
            for kind, need in self._required.items():
                by_pattern.setdefault(f"(?:{need.pattern})[^\\x00]*", []).append(kind)
            self._required_sentence_res = [(re.compile(p), kinds) for p, kinds in by_pattern.items()]
        joined, bases = _join(texts)
        present: list[set[str]] = [set() for _ in texts]
        for pattern, kinds in self._required_sentence_res:
            for m in pattern.finditer(joined):
                present[bisect_right(bases, m.start()) - 1].update(kinds)
        return present

    def scan(self, text: str, language: str = "", present: set[str] | None = None) -> list[Quantity]:
        """Quantities in a folded sentence, left to right, non-overlapping; ``language`` picks the currency of
        amounts written without one ("百亿规模"). ``present``: the kinds of pattern whose required word the sentence
        holds, when already known (:meth:`required_present`)."""
        if not (self._numeral_chars.search(text) or self._numeral_words.search(text)):
            return []
        taken = bytearray(len(text) + 1)  # 1 where an earlier pattern claimed the character
        found: list[Quantity] = []
        required, guards, ranged = self._required, self._guards, self._ranged
        if present is None:
            present = {kind for kind, need in required.items() if need.search(text)}
        variant, variants = (_RANGE in present, _MIXED in present), self._variants
        for kind, pattern in self.patterns:
            if kind in required and kind not in present:
                continue
            if kind in variants:
                pattern = variants[kind][variant]
            for m in pattern.finditer(text):
                s, e = m.span("y") if kind == "year_en" else m.span()
                if e > s and kind in ranged and 1 in taken[s:e] and m.group("lo"):
                    # "25.5 per cent to 8.8 million units": the 'lower bound' was another quantity; read on from num
                    m = pattern.match(text, m.start("num"))
                    s, e = m.span() if m else (0, 0)
                if e == s or 1 in taken[s:e]:
                    continue
                if kind in guards:
                    taken[s:e] = b"\x01" * (e - s)
                    continue
                q = self._make(kind, m, text, language)
                if q is None:
                    continue
                while q.end > q.start and text[q.end - 1].isspace():
                    q.end -= 1
                q.num_start = q.start
                self._qualify(q, text)
                if q.qualifier == "exact" and q.kind in ("count", "money") and text[q.start] in self.round_magnitudes \
                        and text[q.start + 1:q.start + 2] not in self.digits and \
                        text[q.start + 1:q.start + 2] not in self.small_units:
                    q.qualifier = "about"  # "万台", "千亿": a round order of magnitude
                if 1 in taken[q.start:q.end]:
                    continue
                taken[q.start:q.end] = b"\x01" * (q.end - q.start)
                found.append(q)
        found.sort(key=lambda q: q.start)
        nouns = [q for q in found if q.noun]
        if nouns:
            self._elliptic_counts(found, nouns, text)
        for prev, q in zip(found, found[1:]):
            # "over 90 billion yuan ($12.55 billion)": a conversion in brackets says the same as the amount before it
            if prev.kind == q.kind == "money" and q.qualifier == "exact" and \
                    re.fullmatch(r"\s*\(\s*", text[prev.end:q.start]):
                q.qualifier = prev.qualifier
        return found

    def _elliptic_counts(self, found: list[Quantity], nouns: list[Quantity], text: str) -> None:
        """A bare number that a qualifier opens ("approximately 380 came from Shenzhen") or that "out of" follows
        ("six out of the 21 runners") takes the noun of the nearest count with one in the sentence (before it
        first): the same things, counted again."""
        for q in found:
            if q.kind != "count" or q.counter or not (q.start < q.num_start or self.ellipsis_after.match(text, q.end)):
                continue
            donor = next((n for n in reversed(nouns) if n.start < q.start), None) or \
                next((n for n in nouns if n.start > q.start), None)
            q.counter, q.unit, q.noun = donor.counter, donor.unit, True

    def _range(self, q: Quantity, m: re.Match, mult: str | None, table: dict) -> Quantity:
        """Apply the lower bound of a range ("30-50亿元"): value = lower, upper = the stated upper bound."""
        groups = m.re.groupindex
        lo_text = m.group("lo") if "lo" in groups else None
        if not lo_text:
            return q
        lo = self._scaled(lo_text, (m.group("lomult") if "lomult" in groups else None) or mult, table)
        if q.kind == "share" and lo is not None:
            lo /= 100
        if lo is None or q.value is None or not lo < q.value:
            q.start = m.start("num")  # not a range: keep the upper number alone
            return q
        q.upper, q.value = q.value, lo
        q.qualifier = "at_least"
        return q

    def _make(self, kind: str, m: re.Match, text: str, language: str) -> Quantity | None:
        s, e = m.span("y") if kind == "year_en" else m.span()
        if kind == "count":  # most numbers: no dictionary of every group
            return None if self._glued(text, s, e, kind) else self._count(m, text)
        g = m.groupdict()
        if kind.startswith("date") or kind.startswith("year"):
            if kind == "date_en":
                y = g["y"] or g["y2"] or g["y3"]
                mon = self.months[g["mon"] or g["mon2"] or g["mon3"]]
                d = g["d"] or g["d2"]
            else:
                y, mon, d = g.get("y"), g.get("m"), g.get("d")
            year = int(y)
            if not 1900 <= year <= 2100 or (mon and not 1 <= int(mon) <= 12) or (d and not 1 <= int(d) <= 31):
                return None
            parts = [f"{year:04d}"] + ([f"{int(mon):02d}"] if mon else []) + ([f"{int(d):02d}"] if d else [])
            return Quantity("date", float(year), s, e, unit="date" if mon else "year", date="-".join(parts),
                            full_date=bool(mon and d))
        if self._glued(text, s, e, kind):
            return None
        if kind in ("percent_zh", "percent"):
            v = self.parse_number(g["num"])
            if v is None:
                return None
            return self._range(Quantity("share", v / 100, s, e, unit="share"), m, None, {})
        if kind == "tenths":
            v = self.parse_number(g["num"])
            return None if not v or v > 10 else Quantity("share", v / 10, s, e, unit="share")
        if kind in ("fraction_ja", "fraction_zh"):
            num, den = self.parse_number(g["num"]), self.parse_number(g["den"])
            if not num or not den or num > den:
                return None
            return Quantity("share", num / den, s, e, unit="share")
        if kind == "magnitude_adj":
            v = self.multipliers.get(g["mult"])
            if g["cur"]:
                return Quantity("money", float(v), s, e, unit=self.currency_after[g["cur"]], qualifier="about")
            return Quantity("count", float(v), s, e, counter="units", unit="units", noun=True, qualifier="about")
        if kind in ("one_in_cjk", "one_in_en"):
            den = self.parse_number(g["den"])
            return Quantity("share", 1 / den, s, e, unit="share", qualifier="about") if den and den > 1 else None
        if kind == "fraction_cjk":
            value, qualifier = self.fraction_cjk[m.group(0)]
            return Quantity("share", value, s, e, unit="share", qualifier=qualifier)
        if kind == "fraction_en":
            return Quantity("share", float(self.fraction_words[m.group(0)]), s, e, unit="share")
        if kind in ("money", "money_before"):
            v = self._scaled(g["num"], g.get("mult"), self.multipliers)
            if v is None:
                return None
            cur = g["cur"]
            unit = self.currency_before[cur] if kind == "money_before" else self.currency_after[cur]
            q = self._range(Quantity("money", v, s, e, unit=unit), m, g.get("mult"), self.multipliers)
            if g.get("q1"):
                q.qualifier = "at_least"
            return q
        if kind == "money_bare":
            return self._bare_money(m, text, language)
        return self._count(m, text)

    def _bare_money(self, m: re.Match, text: str, language: str) -> Quantity | None:
        """'百亿规模', '千亿级', '投资超百亿': an amount in 亿/万亿/兆 with a money word around it, no currency."""
        g = m.groupdict()
        s, e = m.span()
        numtxt, mult = g["num"], g.get("mult")
        if not mult and not (self._kanji_re.fullmatch(numtxt) and self._bare_mult_re.search(numtxt)):
            return None
        clause_start = max((text.rfind(p, 0, s) for p in ",;:、。!?"), default=-1) + 1
        if not (self.bare_after.match(text, e) or self.bare_before.search(text, clause_start, s)):
            return None  # "千亿参数": an amount of something else
        v = self._scaled(numtxt, mult, self.multipliers)
        if v is None:
            return None
        unit = self.bare_currency.get(language) or self.bare_currency.get("default") or \
            next(iter(self.bare_currency.values()))
        q = self._range(Quantity("money", v, s, e, unit=unit), m, mult, self.multipliers)
        if g.get("q1"):
            q.qualifier = "at_least"
        return q

    def _count(self, m: re.Match, text: str) -> Quantity | None:
        numtxt, counter, noun, mult, q1, q2 = m.group("num", "counter", "noun", "mult", "q1", "q2")
        counter = counter or noun or ""
        s, e = m.span()
        if not counter and self._kanji_re.fullmatch(numtxt) and not self._big_kanji.search(numtxt):
            return None  # a lone 一 or 三 is a word, not a quantity
        if counter == "つ" and text[e:e + 1] == "目":
            return None  # 一つ目: an ordinal
        if s > 0 and text[s - 1] == "第":
            return None  # 第二: an ordinal
        v = self._scaled(numtxt, mult, self.multipliers)
        if v is None:
            return None
        if v <= 1 and not self._arabic_re.fullmatch(numtxt):
            return None  # 一家, one of: an article, not a count; 零部件: a word
        if not counter and (self._bare_mult_re.search(numtxt) or self._bare_mult_re.fullmatch(mult or "")):
            return None  # 千亿参数: hundreds of millions of something uncounted, not a count of things
        q = Quantity("count", v, s, e, counter=counter, unit=counter, noun=bool(noun))
        q = self._range(q, m, mult, self.multipliers)
        if q1:
            q.qualifier = "at_least"
        if q2:
            q.qualifier = {"以上": "at_least", "超": "at_least", "以内": "at_most", "以下": "at_most"}.get(q2, "about")
        return q

    @staticmethod
    def _glued(text: str, s: int, e: int, kind: str) -> bool:
        """A number glued to letters or a hyphen is part of a name (GR-1, K2, 5G), not a quantity."""
        before = text[s - 1] if s > 0 else ""
        after = text[e] if e < len(text) else ""
        if before and (before.isascii() and before.isalpha() or before in "-_/#."):
            return True
        if kind == "count" and after and after.isascii() and after.isalpha() and text[s:e][-1:].isdigit():
            return True
        return False

    def _qualify(self, q: Quantity, text: str) -> None:
        """Absorb qualifier words right before or after the quantity ('约', 'more than', '以上', '以内')."""
        if q.kind == "date":
            return
        head_start = max(0, q.start - 24)
        head = text[head_start:q.start]
        # a qualifier ends the head (but for white space): none can where its last character ends no qualifier
        last = self._q_before_last
        m = self._q_before_any.search(head) if last is None or head.rstrip()[-1:] in last else None
        if m:
            if q.upper is None:
                q.qualifier = self._q_before_names[m.lastgroup]
            q.start = head_start + m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
        elif q.start > 0 and text[q.start - 1] == "上" and text[q.start:q.start + 1] in self.small_units:
            q.qualifier, q.start = "at_least", q.start - 1  # 上千家, 上百家: upwards of
        tail = text[q.end:q.end + 12]
        for pattern, kind in self.q_after:
            m = pattern.match(tail)
            if m:
                if q.qualifier == "exact":
                    q.qualifier = kind
                q.end += m.end()
                return
        aside = _ASIDE.match(text, q.end)  # "900億元(約1兆8765億円)を超え": a bound after a bracketed aside
        if aside and q.qualifier == "exact":
            tail = text[aside.end():aside.end() + 12]
            for pattern, kind in self.q_after:
                if kind in ("at_least", "at_most") and pattern.match(tail):
                    q.qualifier = kind
                    break


# ---------------------------------------------------------------------------------------------------------- claims
def phrase_pattern(words) -> re.Pattern | None:
    """One regex for a list of folded phrases; a space in a phrase matches any run of white space (line breaks)."""
    words = sorted({fold(w) for w in words if w}, key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(r"\s+".join(re.escape(part) for part in w.split()) for w in words))


def cue_pattern(words, whole_words: bool = True) -> re.Pattern | None:
    """Like :func:`phrase_pattern`, but a Latin word does not match inside another word ('city' is not in
    'capacity'; with ``whole_words`` also 'will' is not in 'willing'), and ``{year}`` stands for a year 1900-2099."""
    words = sorted({fold(w) for w in words if w}, key=len, reverse=True)
    if not words:
        return None
    parts = []
    year = re.escape("{year}")
    for w in words:
        p = r"\s+".join(re.escape(part) for part in w.split())
        # Every branch starts with a literal character, so `re` skips to the places where one may start instead of
        # trying every branch at every position: the check before a Latin word sits after its first letter
        # ("b(?<![a-z]b)y" is "(?<![a-z])by"), a leading year is two branches ("19\d{2}…|20\d{2}…").
        if w[:1].isascii() and w[:1].isalpha():
            p = p[0] + rf"(?<![a-z]{p[0]})" + p[1:]
        if whole_words and w[-1:].isascii() and w[-1:].isalpha():
            p += r"(?![a-z])"
        variants = [p]
        if p.startswith(year):
            variants = ["19" + r"\d{2}" + p[len(year):], "20" + r"\d{2}" + p[len(year):]]
        parts.extend(v.replace(year, r"(?:19|20)\d{2}") for v in variants)
    return re.compile("|".join(parts))


class _Anything:
    """Stands for "any character" where a set of first characters is not known: disjoint from nothing."""

    @staticmethod
    def isdisjoint(_chars) -> bool:
        return False


@dataclass
class _Rule:
    spec: dict
    before: re.Pattern | None = None
    after: re.Pattern | None = None
    either: re.Pattern | None = None
    counters: set[str] = field(default_factory=set)
    noun_before: re.Pattern | None = None  # an `after` cue right before the number: "培育龙头企业10家"

    def __post_init__(self):
        if self.after:
            self.noun_before = re.compile(f"(?:{self.after.pattern})\\s*$")
        # The characters a match of each cue pattern can start with (every character when not known); a
        # `noun_before` match starts as an `after` match does.
        self.before_first, self.after_first = (_Anything() if p is None or _first_chars(p) is None
                                               else _first_chars(p) for p in (self.before, self.after))

    @property
    def catch_all(self) -> bool:
        return not (self.before or self.after or self.either or self.counters)


_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?=\s*年|\b)")
# Where the noun a count counts may stand (ClaimExtractor._noun_unit): not across a clause, a list, a bracket or
# another number; the first noun at most _NOUN_FIRST characters from the count ("20家以上国家和省级创新平台"), the
# next of a compound at most _NOUN_GAP after the one before ("应用场景示范项目"), all within _NOUN_REACH.
_NOUN_BREAK = re.compile(r"[,，。；;：:、!?！？(（《「『\n\d]")
_NOUN_FIRST, _NOUN_GAP, _NOUN_REACH = 8, 4, 16
_NOUN_PARTICLES = "をがはもとで"  # "実証実験30件を実施": the noun before a count that a particle ends


def _years_before(text: str, start: int, end: int, doc_year: int) -> bool:
    """Whether ``text[start:end]`` names years and all of them are before ``doc_year`` (a deadline already past)."""
    years = [int(y) for y in _YEAR.findall(text, start, end)]
    return bool(years) and max(years) < doc_year


def _document_year(meta: dict) -> int | None:
    """The year of a document's metadata date (released, date or published), if it has one."""
    for key in ("released", "date", "published"):
        m = re.match(r"\s*((?:19|20)\d{2})", str(meta.get(key) or ""))
        if m:
            return int(m.group(1))
    return None


class _SentenceCues(NamedTuple):
    """What decides target or fact in one sentence: the ends of its target and fact cues, whether the sentence
    before it (same paragraph) ended on a target cue, and the document's year."""

    targets: list[int]
    facts: list[int]
    after_target: bool
    doc_year: int | None


def _same_span(start: int, end: int) -> tuple[int, int]:
    """``FoldedText.to_original`` of a text whose fold keeps offsets."""
    return (start, end) if end > start else (start, start)


def _last_end(ends: list[int], limit: int) -> int:
    """The largest end not after ``limit`` (-1 if none)."""
    i = bisect_right(ends, limit)
    return ends[i - 1] if i else -1


# Joins a document's folded sentences: no pattern of this module or of data/ matches it, it is neither a word
# character nor white space nor a letter or digit any lookaround looks for, so every pattern run once over the joined
# text sees each sentence exactly as if it ran on that sentence alone (and no match runs into the next sentence).
# Document text never holds it (loaders.clean replaces C0 controls at the door).
_JOIN = "\x00"


def _join(texts: list[str]) -> tuple[str, list[int]]:
    """``texts`` joined by NUL, and where each starts in the joined text."""
    return _JOIN.join(texts), [0, *accumulate(len(t) + 1 for t in texts)]


class _SentenceCueWords:
    """The target and fact cues of a document's folded sentences, found only where a quantity needs them (its own
    sentence, and the sentences before it in its paragraph back to the last one with a cue)."""

    __slots__ = ("texts", "paragraphs", "_target", "_fact", "_cues", "_continues")

    def __init__(self, texts: list[str], paragraphs: list[int], target_before, fact_before):
        self.texts = texts
        self.paragraphs = paragraphs
        self._target, self._fact = target_before, fact_before
        self._cues: dict[int, tuple[list[int], list[int]]] = {}
        self._continues: dict[int, bool] = {}  # sentence -> whether the next one of its paragraph continues targets

    def cues(self, i: int) -> tuple[list[int], list[int]]:
        """Sorted ends of the target and of the fact cues of sentence ``i``."""
        found = self._cues.get(i)
        if found is None:
            text = self.texts[i]
            found = self._cues[i] = tuple(
                [m.end() for m in p.finditer(text)] if p else [] for p in (self._target, self._fact))
        return found

    def after_target(self, i: int) -> bool:
        """Whether sentence ``i`` continues a list of targets: the last target or fact cue of the sentences before it
        in its paragraph is a target cue (a tie is a fact). Sentences are asked in order; each is read once."""
        paragraph, continues = self.paragraphs[i], self._continues
        j = i - 1
        while j >= 0 and self.paragraphs[j] == paragraph:
            if j in continues:
                return continues[j]
            targets, facts = self.cues(j)
            if targets or facts:
                return bool(targets) and (not facts or targets[-1] > facts[-1])
            j -= 1
        return False

    def sentence_cues(self, i: int, doc_year: int | None) -> "_SentenceCues":
        """What decides target or fact in sentence ``i`` (asked in sentence order)."""
        targets, facts = self.cues(i)
        after = self.after_target(i)
        self._continues[i] = after if not targets and not facts else \
            bool(targets) and (not facts or targets[-1] > facts[-1])
        return _SentenceCues(targets, facts, after, doc_year)


class ClaimExtractor:
    """Turns quantities into claims with the metric rules of data/claims.yaml.

    A claim's subject is an entity of its metric's ``subject_types`` chosen by :mod:`loaders.subjects` (nearest in the
    clause, then the sentence, then after a back-reference the paragraph, then the document, else none). The claim
    records which step found it in ``subject_from``: clause, sentence, previous_sentence, document or none; and
    whether it is a target, and why, in ``target`` and ``attrs["target_from"]`` (wording, previous_sentence, year or
    rule).

    Examples
    --------
    >>> from loaders.catalogue import load_catalogue
    >>> from loaders.text import document_from_text
    >>> cat = load_catalogue()
    >>> doc = document_from_text("张江集聚了智元机器人等70余家企业，覆盖产业链约60%。", "d")
    >>> [(c.metric, c.value, c.qualifier) for c in ClaimExtractor(cat).extract(doc, [])]
    [('firm_count', 70.0, 'at_least'), ('chain_share', 0.6, 'about')]
    """

    def __init__(self, catalogue):
        self.catalogue = catalogue
        lex = catalogue.claim_lexicon
        source = catalogue.data_dir / "claims.yaml"
        self.grammar = NumberGrammar(lex, source)
        self.rules = [
            _Rule(r, cue_pattern(r["before"], False), cue_pattern(r["after"], False),
                  cue_pattern(r["either"], False), {fold(c) for c in r["counters"]})
            for r in catalogue.metric_rules
        ]
        self._rules_by_kind: dict[str, list[_Rule]] = {}
        self.clause_breaks = [re.compile(p) for p in catalogue.clause_breaks]
        self.counter_units = {fold(k): str(v) for k, v in _need(lex, "counters", source).items()}
        self.noun_counter = fold("(noun)")
        self.strict_units = {str(u) for u in _need(lex, "strict_counter_units", source)}
        nouns = _need(lex, "unit_nouns", source)
        self.generic_units = {str(u) for u in _need(nouns, "generic", source, "lexicon.unit_nouns")}
        self.unit_nouns = {fold(k): str(v) for k, v in _need(nouns, "words", source, "lexicon.unit_nouns").items()}
        self.unit_noun_re = re.compile(_alternation(self.unit_nouns))
        target = _need(lex, "target", source)
        self.target_before = cue_pattern(_need(target, "target_before", source, "lexicon.target"))
        self.target_after = cue_pattern(_need(target, "target_after", source, "lexicon.target"))
        self.fact_before = cue_pattern(_need(target, "fact_before", source, "lexicon.target"))
        self.subjects = SubjectResolver(catalogue, source)
        self.policy_types = self.subjects.policy_types

    def _classify(self, q: Quantity, text: str, clause: tuple[int, int], lo: int, hi: int, spans: dict | None = None):
        """The first metric rule of ``q``'s kind that recognises it, and where its cues are; ``spans``: a dict kept
        for one sentence, where the first cue of a rule in the sentence or a clause is remembered (a long sentence
        with many numbers is not searched again for each)."""
        before = text[max(clause[0], lo, q.num_start - 40):q.num_start]
        b_off = q.num_start - len(before)
        after = text[q.end:min(clause[1], hi, q.end + 40)]
        rules = self._rules_by_kind.get(q.kind)
        if rules is None:  # the rules for this kind of quantity, in their order
            rules = self._rules_by_kind[q.kind] = [r for r in self.rules if q.kind in r.spec["kinds"]]
        counter, noun, start, end = q.counter, q.noun, q.start, q.end
        counted = self.counter_units.get(counter, "")
        strict = counted in self.strict_units
        spans = {} if spans is None else spans
        # a cue can only be found in a window holding one of its first characters (no search where none stands)
        before_chars, after_chars = set(before), set(after)
        for rule in rules:
            spec = rule.spec
            if spec["full_date_only"] and not q.full_date:
                continue
            if strict and spec["unit"] and spec["unit"] != counted:
                continue  # "50款" counts products, "六位" people, "1000台" units, whatever cue is near
            b, a, e = rule.before, rule.after, rule.either
            if not (b or a or e or rule.counters):
                return rule, []  # a catch-all rule
            hits = []
            if counter and (counter in rule.counters or (noun and self.noun_counter in rule.counters)
                            or (a and (a.match if noun else a.fullmatch)(counter))):
                hits.append((start, end))  # "2192家": the counter says what is counted
            if b and not rule.before_first.isdisjoint(before_chars) and (m := b.search(before)):
                hits.append((b_off + m.start(), b_off + m.end()))
            if a and not rule.after_first.isdisjoint(after_chars) and (m := a.search(after)):
                hits.append((end + m.start(), end + m.end()))
            if e:
                span = (0, len(text)) if spec["scope"] == "sentence" else clause
                key = (id(e), span)
                hit = spans.get(key, False)
                if hit is False:
                    m = e.search(text[span[0]:span[1]])
                    hit = spans[key] = (span[0] + m.start(), span[0] + m.end()) if m else None
                if hit:
                    hits.append(hit)
            if rule.noun_before and not rule.after_first.isdisjoint(before_chars) and \
                    (m := rule.noun_before.search(before)):
                hits.append((b_off + m.start(), b_off + m.end()))
            if hits:
                return rule, hits
        return None, []

    def _noun_unit(self, q: Quantity, text: str, clause: tuple[int, int]) -> str | None:
        """The unit a generic counter's noun names (lexicon ``unit_nouns``): the head of the nouns right after the
        count ("50个应用场景示范项目": 项目, projects), else, when no noun follows, the noun just before the number
        ("已洽谈项目近100个"); None when neither is in the lexicon."""
        after = _NOUN_BREAK.search(text, q.end, min(clause[1], q.end + _NOUN_REACH))
        found, stop = None, after.start() if after else min(clause[1], q.end + _NOUN_REACH)
        for m in self.unit_noun_re.finditer(text, q.end, stop):
            if m.start() - (found.end() if found else q.end) > (_NOUN_GAP if found else _NOUN_FIRST):
                break
            found = m  # nouns in a row: the last one is the head
        if found:
            return self.unit_nouns[found.group(0)]
        nxt = text[q.end:q.end + 1] if q.end < clause[1] else ""
        if nxt and not _NOUN_BREAK.match(nxt) and nxt not in _NOUN_PARTICLES:
            return None  # the count goes on into words that name nothing ("10个签约落地"): not the noun before it
        lo = max(clause[0], q.start - _NOUN_FIRST - 8)
        brk = None
        for brk in _NOUN_BREAK.finditer(text, lo, q.start):
            pass
        lo = brk.end() if brk else lo
        last = None
        for last in self.unit_noun_re.finditer(text, lo, q.start):
            pass
        return self.unit_nouns[last.group(0)] if last and q.start - last.end() <= _NOUN_FIRST else None

    def _target(self, spec: dict, q: Quantity, text: str, clause: tuple[int, int], cues: "_SentenceCues"
                ) -> tuple[bool, str]:
        """Target or fact (and why: wording, previous_sentence, year or rule) by the rules of data/claims.yaml."""
        if q.kind == "date":
            return spec["target"], "rule"
        t_end, f_end = _last_end(cues.targets, q.start), _last_end(cues.facts, q.start)
        past = bool(cues.doc_year) and _years_before(text, clause[0], q.start, cues.doc_year)
        if t_end >= 0 or f_end >= 0:
            if t_end > f_end and past:
                return False, "year"  # "by the end of 2024 the company held 2,680 patents" in a 2026 text
            return t_end > f_end, "wording"
        if self.target_after and self.target_after.search(text, q.end, clause[1]):
            return True, "wording"
        if cues.after_target and not cues.targets and not cues.facts:
            return True, "previous_sentence"  # a list of targets running on from the sentence before
        if cues.doc_year and any(int(y) < cues.doc_year for y in _YEAR.findall(text, clause[0], q.start)):
            return False, "year"  # "2015年市场规模3.8亿元" in a 2025 text (also after a later year)
        return spec["target"], "rule"

    def document_subjects(self, doc: Document, mentions: list[Mention], policy: str | None = None,
                          targets: bool = False) -> list[str]:
        """What ``doc`` is mainly about, best first (:meth:`loaders.subjects.SubjectResolver.document_subjects`).

        Examples
        --------
        >>> from loaders.catalogue import load_catalogue
        >>> from loaders.text import document_from_text
        >>> ex = ClaimExtractor(load_catalogue())
        >>> ex.document_subjects(document_from_text("浦东。", "d", cluster="Shanghai (Pudong)"), [])
        ['shanghai']
        """
        return self.subjects.document_subjects(doc, mentions, policy, targets)

    def extract(self, doc: Document, mentions: list[Mention], policy: str | None = None) -> list[Claim]:
        """Claims of ``doc``; ``mentions`` are its entity mentions (for subjects and members); ``policy`` the policy
        the document is about, if known."""
        entities = self.catalogue.entities
        by_sentence: dict[int, list[Mention]] = {}
        for m in mentions:
            by_sentence.setdefault(m.sentence, []).append(m)
        subject_ctx = self.subjects.context(doc, mentions, policy)
        claims: list[Claim] = []
        doc_year = _document_year(doc.meta)
        sentences, folded, language = doc.sentences, doc.folded, doc.language
        # Sentences are slices of the document's fold when it keeps offsets (almost always), else folded one by one.
        if folded.is_identity:
            f = folded.folded
            texts, spans = [f[s.start:s.end] for s in sentences], None
        else:
            spans = [folded.span(s.start, s.end) for s in sentences]
            texts = [ft.folded for ft in spans]
        cue_words = _SentenceCueWords(texts, [s.paragraph for s in sentences], self.target_before, self.fact_before)
        numeral = self.grammar.numeral_sentences(texts)
        for index, present in zip(numeral, self.grammar.required_present([texts[i] for i in numeral])):
            sent, text = sentences[index], texts[index]
            quantities = self.grammar.scan(text, language, present)
            if not quantities:
                continue
            to_original = spans[index].to_original if spans else _same_span
            base = sent.start
            cues = cue_words.sentence_cues(index, doc_year)
            rule_cues: dict[int, list[tuple[int, int]]] = {}  # where each rule's cues occur in this sentence
            either_hits: dict = {}  # the first `either` cue of each rule in this sentence or one of its clauses
            clauses = clause_bounds(text, self.clause_breaks)  # only sentences with a quantity need their clauses
            orders = self.subjects.respective_order(text, quantities)
            clause_starts = [c[0] for c in clauses]
            for i, q in enumerate(quantities):
                clause = clauses[bisect_right(clause_starts, q.start) - 1]  # starts rise: the one holding q.start
                if not clause[0] <= q.start < clause[1]:
                    clause = next((c for c in clauses if c[0] <= q.start < c[1]), (0, len(text)))
                lo = quantities[i - 1].end if i else 0
                hi = quantities[i + 1].start if i + 1 < len(quantities) else len(text)
                rule, cue_spans = self._classify(q, text, clause, lo, hi, either_hits)
                if rule is None:
                    continue
                spec = rule.spec
                o_start, o_end = to_original(q.start, q.end)
                start, end = base + o_start, base + o_end
                # every place where a cue of the rule occurs in the sentence names no subject ("全国", "中国の")
                everywhere = rule_cues.get(id(rule))  # (in original offsets: mapped once per sentence)
                if everywhere is None:
                    everywhere = rule_cues[id(rule)] = [
                        (base + a, base + b) for a, b in (to_original(*m.span())
                                                          for p in (rule.before, rule.after, rule.either) if p
                                                          for m in p.finditer(text))]
                cue_orig = [(base + a, base + b) for a, b in (to_original(*c) for c in cue_spans)]
                qualifier = q.qualifier
                if qualifier == "exact" and spec["qualifier"]:
                    qualifier = spec["qualifier"]
                a, b = to_original(*clause)
                o_clause = (base + a, base + b)
                target, target_from = self._target(spec, q, text, clause, cues)
                order = orders[i]
                if order:  # the names listed before this (folded) offset, in document offsets
                    order = (base + to_original(order[0], order[0])[0], order[1])
                subjects, subject_from = self.subjects.resolve(subject_ctx, spec, (start, end), o_clause, sent,
                                                               cue_orig, text, q.start, target, everywhere, order)
                members = []
                if spec["members"]:
                    members = list(dict.fromkeys(
                        m.entity for m in by_sentence.get(sent.index, [])
                        if entities.get(m.entity) and entities[m.entity].type in spec["members"]
                        and o_clause[0] <= m.start < o_clause[1]))
                attrs = {"rule": spec["metric"], "target_from": target_from}
                if q.upper is not None:
                    attrs["value_max"] = q.upper
                unit = spec["unit"] or self.counter_units.get(q.counter) or q.unit or q.kind
                if q.counter and not q.noun and unit in self.generic_units and \
                        self.counter_units.get(q.counter) in self.generic_units:
                    unit = self._noun_unit(q, text, clause) or unit  # "84个产业项目": projects, not items
                claims.append(Claim(
                    id=f"claim:{doc.id}:{sent.index}:{start}", metric=spec["metric"], value=q.value,
                    unit=unit, qualifier=qualifier,
                    text=doc.text[start:end], doc=doc.id, evidence=[doc.evidence(start, end)], subjects=subjects,
                    subject_from=subject_from, members=members, date=q.date, target=target,
                    subsidy=spec["subsidy"] or "", kind=q.kind, attrs=attrs))
        return claims


def reconciliation(claim: Claim) -> str:
    """'6 named of ≥70' for a count claim whose sentence names members; '' otherwise."""
    if claim.kind != "count" or not claim.members or claim.value is None:
        return ""
    return f"{len(claim.members)} named of {QUALIFIER_SYMBOL[claim.qualifier]}{claim.value:g}"
