"""Open-world discovery: organisations, products and policy documents that no catalogue or roster lists.

Patterns are data (``data/discovery.yaml``): legal and sector suffixes (优必选科技, 株式会社X, "Unitree Robotics"),
list contexts (如A、B、C等企业 / A、BなどのX / "companies such as A, B and C"), appositions ("the startup A", 企业A,
A公司), parenthetical translations (宇树科技（Unitree）), quoted and model-number product names (「青龍」, "Walker S2")
and policy titles (《…行动计划（2025—2027年）》). Every place a pattern fires is a :class:`Candidate`; candidates are
merged across documents and scripts by a key of their folded name (parenthetical pairs join two keys), scored
(noisy-OR of the weights of the patterns that found them) and kept only at or above the threshold.

The work per document is proportional to the places where a pattern word occurs: one Aho-Corasick pass over the
folded text finds the trigger words, and only short windows around them are looked at in Python.

Examples
--------
>>> from loaders.catalogue import load_catalogue
>>> from loaders.text import document_from_text
>>> cat = load_catalogue()
>>> doc = document_from_text("深圳集聚了优必选科技、乐聚机器人等企业。优必选科技发布了Walker S2人形机器人。", "d")
>>> found = discover([doc], cat)
>>> sorted((e.type, e.name) for e in found.entities.values())
[('Company', '乐聚机器人'), ('Company', '优必选科技'), ('Product', 'Walker S2')]
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left, bisect_right, insort
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from operator import itemgetter
from pathlib import Path

import ahocorasick
import ahocorasick_rs
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import InputError
from .fold import fold, fold_many
from .matcher import AliasMatcher
from .paths import DATA_DIR
from .records import Entity, Mention, Relation, Source
from .text import Document, clause_bounds
from .yamlio import load_yaml, strip_lines

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
KANA = "\u30a0-\u30ff"  # katakana with ー and ・
# a name's characters, or a bracketed 2-4 of them, backwards: the longest run that ends at a place, matched on the
# reversed text (a forward search with $ would try every start)
_NAME_TAIL_REVERSED = re.compile(rf"(?:[{HAN}{KANA}]|\)[{HAN}{KANA}]{{2,4}}\()+")
_NAME_HEAD = re.compile(rf"[{HAN}{KANA}]+")
_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_YEARS_RANGE = r"\(\s*\d{4}\s*[-—–~〜至到]+\s*(?:\d{4}|\d{2})\s*年?\s*\)"  # (2025-2027年), （2024〜27年）
_YEARS = re.compile(rf"\s*{_YEARS_RANGE}\s*$")  # a title's span of years at its end
_YEARS_AFTER = re.compile(_YEARS_RANGE)


def _quoted_pattern(longest: int) -> re.Pattern:
    """A name of up to ``longest`` characters in 「」, 『』, “” or \"\" (one group per kind of quotes)."""
    return re.compile("|".join(rf"{a}([^{a}{b}\n]{{1,{longest}}}){b}" for a, b in ("「」", "『』", "“”", '""')))


_QUOTED = _quoted_pattern(14)  # a product's name
_PROGRAMME_QUOTED = _quoted_pattern(24)  # a programme's name (“具身智能揭榜挂帅”专项, "AI for All" initiative)
_CJK_WORD = re.compile(r"[\u4e00-\u9fff\u30a0-\u30ff]")  # a kanji or katakana continues a word
_TITLED = re.compile(r"《([^《》\n]{2,90})》|「([^「」\n]{4,90})」")
_MODEL = re.compile(r"(?<![A-Za-z0-9\-])((?:[A-Z][a-z]{2,12} |[A-Z][a-z]{1,10}[A-Z][a-z]{1,10} )?(?:[A-Z][A-Za-z]{0,5}-?\d{1,3}[A-Za-z]{0,3}|[A-Z]{3,6} \d{1,2})"
                    r"(?: (?:Pro|Max|Plus|Ultra|Mini|Lite|Edu))?)(?![A-Za-z0-9\-])")
_LATIN_TOKEN = re.compile(r"\S+")
_LATIN_TAIL = re.compile(r"[\x21-\x7e]+$")
_HAS_LETTER = re.compile("[A-Za-z]")
_BRACKETED_WORD = re.compile(r"\([A-Z][a-z]+\)")
_HYPHEN_LOWER = re.compile(r"-[a-z]")
_FIRST_WORD = re.compile(r"(\S+)\s+")
_CONNECTORS = {"of", "and", "for", "&"}
_PAREN = re.compile(r"\(([^()\n]{1,48})\)")


# ------------------------------------------------------------------------------------------------ rules from data


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _SuffixModel(_Strict):
    pattern: str
    type: str
    weight: float
    words: list[str]
    languages: list[str] = []
    needs_place: bool = False


class _ListModel(_Strict):
    weight: float
    close: dict[str, list[str]] = {}
    close_after_gap: dict[str, list[str]] = {}
    close_gap: int = 12
    gap_openers: list[str] = ["等"]
    gap_breaks: list[str] = []
    gap_fields: list[str] = []
    open: dict[str, list[str]] = {}
    open_after_noun: _OpenAfterNounModel | None = None


class _AppositionModel(_Strict):
    weight: float
    weight_latin: float | None = None
    before: dict[str, list[str]] = {}
    after: dict[str, list[str]] = {}
    latin_based: bool = False
    latin_after_nouns: list[str] = []
    hyphen_after: list[str] = []
    strong_after: _StrongModel | None = None
    strong_before: _StrongModel | None = None


class _WeightModel(_Strict):
    weight: float


class _StrongModel(_Strict):
    weight: float
    words: dict[str, list[str]]


class _OpenAfterNounModel(_Strict):
    cues: list[str]
    nouns: dict[str, list[str]]


class _FundingModel(_Strict):
    adverbs: list[str] = []
    verbs: list[str]
    nouns: list[str]
    gap: int = 14
    latin_verbs: list[str] = []
    latin_nouns: list[str] = []


class _NationalBodiesModel(_Strict):
    prefixes: list[str]
    heads: list[str]


class _OrgModel(_Strict):
    suffixes: list[_SuffixModel]
    heads_with_of: list[str] = []
    latin_and_joins: list[str] = []
    list_context: _ListModel
    list_peers: _WeightModel
    apposition: _AppositionModel
    parenthetical: _WeightModel
    short_name_cues: list[str] = []
    classifiers: list[str] = []
    person_endings: list[str] = []
    person_surnames: list[str] = []
    legal_name_words: list[str] = []
    false_suffixes: list[str] = []
    media_title_cues: list[str] = []
    quoted_office_endings: list[str] = []
    left_stops: list[str]
    not_stops_in_ja: list[str] = []
    generic: list[str]
    latin_left_stops: list[str] = []
    sha_rejects: list[str] = []
    national_prefixes: list[str] = []
    suffix_continuations: list[str] = []
    legal_prefixes: list[str] = []
    government_prefixes: list[str] = []
    national_bodies: _NationalBodiesModel | None = None
    adjective_endings: list[str] = []
    ja_after_name: list[str] = []
    zone_heads: list[str] = []
    funding: _FundingModel | None = None
    ja_country_abbreviations: list[str] = []
    person_surnames_cjk: list[str] = []


class _QuotedModel(_Strict):
    weight: float
    cues: list[str]
    cues_after: list[str] = []


class _ModelNumberModel(_Strict):
    weight: float
    cues: list[str]
    rejects: list[str] = []
    product_after: list[str] = []


class _NamedModel(_Strict):
    weight: float
    before: list[str] = []
    after: list[str] = []
    apposition: list[str] = []
    apposition_followers: list[str] = []


class _ProductModel(_Strict):
    quoted: _QuotedModel
    model_number: _ModelNumberModel
    named: _NamedModel


class _PolicyModel(_Strict):
    weight: float
    heads: list[str]
    min_title_words: int = 3
    bare: _BarePolicyModel | None = None
    programmes: _ProgrammeModel | None = None
    title_tail: list[str] = []
    rejects: list[str] = []


class _ProgrammeModel(_Strict):
    weight: float
    after_quote: list[str]
    quoted_endings: list[str]
    not_names: list[str] = []
    followers: list[str] = []
    latin_after: list[str] = []
    bare_weight: float = 0.0
    bare_cues: list[str] = []
    bare_heads: list[str] = []
    bare_min: int = 4
    bare_rejects: list[str] = []
    periods: list[str] = []
    numbered_endings: list[str] = []
    period_heads: list[str] = []
    period_fields: list[str] = []
    clause_ends: list[str] = []
    year_named: bool = False


class _BarePolicyModel(_Strict):
    weight: float
    heads: list[str]
    cues: list[str]
    min_length: int = 8


class _DiscoveryModel(_Strict):
    threshold: float
    segmenter: Literal["stops", "jieba", "sudachi"] = "stops"
    repeat_weight: float = 0.0
    organisations: _OrgModel
    products: _ProductModel
    policies: _PolicyModel
    segment_cues: dict[str, list[str]] = {}
    blocking_types: list[str]
    id_prefixes: dict[str, str]
    registered_place_levels: list[str] = []


def _alternation(words) -> re.Pattern | None:
    """A regex matching any of ``words``, the longest where several start at one place (as the alternation of the
    words longest first), written as a trie (``a(?:b(?:c)?|d)``): re tries every branch of a flat alternation at each
    position, a trie one character per level (measured: 1.5x on the left-edge windows)."""
    words = {w for w in words if w}
    return re.compile(_trie_pattern(words)) if words else None


def _trie_pattern(words) -> str:
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a word ends here: the longer words first, then this one (greedy ``?``)
            return ("(?:" + body + ")?") if len(branches) == 1 else body + "?"
        return body

    return emit(trie)


@dataclass
class DiscoveryRules:
    """The patterns of ``data/discovery.yaml``, folded and compiled once.

    Attributes
    ----------
    threshold : float
        The confidence at or above which a candidate becomes an entity.
    weights : dict
        Pattern id -> weight (``suffix_legal``, ``list_context``, ``parenthetical``, ``quoted_product``, …).
    """

    threshold: float
    repeat_weight: float
    weights: dict[str, float]
    triggers: ahocorasick_rs.AhoCorasick  # overlapping matches; the i-th word is trigger_entries[i]
    trigger_entries: list[tuple[str, tuple]]  # (word, what it triggers)
    heads_with_of: set[str]
    left_stops: re.Pattern
    left_stops_ja: re.Pattern
    legal_stops_ja: re.Pattern
    right_stops: re.Pattern
    generic: set[str]
    generic_cover: re.Pattern
    cover_words: set[str]
    gap_types: dict[str, str]
    latin_left_stops: set[str]
    sha_rejects: tuple[str, ...]
    national_prefixes: tuple[str, ...]
    suffix_words: set[str]
    suffixes_for: dict[str, tuple[str, ...]]
    legal_words: tuple[str, ...]
    kana_suffixes: frozenset[str]
    sector_words: tuple[str, ...]
    latin_and_joins: set[str]
    close_gap: re.Pattern
    gap_fields: tuple[str, ...]
    after_nouns: re.Pattern | None
    short_name: re.Pattern | None
    classifiers: tuple[str, ...]
    person_endings: tuple[str, ...]
    person_surnames: set[str]
    legal_stops: re.Pattern
    false_suffixes: tuple[str, ...]
    media_title_cues: tuple[str, ...]
    quoted_office_endings: tuple[str, ...]
    open_nouns: list[tuple[re.Pattern, str]]
    suffix_continuations: tuple[str, ...]
    legal_prefixes: tuple[str, ...]
    product_cues_before: re.Pattern
    product_cues_after: re.Pattern | None
    model_cues: re.Pattern
    model_rejects: set[str]
    model_product_after: re.Pattern | None
    policy_heads: tuple[str, ...]
    media_heads: tuple[str, ...]
    policy_heads_latin: tuple[str, ...]
    bare_policy: re.Pattern | None
    bare_policy_cues: re.Pattern | None
    bare_policy_min: int
    min_title_words: int
    segment_cues: dict[str, list[str]]
    registered_place_levels: tuple[str, ...]
    blocking_types: frozenset[str]
    id_prefixes: dict[str, str]
    path: str = ""
    segmenter: str = "stops"
    programme_after: re.Pattern | None = None  # a programme word after a quoted name (“X”专项, "X" initiative)
    programme_endings: tuple[str, ...] = ()
    programme_not_names: frozenset[str] = frozenset()
    programme_followers: frozenset[str] = frozenset()
    title_tail: re.Pattern | None = None  # "on Robotics" after an English title's head
    policy_rejects: re.Pattern | None = None  # words that make a titled name a tender or contract
    latin_programme: re.Pattern | None = None  # "the Made in Bluestone initiative"
    latin_programme_head: re.Pattern | None = None  # " initiative"
    bare_programme: re.Pattern | None = None  # 实施(灵犀人才)(计划)
    bare_programme_min: int = 4
    plan_periods: frozenset[str] = frozenset()  # “十五五”
    numbered_name: re.Pattern | None = None  # a name ending in a count of measures (苏州十条, 具身智能20条)
    period_plan: re.Pattern | None = None  # 专项规划 after the period
    period_fields: tuple[str, ...] = ()  # 领域, 产业 before it
    period_heads_tuple: tuple[str, ...] = ()  # 专项规划, 规划 …, the longest first
    programme_year_named: bool = False  # “中国制造2025”: a quoted CJK name ending in a target year
    bare_programme_rejects: tuple[str, ...] = ()
    programme_clause_ends: frozenset[str] = frozenset()
    government_prefixes: tuple[str, ...] = ()  # 中共 of 中共山东省委
    product_apposition: re.Pattern | None = None  # "Jiajia, a humanoid robot developed by"
    funding: tuple | None = None  # (zh, en patterns, adverbs, nouns, latin verbs) of a funding round's verb
    national_body: re.Pattern | None = None  # 国家税务总局 before its provincial branch (…山东省税务局)
    adjective_endings: tuple[str, ...] = ()  # 性 of 原创性: a two-character word and this is an adjective
    ja_after_name: frozenset[str] = frozenset()  # 傘下 of Xグループ傘下の: kanji after a Japanese name, not of it
    zone_heads: tuple[str, ...] = ()  # 新区 of 两江新区管委会: a zone names the place of its administration
    ja_country_abbreviations: frozenset[str] = frozenset()  # 独 of 独シュタインメッツ社
    person_surnames_cjk: frozenset[str] = frozenset()  # 李 of 李華董事長
    _segment_automata: dict = field(default_factory=dict, repr=False)
    _key_cache: dict = field(default_factory=dict, repr=False)
    _key_places: frozenset = frozenset()  # the places a key drops from a name's start (set by discover)

    @cached_property
    def kana_tuple(self) -> tuple[str, ...]:
        return tuple(self.kana_suffixes)

    @cached_property
    def suffix_firsts(self) -> dict[str, frozenset[str]]:
        """The first characters of ``suffixes_for[lang]`` (a character test before ``startswith`` of ~150 words)."""
        return {lang: frozenset(w[0] for w in words if w) for lang, words in self.suffixes_for.items()}

    @cached_property
    def suffix_tuple(self) -> tuple[str, ...]:
        """``suffix_words`` as a tuple, for ``str.endswith``."""
        return tuple(self.suffix_words)

    @cached_property
    def _suffix_lengths(self) -> list[int]:
        return sorted({len(w) for w in self.suffix_words}, reverse=True)


def _is_latin(word: str) -> bool:
    return bool(word) and word[0].isascii()


@lru_cache(maxsize=4)
def _load_rules_cached(path: str) -> DiscoveryRules:
    p = Path(path)
    raw = load_yaml(p)
    try:
        m = _DiscoveryModel.model_validate(strip_lines(raw))
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InputError(f"discovery rules: {err['msg']}", path=p,
                         field=".".join(str(x) for x in err["loc"])) from exc
    org = m.organisations
    weights = {s.pattern: s.weight for s in org.suffixes}
    weights.update({"list_context": org.list_context.weight, "list_peers": org.list_peers.weight,
                    "short_name": org.parenthetical.weight, "apposition": org.apposition.weight,
                    "apposition_latin": org.apposition.weight_latin or org.apposition.weight,
                    "parenthetical": org.parenthetical.weight, "quoted_product": m.products.quoted.weight,
                    "model_number": m.products.model_number.weight, "named_product": m.products.named.weight,
                    "policy_title": m.policies.weight, "possessive": m.products.model_number.weight,
                    "policy_bare": m.policies.bare.weight if m.policies.bare else 0.0,
                    "programme": m.policies.programmes.weight if m.policies.programmes else 0.0,
                    "programme_bare": m.policies.programmes.bare_weight if m.policies.programmes else 0.0})
    pg = m.policies.programmes
    entries: dict[str, list] = defaultdict(list)
    suffix_words = set()
    for s in org.suffixes:
        for w in s.words:
            key = fold(w)
            suffix_words.add(key)
            if key[0].isascii() and key[0].isalnum():
                key = " " + key  # a Latin suffix follows a space: "said" and "chain" are no triggers for "AI"
            entries[key].append(("suffix", s.pattern, s.type, tuple(s.languages), s.needs_place))
    for typ, words in org.list_context.close.items():
        for w in words:
            entries[fold(w)].append(("close", "list_context", typ, (), False))
    for typ, words in org.list_context.open.items():
        for w in words:
            entries[fold(w)].append(("open", "list_context", typ, (), False))
    for typ, words in org.apposition.before.items():
        for w in words:
            entries[fold(w)].append(("appos_before", "apposition", typ, (), False))
    for typ, words in org.apposition.after.items():
        for w in words:
            entries[fold(w)].append(("appos_after", "apposition", typ, (), False))
    for h in m.policies.heads:
        if _is_latin(h):
            entries[fold(h)].append(("policy_head", "policy_title", "Policy", (), False))
    for w in m.products.named.before:
        if _is_latin(w):
            entries[fold(w) + " "].append(("named_before", "named_product", "Product", (), False))
    for w in m.products.named.after:
        if _is_latin(w):
            entries[" " + fold(w)].append(("named_after", "named_product", "Product", (), False))
    for w in org.legal_prefixes:
        entries[fold(w)].append(("prefix", "suffix_legal", "Company", (), False))
    if org.list_context.close_after_gap:
        for w in org.list_context.gap_openers:
            entries[fold(w)].append(("close_gap", "list_context", "", (), False))
    if org.apposition.latin_based:
        entries["-based "].append(("based", "apposition", "Company", (), False))
    if org.apposition.latin_after_nouns:
        for art in (", a ", ", an ", ", the "):
            entries[art].append(("after_noun", "apposition", "Company", (), False))
    if org.apposition.strong_after:
        weights["strong_cue"] = org.apposition.strong_after.weight
        for typ, words in org.apposition.strong_after.words.items():
            for w in words:
                entries[fold(w)].append(("appos_after", "strong_cue", typ, (), False))
    if org.apposition.strong_before:
        weights["strong_cue"] = org.apposition.strong_before.weight
        for typ, words in org.apposition.strong_before.words.items():
            for w in words:
                entries[fold(w)].append(("appos_before", "strong_cue", typ, (), False))
    for w in org.apposition.hyphen_after:
        entries[fold(w) + " "].append(("hyphen", "apposition", "Company", (), False))
    oan = org.list_context.open_after_noun
    if oan:
        for w in oan.cues:
            entries[" " + fold(w) + " "].append(("open_noun", "list_context", "", (), False))
    gap_words = {fold(w): t for t, ws in org.list_context.close_after_gap.items() for w in ws}
    trigger_entries = [(key, tuple(vals)) for key, vals in entries.items()]
    # ahocorasick_rs with a DFA (built once per process): the same matches as pyahocorasick's iter in the same order
    # once sorted by end and longest first, at 2-3x its speed on the corpus
    auto = ahocorasick_rs.AhoCorasick([k for k, _ in trigger_entries], implementation=ahocorasick_rs.Implementation.DFA)
    stops = [fold(s) for s in org.left_stops]
    legal_words = {fold(w) for w in org.legal_name_words}
    not_stops_ja = {fold(w) for w in org.not_stops_in_ja}
    stops_ja = [x for x in stops if x not in not_stops_ja]
    generic = {fold(g) for g in org.generic}
    cover_words = generic | suffix_words
    return DiscoveryRules(
        threshold=m.threshold, repeat_weight=m.repeat_weight, weights=weights, triggers=auto, trigger_entries=trigger_entries,
        heads_with_of={fold(h) for h in org.heads_with_of}, left_stops=_alternation(stops),
        left_stops_ja=_alternation(stops_ja), legal_stops_ja=_alternation(x for x in stops_ja if x not in legal_words),
        right_stops=_alternation(stops),
        generic=generic, generic_cover=re.compile(r"[\s\-·・&.'’]+"), cover_words=cover_words, gap_types=gap_words,
        latin_left_stops={s.lower() for s in org.latin_left_stops}, sha_rejects=tuple(fold(s) for s in org.sha_rejects),
        national_prefixes=tuple(fold(s) for s in org.national_prefixes),
        kana_suffixes=frozenset(w for w in suffix_words if w and all("\u30a0" <= ch <= "\u30ff" for ch in w)),
        legal_words=tuple(fold(w) for sfx in org.suffixes if sfx.pattern == "suffix_legal" for w in sfx.words),
        sector_words=tuple(fold(w) for sfx in org.suffixes if sfx.pattern.startswith("suffix_company")
                           for w in sfx.words if not _is_latin(w)),
        suffix_words=suffix_words, suffixes_for={
            lang: tuple(fold(w) for sfx in org.suffixes if not sfx.languages or lang in sfx.languages
                        for w in sfx.words) for lang in ("zh", "ja", "en")}, latin_and_joins={fold(x) for x in org.latin_and_joins},
        # the gap may hold quotes (等30家“苏州智造”领军企业) and の, but no other kana particle (から, が: the noun
        # after it is not what the items are)
        close_gap=re.compile(r"(?:%s(?:[^,。;:!?、()《》\n\u3040-\u309f]|の)){0,%d}?(%s)" % (
            "(?!%s)" % "|".join(re.escape(fold(w)) for w in org.list_context.gap_breaks)
            if org.list_context.gap_breaks else "",
            org.list_context.close_gap, "|".join(re.escape(w) for w in sorted(gap_words, key=len, reverse=True)))),
        # ("X, a robot maker", "X, the Shenzhen-based maker of …")
        after_nouns=re.compile(r"(?:(?:[a-z][a-z-]*|[A-Z][a-z]+-based) ){0,3}(?:%s)s?\b" % "|".join(
            re.escape(w) for w in org.apposition.latin_after_nouns)) if org.apposition.latin_after_nouns else None,
        short_name=re.compile(r"\((?:[^()]{0,30}[,、])?\s*(?:%s)[,、:\s]*[“\"「『]([^”\"」』()]{1,24})[”\"」』]\)" % "|".join(
            re.escape(fold(w)) for w in sorted(org.short_name_cues, key=len, reverse=True)))
        if org.short_name_cues else None,
        classifiers=tuple(fold(x) for x in org.classifiers), person_endings=tuple(fold(x) for x in org.person_endings),
        person_surnames={x.lower() for x in org.person_surnames},
        false_suffixes=tuple(fold(x) for x in org.false_suffixes),
        media_title_cues=tuple(fold(x) for x in org.media_title_cues),
        gap_fields=tuple(fold(x) for x in org.list_context.gap_fields),
        quoted_office_endings=tuple(fold(x) for x in org.quoted_office_endings),
        legal_stops=_alternation(x for x in stops if x not in legal_words),
        open_nouns=[(re.compile(r"\b(?:%s)\b" % "|".join(re.escape(n) for n in nouns)), t)
                    for t, nouns in (oan.nouns.items() if oan else [])],
        suffix_continuations=tuple(fold(x) for x in org.suffix_continuations),
        legal_prefixes=tuple(fold(x) for x in org.legal_prefixes),
        product_cues_before=re.compile("(?:%s)(?:的|の|了|\\s)*$" % "|".join(
            re.escape(fold(c)) for c in sorted(m.products.quoted.cues, key=len, reverse=True))),
        # (“X”人形机器人, 「A」「B」などの人型ロボット; not “X”的人形机器人: a quoted word describing a robot)
        product_cues_after=re.compile("(?:等|など)?(?:の|\\s)*(?:%s)" % "|".join(
            re.escape(fold(c)) for c in sorted(m.products.quoted.cues_after, key=len, reverse=True)))
        if m.products.quoted.cues_after else None,
        model_cues=_alternation(fold(c) for c in m.products.model_number.cues),
        model_rejects={fold(r) for r in m.products.model_number.rejects},
        model_product_after=_alternation(fold(c) for c in m.products.model_number.product_after),
        policy_heads=tuple(sorted({fold(h) for h in m.policies.heads if not _is_latin(h)}, key=len, reverse=True)),
        media_heads=tuple(fold(w) for sfx in org.suffixes if sfx.pattern == "suffix_media" for w in sfx.words
                          if not _is_latin(w)) + ("报",),
        policy_heads_latin=tuple(sorted({fold(h) for h in m.policies.heads if _is_latin(h)}, key=len, reverse=True)),
        bare_policy=_alternation(fold(h) for h in m.policies.bare.heads) if m.policies.bare else None,
        bare_policy_cues=_alternation(fold(h) for h in m.policies.bare.cues) if m.policies.bare else None,
        bare_policy_min=m.policies.bare.min_length if m.policies.bare else 0,
        min_title_words=m.policies.min_title_words, segment_cues=m.segment_cues,
        registered_place_levels=tuple(m.registered_place_levels), path=str(p), segmenter=m.segmenter,
        blocking_types=frozenset(m.blocking_types), id_prefixes=m.id_prefixes,
        programme_after=re.compile(r"(?:的|の|\s)?(?:%s)" % _trie_pattern({fold(h) for h in pg.after_quote}))
        if pg else None,
        programme_endings=tuple(fold(h) for h in pg.quoted_endings) if pg else (),
        programme_not_names=frozenset(fold(x) for x in pg.not_names) if pg else frozenset(),
        programme_followers=frozenset(fold(x) for x in pg.followers) if pg else frozenset(),
        # (small words may stand between the tail's capitalised words: "on the Innovative Development of Humanoid
        # Robots", "for the Development of the Robot Industry"; the tail ends at a capitalised word)
        title_tail=re.compile(r" (?:%s)(?:(?: (?:the|of|and|for|on|in|to|a|an))* [A-Z][\w-]*)+" % "|".join(
            map(re.escape, m.policies.title_tail)))
        if m.policies.title_tail else None,
        policy_rejects=_alternation(fold(x) for x in m.policies.rejects),
        latin_programme=re.compile(
            r"\b(?:the|its|[A-Z][a-z]+['’]s)\s+((?:[A-Z][\w+&-]*|\d{4})(?:\s+(?:[A-Z][\w+&-]*|\d{4}|of|for|and|in))*?)"
            r"\s+(?:%s)\b" % "|".join(map(re.escape, pg.latin_after))) if pg and pg.latin_after else None,
        latin_programme_head=re.compile(r"\s(?:%s)\b" % "|".join(map(re.escape, pg.latin_after)))
        if pg and pg.latin_after else None,
        bare_programme=re.compile(r"(%s)([^,。;:!?、\s“”《》「」]{1,16}?)(%s)" % (
            _trie_pattern({fold(c) for c in pg.bare_cues}), _trie_pattern({fold(h) for h in pg.bare_heads})))
        if pg and pg.bare_cues else None,
        bare_programme_min=pg.bare_min if pg else 4,
        plan_periods=frozenset(fold(x) for x in pg.periods) if pg else frozenset(),
        numbered_name=re.compile(r"[^\d一二三四五六七八九十百]{2,}(?:\d{1,3}|[一二三四五六七八九十百]{1,3})(?:%s)$" % "|".join(
            map(re.escape, (fold(x) for x in pg.numbered_endings)))) if pg and pg.numbered_endings else None,
        period_plan=_alternation(fold(x) for x in pg.period_heads) if pg and pg.period_heads else None,
        period_fields=tuple(fold(x) for x in pg.period_fields) if pg else (),
        period_heads_tuple=tuple(sorted((fold(x) for x in pg.period_heads), key=len, reverse=True)) if pg else (),
        programme_year_named=bool(pg and pg.year_named),
        bare_programme_rejects=tuple(fold(x) for x in pg.bare_rejects) if pg else (),
        programme_clause_ends=frozenset(fold(x) for x in pg.clause_ends) if pg else frozenset(),
        government_prefixes=tuple(fold(x) for x in org.government_prefixes),
        national_body=re.compile(r"(?:%s)[%s]{1,10}?(?:%s)$" % (
            "|".join(map(re.escape, map(fold, org.national_bodies.prefixes))), HAN,
            "|".join(map(re.escape, map(fold, org.national_bodies.heads))))) if org.national_bodies else None,
        adjective_endings=tuple(fold(x) for x in org.adjective_endings),
        ja_after_name=frozenset(fold(x) for x in org.ja_after_name),
        zone_heads=tuple(fold(x) for x in org.zone_heads),
        # (zh: the verb and the noun; the time words before the verb are taken off by _funded, not tried by the
        # regex at every character)
        funding=(re.compile(r"(?:%s)[^,。;:!?、\n]{0,%d}?(?:%s)" % (
            "|".join(map(re.escape, map(fold, org.funding.verbs))), org.funding.gap,
            "|".join(map(re.escape, map(fold, org.funding.nouns))))) if org.funding.verbs else None,
                 re.compile(r"(?<=\w) (?:has |have )?(?:%s) [^.;:!?\n]{0,60}?\b(?:%s)\b" % (
                     "|".join(map(re.escape, org.funding.latin_verbs)),
                     "|".join(map(re.escape, org.funding.latin_nouns)))) if org.funding.latin_verbs else None,
                 tuple(fold(x) for x in org.funding.adverbs), tuple(fold(x) for x in org.funding.nouns),
                 tuple(org.funding.latin_verbs))
        if org.funding else None,
        ja_country_abbreviations=frozenset(fold(x) for x in org.ja_country_abbreviations),
        person_surnames_cjk=frozenset(fold(x) for x in org.person_surnames_cjk),
        product_apposition=re.compile(
            r", (?:a|an) (?:[\w-]+ ){0,3}?(?:%s)(?=[,.;:]| (?:%s)\b)"
            % ("|".join(map(re.escape, sorted(m.products.named.apposition, key=len, reverse=True))),
               "|".join(map(re.escape, m.products.named.apposition_followers))))
        if m.products.named.apposition and m.products.named.apposition_followers else None)


def load_discovery_rules(data_dir=None) -> DiscoveryRules:
    """Load and compile ``data/discovery.yaml`` (cached per directory; a bad file raises :class:`InputError`).

    Examples
    --------
    >>> load_discovery_rules().threshold
    0.7
    """
    return _load_rules_cached(str((Path(data_dir or DATA_DIR) / "discovery.yaml").resolve()))


# ------------------------------------------------------------------------------------------------ candidates


@dataclass(slots=True)
class Candidate:
    """One place where a pattern found a name: folded and original spans, the name as written, what found it."""

    kind: str  # organisation, product, policy
    type: str  # Company, Institution, Product, Policy
    doc: str
    start: int  # original offsets
    end: int
    quote: str
    pattern: str
    weight: float
    partner: str = ""  # the other name of a parenthetical pair


def name_key(name: str, rules: DiscoveryRules | None = None) -> str:
    """The key two names of one organisation share: folded, without legal suffixes, a leading city, sector suffixes
    (when something is left), spaces and punctuation.

    Examples
    --------
    >>> name_key("深圳市优必选科技股份有限公司") == name_key("優必選科技") == name_key("优必选")
    True
    >>> name_key("Unitree Robotics Co., Ltd."), name_key("UNITREE")
    ('unitree', 'unitree')
    """
    rules = rules or load_discovery_rules()
    return _key(fold(name), rules)


_CITY = re.compile(rf"^[{HAN}]{{2,3}}(?:省|市)(?=[{HAN}{KANA}]{{2}})")
_CITY_AT = re.compile(_CITY.pattern[1:])  # _CITY at a position (pattern.match(text, pos, end))
_CITY_WHOLE = re.compile(rf"[{HAN}]{{2,3}}(?:省|市)")  # what _CITY drops
_STRIP = re.compile(r"[\s·・\-_.,'\"’()（）]")


def _key(folded: str, rules: DiscoveryRules) -> str:
    cache = rules._key_cache
    k = cache.get(folded)
    if k is None:
        if len(cache) > 200_000:
            cache.clear()
        k = cache[folded] = _compute_key(folded, rules)
    return k


def _compute_key(folded: str, rules: DiscoveryRules) -> str:
    places = rules._key_places
    k = folded.strip()
    k = _YEARS.sub("", k)
    if k.startswith(rules.legal_prefixes):
        k = k[len(next(p for p in rules.legal_prefixes if k.startswith(p))):]
    changed = True
    lengths = rules._suffix_lengths
    unit = False  # a suffix other than a legal form went: a legal form left is a parent's (X有限公司机器人创新中心)
    while changed:
        changed = False
        for n in lengths:
            suf = k[-n:]
            if len(k) <= n or suf not in rules.suffix_words or unit and suf in rules.legal_words:
                continue
            if len(_STRIP.sub("", k[: -len(suf)])) >= 2:
                rest = k[: -len(suf)].rstrip(" ,.")
                if rest and rest[-1].isascii() and rest[-1].isalnum() and suf[0].isascii() and suf[0].isalnum() \
                        and not k[-len(suf) - 1].isspace():
                    continue  # "AgiBot" does not end in the suffix "Bot"
                if _is_generic(rest, rules, places, suffixes=False):
                    break  # 北京大学 and 北京汽车 are not one "北京"; 北京…创新中心 and 上海…创新中心 not one "人形"
                unit = unit or suf not in rules.legal_words
                k = rest
                changed = True
                break
    k = re.sub(r"\([^()]*\)$", "", k)
    # a leading city goes (杭州宇树 of 杭州宇树科技股份有限公司 is 宇树) unless only generic words and suffixes stay
    # (深圳市人民政府 is not 上海市人民政府)
    stripped = _CITY.sub("", k)
    if len(stripped) >= 2 and not _is_generic(stripped, rules, places):
        k = stripped
    elif places:
        for n in range(min(4, len(k) - 2), 1, -1):
            if k[:n] in places and not _is_generic(k[n:], rules, places):
                k = k[n:]
                break
    return _STRIP.sub("", k)


def _is_generic(folded_name: str, rules: DiscoveryRules, places=None, suffixes: bool = True) -> bool:
    """True when the name is made only of generic words, suffixes and places (人形机器人 is; 优必选科技 is not).

    ``places`` is a set of folded place names (or None); with ``suffixes=False`` a place and a suffix (上海电气, an
    item of a list of firms) is a name.
    """
    s = folded_name.strip()
    if s in rules.generic:
        return True
    core = rules.generic_cover.sub("", s)
    if len(core) < 2:
        return True
    cover = rules.cover_words if suffixes else rules.generic
    if s.isascii():
        words = [w.strip(".,'’()") for w in re.split(r"[\s\-]+", s)]
        return all(not w or w in cover or (places is not None and w in places) for w in words)
    n = len(core)
    ok = [True] + [False] * n  # ok[i]: core[:i] is a sequence of generic words and places
    for i in range(n):
        if not ok[i]:
            continue
        for j in range(i + 1, min(n, i + 10) + 1):
            w = core[i:j]
            if w in cover or (places is not None and w in places) or j - i == 3 and w.endswith(
                    rules.adjective_endings):
                ok[j] = True
    return ok[n]


class DocumentScanner:
    """Finds the candidates of one document (see :func:`discover`, which most callers want).

    Parameters
    ----------
    rules : DiscoveryRules
    place_sets : (frozenset, frozenset)
        The folded names of the known places, and the same with every gazetteer place (districts and counties, for
        the place a government body's name starts with: 萧山区委), from :attr:`KnownNames.place_sets`: a legal name
        may start with one (深圳市优必选科技…), a government body must (深圳市科技创新局), and a name made only of
        places and generic words is not an organisation.
    segmenter : {"stops", "jieba", "sudachi"}
        How a name's left edge is found: after the last stop word in the window before the suffix (``stops``), or
        the same counting only stop words the segmenter cuts as whole words (jieba for Chinese texts, SudachiPy with
        its small dictionary for Japanese texts).
    """

    def __init__(self, rules: DiscoveryRules, place_sets: tuple[frozenset, frozenset], segmenter: str = "stops",
                 org_types=None):
        self.rules = rules
        if org_types is None:
            from .catalogue import load_catalogue

            org_types = load_catalogue().types_with("organisation")
        self.org_types = frozenset(org_types)
        self.places, self.all_places = place_sets
        self.segmenter = segmenter
        self._generic_memo: dict[tuple[str, bool], bool] = {}
        self._lang = ""  # the language of the document being scanned (a segmenter applies to one language)
        self._segmented = False  # the segmenter applies to this document

    # ---------------------------------------------------------------- boundaries
    def _left_cjk(self, f: str, s: int, known_ends: list[int], lo: int = 0, legal: bool = False) -> int:
        """Start of the CJK name that ends at folded offset ``s`` (== s when there is none)."""
        lo = max(lo, s - 24)
        if s <= lo:
            return s
        # the longest run of name characters ending at s, matched backwards on the reversed window
        m = _NAME_TAIL_REVERSED.match(f[s - 1:lo - 1:-1] if lo else f[s - 1::-1])
        if not m:
            return s
        base = s - m.end()
        tail = f[base:s]
        cut = 0
        i = bisect_left(known_ends, s) - 1  # a known mention ending inside the tail is a left edge
        if i >= 0 and known_ends[i] > base:
            cut = known_ends[i] - base
        if self._lang == "ja":  # kana particles end a name; a Chinese function word is inside a kanji word there
            stops_re = self.rules.legal_stops_ja if legal else self.rules.left_stops_ja
        else:
            stops_re = self.rules.legal_stops if legal else self.rules.left_stops
        if self._segmented:
            stops = list(stops_re.finditer(tail, cut))
            if stops:
                bounds = (_jieba_bounds if self.segmenter == "jieba" else _sudachi_bounds)(tail)
                stops = [x for x in stops if x.start() in bounds and x.end() in bounds]
            if stops:
                cut = max(cut, stops[-1].end())
        else:
            # matches come left to right: the last ends furthest; one inside a city's name is none (都 of 成都)
            found = list(stops_re.finditer(tail, cut))
            last = before = None
            for k in range(len(found) - 1, -1, -1):  # the last two outside a place's name, from the end
                m = found[k]
                if not self._in_place(tail, m.start(), m.end()):
                    if last is None:
                        last = m
                        if not (legal and m.end() == len(tail) and m.group() in ("与", "和")):
                            break
                    else:
                        before = m
                        break
            if legal and last is not None and last.end() == len(tail) and last.group() in ("与", "和"):
                last = before  # 检测与评定中心: 与 right before an institution's head joins two words of its name
            if last is not None:
                cut = max(cut, last.end())
        # f[s - 1]: katakana (but a ・ between kanji joins two words of one name: 検査・評価センター)
        hk = _HAN_THEN_KANA.search(tail, cut) if "\u30a0" <= f[s - 1] <= "\u30ff" and not (
            f[s - 1] == "・" and s >= 2 and _HAN_CHAR.match(f[s - 2])) else None
        if hk and not self._generic(tail[cut:hk.end(1)]) and tail[hk.end(1):] not in self.rules.kana_suffixes:
            cut = hk.end(1)  # 港英字紙サウスチャイナ…ポスト: a katakana name after a kanji description
        if self._lang == "ja" and cut + 1 < len(tail) and tail[cut] in self.rules.ja_country_abbreviations \
                and "\u30a1" <= tail[cut + 1] <= "\u30fa":
            cut += 1  # 独シュタインメッツ社, 米Xの: a country's one-kanji abbreviation before a katakana name
        q = _COUNT_PREFIX.match(tail, cut)  # 近百家机器人企业: a count is not part of a name
        if q:
            cut = q.end()
        # after a number, a classifier starts no name (20所高校, 30余家企业)
        if base + cut > 0 and (f[base + cut - 1].isdigit() or f[base + cut - 1] in "一二三四五六七八九十百千万两几数"):
            for c in self.rules.classifiers:
                if tail.startswith(c, cut):
                    cut += len(c)
                    break
        return base + cut

    def _in_place(self, f: str, a: int, b: int) -> bool:
        """``f[a:b]`` (a stop word) stands inside the name of a country, province or city (都 of 成都, 和 of 和田)."""
        places = self.places
        for i in range(max(0, a - 3), a + 1):
            for j in range(max(b, i + 2), min(len(f), i + 5) + 1):
                if (i < a or j > b) and f[i:j] in places:
                    return True
        return False

    def _right_ok(self, f: str, e: int, strong: bool = False) -> bool:
        """A CJK name may end at ``e``: what follows is not a letter of the same word."""
        if e >= len(f):
            return True
        ch = f[e]
        if not ("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"):
            return not ("\u30a0" <= ch <= "\u30ff")
        if strong:
            return not f.startswith(self.rules.suffix_continuations, e)
        return self.rules.right_stops.match(f, e) is not None or f.startswith(("公司", "有限", "股份"), e)

    def _latin_left(self, text: str, s: int, lo: int = 0) -> int:
        """Start of the run of capitalised words (with of/and/& between them) ending at original offset ``s``."""
        lo = max(lo, s - 120)
        # most runs are a word or two: walk the last 40 characters, and all 120 only when the walk gets to their
        # first word (which may be cut)
        start = self._latin_walk(text, s, s - 40, False) if s - lo > 40 else None
        if start is None:
            start = self._latin_walk(text, s, lo, True)
        while start < s:  # a name does not start with a connector
            m = _FIRST_WORD.match(text, start, s)
            if m and m.group(1).lower() in _CONNECTORS:
                start += m.end() - start
            else:
                break
        return start

    def _latin_walk(self, text: str, s: int, window_start: int, whole: bool) -> int | None:
        window = text[window_start:s]
        tokens = list(_LATIN_TOKEN.finditer(window))
        start = s
        taken = 0
        for i in range(len(tokens) - 1, -1, -1):
            if i <= 1 and not whole:
                return None  # the first word of the window, or the word before it, is looked at: a longer window
            tok = tokens[i]
            w = tok.group()
            if not w.isascii():  # 落札した。CNS: only the Latin tail of a token glued to CJK text
                tail = _LATIN_TAIL.search(w)
                if not tail or not tail.group()[0].isalnum():
                    break
                if window_start + tok.end() == start or window[tok.end():start - window_start].isspace():
                    w2 = tail.group()
                    if w2[0].isupper() or w2[0].isdigit() and _HAS_LETTER.search(w2):
                        start = window_start + tok.end() - len(w2)
                break
            if not window[tok.end():start - window_start].isspace() and window_start + tok.end() != start:
                break
            if w[-1] in ",;:\"”“)(" and not _BRACKETED_WORD.fullmatch(w) or w[0] in "(\"“" \
                    and not _BRACKETED_WORD.fullmatch(w):
                break
            low = w.lower()
            if low.endswith(("'s", "’s")) and self._possessive_place(tokens, i):
                break  # "Germany's Kraus Automation", "South Korea's X": the place owns the name, it is not in it
            if w[-1] == "." and len(w) > 4 and window_start + tok.end() < s and fold(w) not in self.rules.legal_words:
                break  # "… Yunfan Robotics. Xinghe Dynamics Co., Ltd.": a sentence ends there (not "Co." nor "T.")
            if _HYPHEN_LOWER.search(w):
                break  # "ByteDance-linked Jinqiu Capital": the name starts after it
            if low in _CONNECTORS:
                if low == "and" and not self._and_joins([t.group() for t in tokens[max(0, i - 1):i]],
                                                         [t.group() for t in tokens[i + 1:i + 2]]):
                    break  # "DroidVP and Noetix Robotics" are two names
                if low == "and" and i > 1 and fold(tokens[i - 1].group().strip(",")) in self.rules.suffix_words \
                        and tokens[i - 2].group().lower() != "of":
                    break  # "Estun Automation and Inovance Technology": a firm's sector word ends a name, unless
                    # the words after a head's "of" are joined (Institute of Automation and Control)
                if low == "of" and i > 0 and fold(tokens[i - 1].group()) not in self.rules.heads_with_of:
                    break  # "Kelvin Lau of Daiwa Capital Markets": "of" joins a name only after a head noun
                start = window_start + tok.start()
                continue
            head = w[1:] if w[0] == "(" else w  # "Qizhi (Wuhu) Intelligent Robotics": a bracketed word goes on
            if not (head[0].isupper() or head[0].isdigit() and _HAS_LETTER.search(head)) \
                    or low in self.rules.latin_left_stops or taken >= 6:
                break  # a lower-case word, a number or a date ends the name on its left
            start = window_start + tok.start()
            taken += 1
        return start

    def _and_joins(self, before: list[str], after: list[str]) -> bool:
        """"and" joins two words of one name when both words around it are such words (Science and Technology,
        Research and Development), not two names (X Technology and Y University)."""
        joins = self.rules.latin_and_joins
        return bool(before) and bool(after) and fold(before[-1].strip(",")) in joins \
            and fold(after[0].strip(",.;:")) in joins

    def _possessive_place(self, tokens, i: int) -> bool:
        """Token ``i`` ends in 's and names a country, province or city, alone or with the token before it."""
        core = fold(tokens[i].group()[:-2])
        return core in self.places or i > 0 and fold(tokens[i - 1].group()) + " " + core in self.places

    def _latin_right(self, text: str, e: int, hi: int) -> int:
        """End of the run of capitalised words after ``e`` ("University of Science and Technology of China")."""
        end = e
        pos = e
        after_of = text[max(0, e - 3):e].lower() == "of "  # called right after a head's " of "
        for tok in _LATIN_TOKEN.finditer(text, e, min(hi, e + 120)):
            if not text[pos:tok.start()].isspace() and tok.start() != pos:
                break
            w = tok.group()
            core = w.rstrip(",;:.)\"”'’s") if w.endswith(("'s", "’s")) else w.rstrip(",;:.)\"”")
            if core.lower() == "and" and not self._and_joins(text[max(e, pos - 40):tok.start()].split(),
                                                            text[tok.end():tok.end() + 40].split()):
                break  # "University of Technology and Huazhong …": "and" joins Science and Technology, not two names
            if core.lower() in _CONNECTORS or core == "the" and after_of:
                after_of = core.lower() == "of"  # ("Development Research Center of the State Council")
                pos = tok.end()
                continue
            after_of = False
            if not core or not core[0].isupper():
                break
            end = tok.start() + len(core)
            pos = tok.end()
            if core != w:
                break
        return end

    def _has_place(self, name: str, any_level: bool = False) -> bool:
        return self._place_at(name, 0, len(name), self.all_places if any_level else self.places)

    def _place_at(self, f: str, i: int, end: int, places) -> bool:
        """``f[i:end]`` starts with a place (a known one, a 省/市 name, a national prefix)."""
        if f.startswith(self.rules.national_prefixes, i, end) or self._known_place_at(f, i, end, places):
            return True
        m = _CITY_AT.match(f, i, end)
        # 局山东省: three characters and 省 swallow the word before the place when a known place starts one character
        # later, or when the first is the last of a body's head (总局青石市); 以及省 is no place (a stop word)
        return m is not None and not (m.end() - i == 4 and (f[i] in _HEAD_ENDS or self._known_place_at(
            f, i + 1, end, places))) and not self.rules.left_stops.match(f, i)

    @staticmethod
    def _known_place_at(f: str, i: int, end: int, places) -> bool:
        for k in range(i + 2, min(end, i + 9) + 1):
            if f[i:k] in places:
                return True
        return False

    def _person(self, name: str) -> bool:
        """'Wang Xingxing': a romanised surname and one given name."""
        words = name.split()
        return len(words) == 2 and words[0].lower() in self.rules.person_surnames and words[1][:1].isupper() \
            and words[1][1:].islower() and fold(words[1]) not in self.rules.suffix_words  # (Li Auto is a firm)

    def _generic(self, name: str, suffixes: bool = True) -> bool:
        # the same words come up again and again (every 企业 of a list, every repeat of a name): asked once each
        k = (name, suffixes)
        hit = self._generic_memo.get(k)
        if hit is None:
            hit = self._generic_memo[k] = _is_generic(name, self.rules, self.places, suffixes)
        return hit

    def _cjk_item(self, item: str) -> str:
        """A list item or apposed name cut at the first stop word after its first character."""
        item = item.strip()
        if not item or item.isascii():
            return item
        if self.rules.left_stops.match(item):
            return ""
        m = self.rules.right_stops.search(item, 1)
        return item[:m.start()] if m else item

    # ---------------------------------------------------------------- the scan
    def scan(self, doc: Document, known: list[Mention], known_types: dict[str, str]) -> list[Candidate]:
        """Every candidate in ``doc``; ``known`` are the mentions of listed entities (never overlapped)."""
        ft = doc.folded
        f, text = ft.folded, doc.text
        lang = self._lang = doc.language
        self._segmented = self.segmenter in ("jieba", "sudachi") and lang == {"jieba": "zh", "sudachi": "ja"}[
            self.segmenter]
        to_orig = (lambda a, b: (a, b)) if ft.is_identity else ft.to_original
        blocking, org_types = self.rules.blocking_types, self.org_types
        occupied = _Spans([(m.start, m.end) for m in known if known_types.get(m.entity) in blocking])
        # a listed organisation, product or policy just before ends a name on its left; a segment or scene word
        # (人形机器人) may stand inside one
        known_ends = sorted({m.end for m in known if known_types.get(m.entity) in blocking}) \
            if ft.is_identity else []
        out: list[Candidate] = []
        w = self.rules.weights
        self._org_fends: list[int] = []  # folded ends of the organisations found so far, sorted
        self._unit_parents: dict[int, int] = {}  # end -> start of the registered firms and institutions found

        identity, overlaps, doc_id = ft.is_identity, occupied.overlaps, doc.id

        def add(kind, typ, fs, fe, pattern, partner="", weight=None, holds_known=False):
            """A candidate at folded ``fs:fe`` unless it overlaps a listed name (``holds_known``: a title may hold
            shorter ones, see :func:`_holds_shorter_only`)."""
            os_, oe = (fs, fe) if identity else to_orig(fs, fe)
            raw = text[os_:oe]
            quote = raw.strip()
            if not quote or len(quote) > 80:
                return
            if len(quote) != len(raw):
                os_ += len(raw) - len(raw.lstrip())
                oe = os_ + len(quote)
            if overlaps(os_, oe) and not (holds_known and _holds_shorter_only(known, known_types, blocking, os_, oe,
                                                                              quote)):
                return
            out.append(Candidate(kind, typ, doc_id, os_, oe, quote, pattern,
                                 w[pattern] if weight is None else weight, partner))

        entries = self.rules.trigger_entries
        # in text order: by end, the longest first (as pyahocorasick's iter gives them)
        for i, s, e in sorted(self.rules.triggers.find_matches_as_indexes(f, overlapping=True), key=_END_THEN_START):
            key, vals = entries[i]
            if key[0] == " " and vals[0][0] == "suffix":
                s += 1
                key = key[1:]
            latin = key[0].isascii()
            if latin and ((key[0].isalnum() and s > 0 and f[s - 1] in _ASCII_WORD) or
                          (e < len(f) and key[-1].isalnum() and f[e] in _ASCII_WORD)):
                continue
            inside_known = None
            for kind, pattern, typ, langs, needs_place in vals:
                if langs and lang not in langs:
                    continue
                if kind == "suffix":
                    if inside_known is None:  # a suffix inside a listed name ("… Robotics" of a roster firm)
                        inside_known = overlaps(s, e) if identity else overlaps(*to_orig(s, e))
                    if inside_known:
                        continue
                    self._suffix(f, text, s, e, latin, pattern, typ, needs_place, lang, known_ends, add)
                elif kind == "prefix":
                    self._prefix(f, s, e, pattern, typ, add)
                elif kind == "close":
                    self._list_close(f, s, typ, known_ends, add)
                elif kind == "close_gap":
                    gm = self.rules.close_gap.match(f, e)
                    if gm and not f.startswith(self.rules.gap_fields, e):  # 等领域企业: the items are fields
                        self._list_close(f, s, self.rules.gap_types[gm.group(1)], known_ends, add)
                elif kind == "open":
                    self._list_open(f, text, s, e, latin, typ, add)
                elif kind == "appos_before":
                    self._appos_before(f, text, s, e, latin, typ, add, pattern)
                elif kind == "appos_after":
                    self._appos_after(f, text, s, e, latin, typ, known_ends, add, pattern)
                elif kind == "based":
                    if s > 0 and text[max(0, s - 1)].isalpha():
                        self._appos_before(f, text, s, e - 1, True, typ, add)
                elif kind == "after_noun":
                    if self.rules.after_nouns and self.rules.after_nouns.match(text, e):
                        self._appos_after(f, text, s, e, True, typ, known_ends, add)
                elif kind == "hyphen":
                    self._appos_after(f, text, s, s, True, typ, known_ends, add)
                elif kind == "open_noun":
                    before = f[max(0, s - 40):s]
                    for pat, t in self.rules.open_nouns:
                        if pat.search(before):
                            self._list_open(f, text, s, e - 1, True, t, add)
                            break
                elif kind == "policy_head":
                    self._policy_latin(f, text, s, e, add)
                elif kind == "named_before":
                    if text[s:e - 1].islower():  # a common noun ("the humanoid robot Tien Kung"), not "Robot Valley"
                        self._named_before(text, s, e - 1, add)
                elif kind == "named_after":
                    if (e >= len(f) or not f[e].isalnum()) and text[s + 1:e].islower():
                        start = self._latin_left(text, s)
                        name = text[start:s].strip()
                        if start < s and re.fullmatch(r"[A-Z][A-Za-z0-9]+(?: [A-Z0-9][A-Za-z0-9]*){0,2}", name) \
                                and not self._generic(fold(name)) and not self._has_place(fold(name)) \
                                and not self._person(name):
                            add("product", "Product", start, start + len(name), "named_product")
        self._parenthetical(f, text, known_ends, add)
        self._titles(f, add)
        if self.rules.programme_after is not None:
            self._programmes(f, text, add)
        if lang == "zh" and self.rules.bare_policy is not None:
            self._bare_titles(f, add)
        org_ends = {c.end for c in out if c.kind == "organisation"} | \
            {m.end for m in known if known_types.get(m.entity) in org_types}
        self._quoted(f, add, org_ends, text, to_orig)
        self._models(f, text, add)
        if self.rules.funding is not None:
            self._funded(f, text, known_ends, add)
        if lang == "en":
            self._datelines(text, add)
            if self.rules.product_apposition is not None:
                self._product_appositions(f, text, add)
        self._short_names(f, text, out, known, known_types, add)
        self._list_peers(f, text, to_orig, out, known, known_types, known_ends, add)
        if lang == "en":
            self._latin_list_peers(text, out, known, known_types, add)
        return _drop_inner(out)

    # ---------------------------------------------------------------- organisations
    def _suffix(self, f, text, s, e, latin, pattern, typ, needs_place, lang, known_ends, add):
        rules = self.rules
        strong = pattern in ("suffix_legal", "suffix_institution", "suffix_government", "suffix_media",
                             "suffix_company")
        if latin:
            if f.startswith(".", e) and f[s:e + 1] in rules.suffix_words:
                return  # "Ltd" of "Ltd.": the dotted form is found there
            if s == 0 or not text[s:s + 1].isupper() and not text[s:e].startswith(("Co", "Ltd", "Inc", "Corp", "LLC",
                                                                                   "GmbH", "AI", "plc")) \
                    and not (needs_place and self._place_word_before(text, s)):
                return  # (a government body in lower case after its place: "… Wuhu municipal committee")
            of = f[s:e] in rules.heads_with_of or f[s:e].rpartition(" ")[2] in rules.heads_with_of  # Research Center
            if of and f.startswith(" of ", e):
                start = self._latin_left(text, s)
                end = self._latin_right(text, e + 4, len(text))
                if end <= e + 4:
                    return
            else:
                nxt = _NEXT_CAPITAL.match(text[e:e + 30])
                if nxt and fold(nxt.group(1)) not in rules.latin_left_stops and pattern != "suffix_legal":
                    return  # "Robot" in "Shenzhen Robot Action Plan": the name goes on
                start, end = self._latin_left(text, s), e
            if start >= s and end == e:
                return  # a suffix alone ("Robotics", "Institute") names nothing
            name = f[start:end]
            # (a registered name is a firm's whatever its words: China International Capital Corp)
            if self._generic(name) and not (pattern in _PLACE_NAMED and self._has_place(name)) and not (
                    pattern == "suffix_legal" and name.count(" ") >= 2):
                return
            if self._person(text[start:end]):
                return
            # a unit of a listed body is named after it ("Development Research Center of the State Council")
            add("organisation", typ, start, end, pattern, holds_known=end > e)
            return
        # Chinese and Japanese
        if f.endswith(rules.false_suffixes, 0, e) and not any(
                len(x) < e - s for x in rules.false_suffixes if f.endswith(x, 0, e)):
            return  # 布局 is no bureau (but the suffix 创新局 is longer than the word 新局)
        if typ == "Company" and s >= 2 and f[s - 2:s] in rules.generic and (
                s == 2 or not _NAME_CHAR.match(f[s - 3]) or rules.left_stops.match(f, s - 3)):
            return  # 的人形机器人, ，关键技术: a generic word before the suffix and nothing that could be a name
        if not self._right_ok(f, e, strong=strong or lang == "ja"):
            if lang != "ja":
                return
        if f.startswith(rules.person_endings, s):
            return  # 局 of 局长: a person's title, not a body's head
        if pattern not in ("suffix_legal", "suffix_government") and e < len(f) and not f[e].isascii() and f[e] in rules.suffix_firsts.get(
                lang, ()) and f.startswith(rules.suffixes_for[lang], e) and not f.startswith(rules.person_endings, e):
            # another suffix follows (科技 in 优必选科技股份有限公司): the longer name is found there; a legal form
            # ends a name whatever follows (X有限公司机器人创新中心), and so does a government body's head
            # (X厅装备产业处: a longer body's name is found at its own head)
            return
        end = e
        if lang == "ja" and e < len(f) and _HAN_CHAR.match(f[e]):
            run = _NAME_HEAD.match(f, e)  # 高巨創新科技開発が: a Japanese text writes the whole name before a particle
            if run and typ == "Institution" and f[s:run.end()] not in rules.suffix_words:
                pass  # after an institution's head the run names a part of it or what is done there (大学博士課程)
            elif run and run.group() in rules.ja_after_name:
                pass  # 大星自動車グループ傘下の: a word about the firm follows the name, it does not continue it
            elif run and len(run.group()) <= 4 and (run.end() >= len(f) or not _NAME_HEAD.match(f[run.end()])):
                end = run.end()
            else:
                return
        if f[s:e] == "社":
            j = s
            while j > 0 and f[j - 1] in _ASCII_WORD_OR_SPACE:
                j -= 1
            latin_body = f[j:s].strip()
            if latin_body and _HAS_LOWER.search(latin_body):  # Unitree社
                start = s - len(f[j:s].lstrip())
                if not self._generic(latin_body):
                    add("organisation", typ, start, s, pattern)
                return
            body_start = self._left_cjk(f, s, known_ends)
            body = f[body_start:s]
            if not body or body.endswith(rules.sha_rejects) or not _KANA_OR_TWO_HAN.search(body):
                return
            if _KATAKANA_INNER.fullmatch(body) and not self._generic(body):
                pattern = "suffix_company"  # クーネル社: a foreign firm's katakana name and 社 (Japanese news style)
        start = self._left_cjk(f, s, known_ends, legal=pattern in ("suffix_legal", "suffix_institution"))
        start = self._latin_head(f, start)
        if needs_place:
            start = self._place_start(f, start, s)
            if start is None:
                return
        if s - start < 2 and typ != "Institution" or s - start < 1:
            return
        ends = self._org_fends
        i = bisect_right(ends, start)
        unit = self._unit_parent(f, start, s) if pattern == "suffix_institution" else None
        if unit is not None:
            start = unit
        elif i < len(ends) and ends[i] < s and not (needs_place and f[ends[i] - 1] == "委"):
            # 帕西尼科技专注触觉传感: a name found already ends inside; this suffix is another word (but a body of a
            # party committee goes on: 深圳市委财经委员会)
            return
        name = f[start:end]
        body = f[start:s]
        if typ == "Institution":
            if self._generic(body) and not needs_place and not self._has_place(body):
                return
        else:
            # a sector word before the suffix that is no generic word names the firm with its place (常州产投集团,
            # 上海汽车集团); 北京科技集团 stays generic
            strict = not body.endswith(rules.sector_words)
            # a registered name is a firm's whatever its words: the place that registered it and at least four more
            # characters (山东未来机器人有限公司; 企业名称登记管理规定 art. 6, see registered_place_levels)
            registered = pattern == "suffix_legal" and len(body) >= 6 and self._has_place(body)
            # a katakana body is a trade name even when a foreign city is written the same (サムスン電子: Samsun is
            # a Turkish city), so places do not make it generic
            kana_body = _KATAKANA_INNER.fullmatch(body) is not None and not _is_generic(body, rules, None, strict)
            if not registered and not kana_body and (self._generic(body, strict) or self._generic(name, strict)) \
                    or len(_key(name, rules)) < 2:
                return  # 核心驱动力: generic words across the suffix
        if rules.weights[pattern] >= rules.threshold:
            insort(self._org_fends, end)
            if pattern in ("suffix_legal", "suffix_institution"):
                self._unit_parents.setdefault(end, start)
        add("organisation", typ, start, end, pattern)

    @staticmethod
    def _latin_head(f: str, start: int) -> int:
        """Where a name starts when Latin letters are glued before its CJK part (LG电子, TCL科技, LGエレクトロニクス):
        a run of up to ten letters and digits with one letter at least, after no other letter or digit."""
        j = start
        while j > 0 and start - j < 11 and f[j - 1].isascii() and f[j - 1].isalnum():
            j -= 1
        if j < start and start - j <= 10 and (j == 0 or not (f[j - 1].isascii() and f[j - 1].isalnum())) \
                and _HAS_LETTER.search(f, j, start):
            return j
        return start

    def _unit_parent(self, f: str, start: int, s: int) -> int | None:
        """Where the parent of a unit starts, when an institution's head at ``s`` follows a registered firm's or an
        institution's name found already with no stop word between (X有限公司机器人创新中心, 中国工程院院士专家成果
        展示与转化中心: a unit is named with its parent); None otherwise (not after a trade name: 宇树科技曾大量中标
        科研院所和大学)."""
        ends = self._org_fends
        j = bisect_left(ends, s) - 1
        if j < 0:
            return None
        pe = ends[j]
        if not (start <= pe and s - pe >= 2 and _NAME_CHAR.match(f[pe])):
            return None
        return self._unit_parents.get(pe)

    def _place_word_before(self, text: str, s: int) -> bool:
        """The capitalised word just before ``s`` is a known place ("Wuhu municipal committee")."""
        m = _LAST_WORD.search(text, max(0, s - 30), s)
        return bool(m) and m.group(1)[0].isupper() and fold(m.group(1)) in self.all_places

    def _place_start(self, f: str, start: int, s: int) -> int | None:
        """For a government body: where the place its name starts with begins (和 may stand inside:
        杭州市经济和信息化局), or None when the name does not start with a place."""
        lo = max(0, s - 24)
        window = f[lo:s]
        m = _GOV_RUN.search(window)
        if not m:
            return None
        run_start = lo + m.start()
        places = self.all_places
        for i in range(max(run_start, start - 12), s - 1):
            if self._place_at(f, i, s, places):
                if not _GOV_BREAKS.isdisjoint(f[i:s]):
                    continue
                return self._government_head(f, i)
        # a zone's own administration (两江新区管委会, 苏州工业园区管理委员会): the zone's name is its place
        if self.rules.zone_heads and f.endswith(self.rules.zone_heads, start, s) and s - start >= 4 \
                and _GOV_BREAKS.isdisjoint(f[start:s]):
            return start
        return None

    def _government_head(self, f: str, i: int) -> int:
        """Where a government body whose place starts at ``i`` begins: with the party's name before the place
        (中共山东省委), or with the national administration whose local branch it is (国家税务总局山东省税务局)."""
        rules = self.rules
        for p in rules.government_prefixes:
            if f.startswith(p, i - len(p), i):
                return i - len(p)
        if rules.national_body is not None:
            m = rules.national_body.search(f, max(0, i - 14), i)
            if m and rules.left_stops.search(f, m.start(), i) is None:
                return m.start()
        return i

    def _prefix(self, f, s, e, pattern, typ, add):
        m = _NAME_HEAD.match(f, e)
        if not m:
            return
        name = self._cjk_item(m.group())
        if len(name) < 2 or self._generic(name):
            return
        add("organisation", typ, s, e + len(name), pattern)

    def _list_close(self, f, s, typ, known_ends, add):
        """Items before a closing cue, separated by 、 (the last two may be joined by 和/与/及/や/と); a short
        bracketed aside after an item (杭州宇樹科技（ユニツリー）) is skipped, one inside it (川崎（重慶）機器人) kept."""
        lo = max(0, s - 120)
        window = _ASIDE.sub(lambda m: "\0" * len(m.group()), f[lo:s])
        seg_start = lo + _after_last(window, ",。;:!?()「」《》\n")
        parts = self._split_list(window, seg_start - lo, s - lo)
        if len(parts) < 2:
            return
        parts = [(lo + p, f[lo + p:lo + p + len(item.rstrip("\0"))]) for p, item in parts]
        parts[0] = self._first_item(f, parts[0], known_ends, seg_start)
        for i, (p, item) in enumerate(parts):
            if i and self._lang == "ja":  # ロボットメーカーの杭州宇樹科技: the name starts after the particle
                p, item = self._first_item(f, (p, item), known_ends, p)
            self._list_item(p, item, typ, add, "list_context")

    def _first_item(self, f, part, known_ends, lo):
        """The first item of a list starts after the last stop word before it (仅有SMC、… → SMC)."""
        pos, item = part
        end = pos + len(item)
        latin = _LATIN_ITEM_TAIL.search(item)
        if latin and not item.isascii():
            return pos + latin.start(), item[latin.start():]
        if item.strip().isascii():
            return part
        start = self._left_cjk(f, end, known_ends, lo=lo)
        return start, f[start:end]

    @staticmethod
    def _split_list(f: str, lo: int, hi: int) -> list[tuple[int, str]]:
        segment = f[lo:hi]
        if "、" not in segment and not _LIST_JOIN.search(segment):
            return []
        parts, pos = [], lo
        for piece in _LIST_SPLIT.split(segment):
            if piece in ("、", "以及", "和", "与", "及", "や", "と", ", and ", ", ", " and "):
                pos += len(piece)
                continue
            parts.append((pos, piece))
            pos += len(piece)
        return parts

    def _list_item(self, p, item, typ, add, pattern):
        raw = item
        item = item.strip()
        p += len(raw) - len(raw.lstrip())
        if not item:
            return False
        if item.isascii():
            if not _LATIN_ITEM.fullmatch(item):
                return False
        elif not _CJK_ITEM.fullmatch(item):
            return False
        if self._generic(item, suffixes=False) or item in self.all_places:
            return False
        country = _FOREIGN_COUNTRY.match(item)
        if country and country.group() in self.places and len(item) - country.end() >= 2:
            p += country.end()  # 德国西门子: "Germany's Siemens" (中国 starts names: 中国电子学会)
            item = item[country.end():]
        stops = self.rules.left_stops_ja if self._lang == "ja" else self.rules.left_stops
        if not item.isascii() and (stops.search(item) and self.segmenter == "stops"
                                   or item.endswith(self.rules.person_endings)):
            return False
        add("organisation", typ, p, p + len(item), pattern)
        return True

    def _list_open(self, f, text, s, e, latin, typ, add):
        if latin:
            pos = e
            hi = min(len(text), e + 240)
            stop = re.search(r"\.(?=\s|$)|[;:!?()\n–—]", text[pos:hi])
            hi = pos + stop.start() if stop else hi
            items = re.split(r",\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+", text[pos:hi])
            cursor = pos
            for raw in items:
                at = text.find(raw, cursor)
                cursor = at + len(raw)
                m = _LATIN_NAME.match(raw)
                if not m or m.start(1) != len(raw) - len(raw.lstrip()):
                    break
                name = m.group(1)
                if self._generic(fold(name)) or self._person(name):
                    break
                add("organisation", typ, at + m.start(1), at + m.start(1) + len(name), "list_context")
                if m.end(1) < len(raw.rstrip()):
                    break
            return
        # zh: 如/包括/例如 A、B、C（等…）
        if f[s:e] == "如" and ((s > 0 and f[s - 1] in HAN_SET) or (e < len(f) and f[e] in "何果今此下同期实")):
            return  # 例如 is its own cue; 如 inside a word (比如, 如何) is not
        hi = min(len(f), e + 120)
        m = _LIST_OPEN_END.search(f[e:hi])
        end = e + m.start() if m else hi
        if "、" not in f[e:end]:
            return
        parts = self._split_list(f, e, end)
        for p, item in parts:
            self._list_item(p, self._cjk_item(item), typ, add, "list_context")

    def _appos_before(self, f, text, s, e, latin, typ, add, pattern="apposition"):
        if latin:
            if e >= len(text) or text[e] != " ":
                return
            m = _LATIN_NAME.match(text, e, min(len(text), e + 80))
            if not m:
                return
            name = m.group(1)
            if self._generic(fold(name)) or name.lower() in self.rules.latin_left_stops or self._person(name) \
                    or fold(name) in self.places:
                return  # ("president of China"; but "told Xinhua": a county's name may be an organisation's)
            add("organisation", typ, m.start(1), m.start(1) + len(name), "apposition_latin")
            return
        if self._lang == "ja" and f.startswith("、", e) and pattern == "apposition":
            e += 1  # ロボットメーカー、武漢X智能技術で: a Japanese apposition may stand after a comma
        m = _NAME_HEAD.match(f, e)
        if not m:
            return
        item = self._cjk_item(m.group())
        # a name of up to eight characters, or twelve when it ends in a suffix (a place, a trade name, a sector)
        if not 2 <= len(item) <= (12 if item.endswith(self.rules.suffix_tuple) else 8):
            return
        if m.end() == e + len(item) and not self._right_ok(f, m.end()):
            return
        if self._generic(item):
            return
        if pattern == "strong_cue" and self._lang == "zh" and self.rules.right_stops.match(f, e + len(item)) is None:
            return  # 龙头企业极智嘉将…: a Chinese name after a ranking is closed by a function word (not 相比略有优势。)
        add("organisation", typ, e, e + len(item), pattern)

    def _appos_after(self, f, text, s, e, latin, typ, known_ends, add, pattern="apposition"):
        latin_pattern = "strong_cue" if pattern == "strong_cue" else "apposition_latin"
        if latin and not (s > 0 and _NAME_CHAR.match(f[s - 1])):  # (a Latin cue after a CJK name: 云帆智能CEO)
            start = self._latin_left(text, s)
            if start >= s:
                return
            name = re.sub(r"(?:'s|’s)$", "", text[start:s].strip())
            if self._generic(fold(name)) or self._person(name):
                return
            add("organisation", typ, start, start + len(name), latin_pattern)
            return
        if s > 0 and f[s - 1].isascii() and f[s - 1].isalnum():  # CNSが伝えた, CGTN Japaneseによると
            start = self._latin_left(text, s)
            name = text[start:s].strip()
            if start < s and not self._generic(fold(name)) and not self._person(name):
                add("organisation", typ, start, start + len(name), pattern)
            return
        if s > 3 and f[s - 1] == ")":
            self._appos_after_aside(f, text, s, typ, known_ends, add, pattern)
            return
        quoted = s > 2 and f[s - 1] in _CLOSE_QUOTES
        if quoted:  # 据“今日闵行”报道: the quoted name before the cue
            q = f.rfind(_CLOSE_QUOTES[f[s - 1]], max(0, s - 16), s - 1)
            start, end = q + 1, s - 1
            if q < 0 or not _CJK_INNER.fullmatch(f[start:end]):
                return
        else:
            start, end = self._left_cjk(f, s, known_ends), s
            if start < s and s - start <= 1:
                return
        body = f[start:end]
        lead = start - 1 if quoted else start
        if pattern == "apposition" and typ == "Institution" and lead > 0 and f[lead - 1] == "据":
            pattern = "strong_cue"  # 据…报道 / 据…消息: the frame of a cited source
        # a cited source may be named with suffix words only (証券日報が伝えた, 据证券时报报道): its words are suffixes
        source = pattern == "strong_cue" and typ == "Institution"
        if len(body) < 2 or self._generic(body, suffixes=not source) or body.endswith(self.rules.sha_rejects) \
                or body.endswith(self.rules.person_endings):
            return
        if typ == "Company" and len(body) <= 3 and body[0] in self.rules.person_surnames_cjk \
                and not body.endswith(self.rules.suffix_tuple):
            return  # 李華董事長: a surname and a given name before a person's title
        add("organisation", typ, start, end, pattern)

    def _appos_after_aside(self, f, text, s, typ, known_ends, add, pattern):
        """字節跳動（バイトダンス）傘下, X（Y）によると: a cue after a name and its other name in brackets names
        both, one organisation (the bracket holds a name: no stop word, a kana or Latin name, or a short CJK one)."""
        ps = f.rfind("(", max(0, s - 32), s - 1)
        if ps < 2 or ")" in f[ps + 1:s - 1]:
            return
        inner = f[ps + 1:s - 1].strip()
        if not (_KATAKANA_INNER.fullmatch(inner) or _LATIN_ITEM.fullmatch(inner) or _CJK_INNER.fullmatch(inner)
                and not self.rules.left_stops.search(inner)) or self._generic(inner) or inner in self.all_places:
            return
        start = self._left_cjk(f, ps, known_ends) if not f[ps - 1].isascii() else self._latin_left(text, ps)
        name = f[start:ps].strip()
        if len(name) < 2 or self._generic(name) or name in self.all_places or name.endswith(
                self.rules.person_endings) or self._person(text[start:ps].strip()):
            return
        a = ps + 1 + (len(f[ps + 1:s - 1]) - len(f[ps + 1:s - 1].lstrip()))
        b = a + len(inner)
        # (the partners from the text at folded offsets, as _parenthetical takes them)
        add("organisation", typ, start, start + len(name), pattern, partner=text[a:b])
        add("organisation", typ, a, b, pattern, partner=text[start:start + len(name)])

    def _parenthetical(self, f, text, known_ends, add):
        for m in _PAREN_LIST.finditer(f):  # 中国移動（チャイナモバイル、China Mobile）: several names of one
            start = self._left_cjk(f, m.start(), known_ends)
            name = f[start:m.start()]
            parts = [p.strip() for p in re.split(r"[、,，]", text[m.start(1):m.end(1)])]
            if m.start() - start < 2 or self._generic(name) or any(len(p) < 2 or self._generic(fold(p))
                                                                   for p in parts):
                continue
            for p in parts:
                add("organisation", "", start, m.start(), "parenthetical", partner=p)
        for m in _PAREN.finditer(f):
            inner_s, inner_e = m.start(1), m.end(1)
            inner = f[inner_s:inner_e].strip()
            ps = m.start()
            before_latin = ps > 0 and (f[ps - 1].isascii() and f[ps - 1].isalnum() or
                                       f[ps - 1] == " " and ps > 1 and f[ps - 2].isascii() and f[ps - 2].isalnum())
            if _CJK_INNER.fullmatch(inner) and before_latin:
                end = ps - 1 if f[ps - 1] == " " else ps
                start = self._latin_left(text, end)
                if start >= end:
                    continue
                name = text[start:end]
                if self._generic(fold(name)) or self._generic(inner) or inner in self.places or self._person(name):
                    continue
                add("organisation", "", start, end, "parenthetical", partner=text[inner_s:inner_e])
                add("organisation", "", inner_s, inner_e, "parenthetical", partner=name)
            elif _KATAKANA_INNER.fullmatch(inner) and ps > 0 and _HAN_CHAR.match(f[ps - 1]):
                # 杭州海康威視数字技術（ハイクビジョン）: a kanji name and its katakana name, when one of them ends in
                # an organisation's suffix (a person's reading does not: 李永偉（り・えいい）)
                start = self._left_cjk(f, ps, known_ends)
                name = f[start:ps]
                if ps - start < 2 or self._generic(name) or self._generic(inner) or not (
                        name.endswith(self.rules.suffix_tuple) or inner.endswith(self.rules.kana_tuple)):
                    continue
                add("organisation", "", start, ps, "parenthetical", partner=text[inner_s:inner_e].strip())
                add("organisation", "", inner_s, inner_e, "parenthetical", partner=text[start:ps])
            elif _LATIN_ITEM.fullmatch(inner) and ps > 0 and _NAME_CHAR.match(f[ps - 1]):
                raw_inner = text[inner_s:inner_e]
                orig_inner = raw_inner.strip()
                if not orig_inner[0].isupper():
                    continue
                start = self._left_cjk(f, ps, known_ends)
                if ps - start < 2:
                    continue
                name = f[start:ps]
                if self._generic(name) or self._generic(inner) or name in self.places or self._person(orig_inner):
                    continue
                if any(name.endswith(h) for h in self.rules.policy_heads):
                    continue
                add("organisation", "", start, ps, "parenthetical", partner=orig_inner)
                s2 = inner_s + (len(raw_inner) - len(raw_inner.lstrip()))
                add("organisation", "", s2, s2 + len(orig_inner), "parenthetical", partner=text[start:ps])

    def _short_names(self, f, text, out, known, known_types, add):
        """（下称“凯尔达”）: the short name of the organisation just before the bracket."""
        if self.rules.short_name is None:
            return
        ends = {c.end: c for c in out if c.kind == "organisation"}
        known_ends = {m.end: m for m in known if known_types.get(m.entity) in self.org_types}
        for m in self.rules.short_name.finditer(f):
            before = ends.get(m.start())
            if before is None and m.start() in known_ends:
                continue  # the short name of a listed organisation: the catalogue should list it
            if before is None:
                continue
            short = m.group(1).strip()
            if len(short) < 2 or self._generic(short):
                continue
            add("organisation", before.type, m.start(1), m.end(1), "short_name", partner=before.quote)

    def _list_peers(self, f, text, to_orig, out, known, known_types, known_ends, add):
        """Items of a 、-list in which a listed organisation or a suffix-found firm stands are organisations too;
        a list that names a place, segment or scene is not a list of organisations."""
        anchors_org = {(m.start, m.end) for m in known if known_types.get(m.entity) in self.org_types}
        anchors_other = {(m.start, m.end) for m in known if known_types.get(m.entity) not in self.org_types}
        anchors_org |= {(c.start, c.end) for c in out if c.kind == "organisation" and c.pattern in _STRONG}
        if not anchors_org:
            return
        from bisect import bisect_left

        org_starts = sorted(a for a, _ in anchors_org)
        pos = f.find("、")
        while pos != -1:
            w0 = max(0, pos - 60)
            pm = _LAST_PUNCT.match(f, w0, pos)
            lo = pm.end() if pm else w0
            hm = _PUNCT.search(f, pos + 1, pos + 80)
            hi = hm.start() if hm else min(len(f), pos + 80)
            pos = f.find("、", hi)
            olo, ohi = to_orig(lo, hi)
            i = bisect_left(org_starts, olo)
            if i >= len(org_starts) or org_starts[i] >= ohi:
                continue  # no listed or suffix-found organisation in this list
            parts = self._split_list(f, lo, hi)
            if len(parts) < 2:
                continue
            parts[0] = self._first_item(f, parts[0], known_ends, lo)
            last_pos, last = parts[-1]
            parts[-1] = (last_pos, self._cjk_item(last.split("等")[0]))
            spans = []
            for p, item in parts:
                raw = item.strip()
                p += len(item) - len(item.lstrip())
                if not raw:
                    spans = []
                    break
                spans.append(tuple(to_orig(p, p + len(raw))))
            if not spans or any(sp in anchors_other for sp in spans):
                continue
            if sum(1 for sp in spans if sp in anchors_org) < max(1, len(spans) // 2):
                continue  # half the items at least must be known to be organisations
            for (p, item), sp in zip(parts, spans):
                if sp not in anchors_org:
                    self._list_item(p, item, "Company", add, "list_peers")

    def _latin_list_peers(self, text, out, known, known_types, add):
        """"UBTech, Xiaomi and Leju": the other items of an English list in which organisations stand."""
        anchors = {(m.start, m.end) for m in known if known_types.get(m.entity) in self.org_types}
        anchors |= {(c.start, c.end) for c in out if c.kind == "organisation" and c.weight >= self.rules.threshold}
        if not anchors:
            return
        others = {(m.start, m.end) for m in known if known_types.get(m.entity) not in self.org_types}
        for m in _latin_lists(text):
            items, pos = [], m.start()
            for piece in _LATIN_LIST_SEP.split(m.group()):
                if piece and not _LATIN_LIST_SEP.fullmatch(piece):
                    items.append((pos, pos + len(piece), piece))
                pos += len(piece)
            if len(items) < 2 or any((a, b) in others for a, b, _ in items):
                continue
            if sum(1 for a, b, _ in items if (a, b) in anchors) < max(1, len(items) // 2):
                continue
            for a, b, name in items:
                if (a, b) in anchors or name.lower() in self.rules.latin_left_stops or self._person(name) \
                        or self._generic(fold(name)) or fold(name) in self.all_places:
                    continue
                add("organisation", "Company", a, b, "list_peers")

    # ---------------------------------------------------------------- policies and products
    def _add_policy(self, add, f, fs, fe, pattern):
        """A policy candidate at folded ``fs:fe``: a title may hold shorter listed names, and a tender or contract
        (「…調達プロジェクト」) is none (the folded text is searched: no name folded again)."""
        if self.rules.policy_rejects and self.rules.policy_rejects.search(f, fs, fe):
            return
        add("policy", "Policy", fs, fe, pattern, holds_known=True)

    def _titles(self, f, add):
        for m in _TITLED.finditer(f):
            g = 1 if m.group(1) is not None else 2
            title = m.group(g)
            core = _YEARS.sub("", title).strip()
            if g == 1 and 2 <= len(core) <= 12 and (core.endswith(self.rules.media_heads) or
                                                    f.startswith(self.rules.media_title_cues, m.end())):
                # 《明报》 is a newspaper, and so is 《中国企业家》 before 记者
                add("organisation", "Institution", m.start(g), m.end(g), "suffix_media")
                continue
            if not (core.endswith(self.rules.policy_heads) or self.rules.numbered_name is not None and
                    self.rules.numbered_name.search(core)) or len(core) < 4 or core in self.rules.policy_heads:
                continue
            self._add_policy(add, f, m.start(g), m.end(g), "policy_title")

    def _bare_titles(self, f, add):
        """A policy title written without 《》: a strong head (行动计划, 若干措施…) after a run that starts with the
        issuing place right after a cue (发布了苏州市…三年行动计划(2025-2027年)和苏州市…的若干措施); a registered
        title names its region first, so no place there, no title."""
        rules = self.rules
        prev_end = 0
        for m in rules.bare_policy.finditer(f):
            hs, he = m.span()
            y = _YEARS_AFTER.match(f, he)
            end = y.end() if y else he
            lo = max(prev_end, hs - 60)
            prev_end = end
            window = f[lo:hs]
            lo += _after_last(window, ",。;:!?、()《》「」『』\n")
            if lo > 0 and f[lo - 1] in "《「『":
                continue  # a bracketed title: found by _titles
            start = lo
            for c in rules.bare_policy_cues.finditer(f, lo, hs):
                start = c.end()  # the last cue before the head
            if end - start < rules.bare_policy_min or not (self._place_at(f, start, hs, self.all_places)
                                                          or f.startswith("关于", start)):
                continue
            if end < len(f) and f[end] in "》」』":
                continue
            self._add_policy(add, f, start, end, "policy_bare")

    def _programmes(self, f, text, add):
        """A named programme in quotation marks: followed by a programme word (“机器人+”应用行动, “千企智改”工程,
        "Robot+" action plan) or ending in one (“灵犀计划”, 「ロボット導入モデル事業」), never a period (“十五五”)."""
        rules = self.rules
        for m in _PROGRAMME_QUOTED.finditer(f):
            g = m.lastindex
            name = m.group(g).strip()
            if name in rules.plan_periods and rules.period_plan is not None:
                self._period_plan(f, m, add)
                continue
            lo = max(0, m.start() - 91)  # a title is at most 90 characters (_TITLED): no scan back to the start
            if f.rfind("《", lo, m.start()) > f.rfind("》", lo, m.start()):
                continue  # 《“机器人+”应用行动实施方案》: the title is the document, found by _titles
            if len(name) < 2 or name in rules.programme_not_names or name.isdigit():
                continue
            latin = name.isascii()
            if latin and not (text[m.start(g):m.start(g) + 1].isupper() or "+" in name):
                continue  # the "smart" plan: a capital letter or a + marks a name
            h = rules.programme_after.match(f, m.end())
            if h is None:
                if (name.endswith(rules.programme_endings) or rules.numbered_name is not None and
                        rules.numbered_name.search(name) or rules.programme_year_named and _YEAR_NAMED.fullmatch(name)) \
                        and not name.startswith(rules.programme_endings) and not self._generic(name):
                    self._add_policy(add, f, m.start(g), m.end(g), "programme")
                continue
            end = h.end()
            y = _YEARS_AFTER.match(f, end)
            end = y.end() if y else end
            nxt = f[end:end + 1]
            if nxt and (nxt.isascii() and nxt.isalnum() if latin else _CJK_WORD.match(nxt)) and \
                    nxt not in rules.programme_followers:
                continue  # the head is part of a longer word (“X”工程师, “X”计划生育)
            self._add_policy(add, f, m.start(), end, "programme")
        if self._lang == "zh" and rules.bare_programme is not None:
            self._bare_programmes(f, add)
        elif self._lang == "en" and rules.latin_programme is not None:
            for m in self._latin_programme_matches(text):
                name = m.group(1)
                words = [w for w in name.split() if w[0].isupper() or w[0].isdigit()]
                if not any("+" in w or w[0].isupper() and not self._generic(fold(w)) and fold(w) not in self.all_places
                           and w.lower() not in rules.latin_left_stops for w in words) or self._person(name):
                    continue  # "the Shenzhen programme", "the AI initiative": no name
                self._add_policy(add, f, m.start(1), m.end(), "programme_bare")

    def _period_plan(self, f, m, add):
        """机器人领域“十五五”专项规划, “十四五”机器人产业发展规划: a field's plan for a five-year period, the field before
        the period or after it (the period alone, 编制“十五五”规划, is the national plan, not a document of its own)."""
        h = self.rules.period_plan.match(f, m.end())
        if h is None:
            after = _FIELD_THEN_HEAD.match(f, m.end())
            if after and after.group(1).endswith(self.rules.period_fields + ("产业发展", "行业发展")) and \
                    f.startswith(self.rules.period_heads_tuple, after.end(1)) and not self.rules.left_stops.search(
                        after.group(1)):
                end = after.end(1) + next(len(x) for x in self.rules.period_heads_tuple
                                          if f.startswith(x, after.end(1)))
                self._add_policy(add, f, m.start(), end, "programme")
            return
        lo = max(0, m.start() - 14)
        lo = _after_last(f, ",。;:!?、“”《》()\n", lo, m.start())
        for stops in (self.rules.left_stops, self.rules.bare_policy_cues):  # 作为…, 编制…
            for st in stops.finditer(f, lo, m.start()) if stops is not None else ():
                lo = max(lo, st.end())
        field_ = f[lo:m.start()]
        if len(field_) >= 3 and field_.endswith(self.rules.period_fields) and not field_.startswith(
                self.rules.period_fields):
            self._add_policy(add, f, lo, h.end(), "programme")

    def _latin_programme_matches(self, text):
        """The matches of ``latin_programme`` that end at a programme word, looked for only before those words (the
        pattern tried at every "the" costs more than the rest of the programme rules)."""
        rules, seen = self.rules, set()
        for h in rules.latin_programme_head.finditer(text):
            for m in rules.latin_programme.finditer(text, max(0, h.start() - 150), h.end()):
                if m.end() == h.end() and m.span() not in seen:
                    seen.add(m.span())
                    yield m

    def _bare_programmes(self, f, add):
        """A programme named without quotes after a government's verb (青石市实施灵犀人才计划，): the clause starts
        with a place, the name is at least ``bare_min`` characters before its head, holds no stop word and ends the
        clause."""
        rules = self.rules
        for m in rules.bare_programme.finditer(f):
            cs, ce, he = m.start(1), m.end(1), m.end()
            y = _YEARS_AFTER.match(f, he)
            end = y.end() if y else he
            if end < len(f) and f[end] not in rules.programme_clause_ends:
                continue
            lo = max(0, cs - 30)
            lo = _after_last(f, ",。;:!?、\n", lo, cs)
            if not self._place_at(f, lo, m.end(1), self.all_places):
                continue  # 公司启动扩产计划: a firm's plan
            core = m.group(2)
            if len(core) < rules.bare_programme_min or rules.left_stops.search(core) or self._generic(core) \
                    or not _CJK_WORD.match(core) or any(w in core for w in rules.bare_programme_rejects):
                continue
            self._add_policy(add, f, ce, end, "programme_bare")

    def _policy_latin(self, f, text, s, e, add):
        if not text[s:s + 1].isupper():
            return
        if f.startswith(self.rules.policy_heads_latin, e + 1) and f[e:e + 1] == " ":
            return  # "Action" + "Plan": the longer head is found too
        start = self._latin_left(text, s)
        end = e
        t = self.rules.title_tail.match(text, e) if self.rules.title_tail else None
        if t:  # "National Strategy on Robotics", "Action Plan for Embodied Intelligent Robots"
            end = e = t.end()
        # the capitalised words of the head, what stands before it and its tail
        words = [x for x in text[start:e].split() if x[0].isupper() or x[0].isdigit()]
        if len(words) < self.rules.min_title_words:
            return
        y = re.match(r"\s*\(\s*\d{4}\s*[-–—]\s*\d{4}\s*\)", text[e:e + 20])
        if y:
            end = e + y.end()
        self._add_policy(add, f, start, end, "policy_title")

    def _funded(self, f, text, known_ends, add):
        """星河机器人近日完成数亿元B轮融资, "Quorvex raised $50 million in a Series A round": who raises a funding
        round is a firm (the name right before the verb, after time words)."""
        zh, en, adverbs, nouns, verbs = self.rules.funding
        if self._lang != "en" and zh is not None and any(n in f for n in nouns):
            for m in zh.finditer(f):
                s = m.start()
                while True:  # 近日完成: the time words before the verb are not the name's
                    a = next((a for a in adverbs if f.endswith(a, 0, s)), None)
                    if a is None:
                        break
                    s -= len(a)
                start = self._left_cjk(f, s, known_ends)
                name = f[start:s]
                if len(name) < 2 or self._generic(name) or name.endswith(self.rules.person_endings) or (
                        len(name) <= 3 and name[0] in self.rules.person_surnames_cjk
                        and not name.endswith(self.rules.suffix_tuple)):
                    continue
                add("organisation", "Company", start, s, "strong_cue")
        if self._lang == "en" and en is not None and any(v in text for v in verbs):
            for m in en.finditer(text):
                s = m.start()
                start = self._latin_left(text, s)
                name = text[start:s].strip()
                if start >= s or self._generic(fold(name)) or self._person(name) or fold(name) in self.places:
                    continue
                add("organisation", "Company", start, start + len(name), "strong_cue")

    def _datelines(self, text, add):
        """TIANJIN, May 29 (Xinhua) --: the agency in a wire story's dateline (AP Stylebook, "datelines": the city in
        capitals, the date, the agency in brackets, a dash)."""
        for m in _DATELINE.finditer(text):
            name = m.group(1)
            if not self._generic(fold(name)) and fold(name) not in self.places:
                add("organisation", "Institution", m.start(1), m.end(1), "strong_cue")

    def _product_appositions(self, f, text, add):
        """"Jiajia, a humanoid robot developed by …": a capitalised name before ", a" and a product word that ends
        the noun phrase (a participle, a relative or punctuation follows: not "X, a robot maker")."""
        for c in self.rules.product_apposition.finditer(text):
            # the name right before the cue (a search from the cue: the pattern tried at every capital cost more)
            m = _APPOSED_NAME.search(text, max(0, c.start() - 70), c.start())
            if m is None:
                continue
            name = m.group(1)
            folded = fold(name)
            if self._generic(folded) or self._has_place(folded) or folded in self.all_places or self._person(name) \
                    or name.lower() in self.rules.latin_left_stops:
                continue
            add("product", "Product", m.start(1), m.end(1), "named_product")

    def _named_before(self, text, s, e, add):
        m = re.match(r"[ ]+[\"“]?([A-Z]\w*(?:-[A-Z0-9]\w*)*(?:[ ]+[A-Z0-9]\w*(?:-[A-Z0-9]\w*)*)?)(?![\w-])",
                     text[e:e + 60]) or _QUOTED_LOWER.match(text[e:e + 60])  # named "yobot": quotes mark a name
        if not m:
            return
        name = m.group(1)
        if self._generic(fold(name)) or self._has_place(fold(name)) or self._person(name):
            return
        add("product", "Product", e + m.start(1), e + m.start(1) + len(name), "named_product")

    @staticmethod
    def _clause_has(f, s, e, cues: re.Pattern) -> bool:
        lo = max(0, s - 30)
        hi = min(len(f), e + 30)
        before = f[lo:s]
        after = f[e:hi]
        stop = _SENTENCE_STOP.search(after)
        region = before[_after_last(before, "。;!?\n"):] + " " + (after[:stop.start()] if stop else after)
        return cues.search(region) is not None

    def _quoted(self, f, add, org_ends=frozenset(), text="", to_orig=None):
        suffixes = self.rules.suffix_tuple
        names = []  # (match, group, name, found) of the quoted names that may be products, in text order
        for m in _QUOTED.finditer(f):
            g = m.lastindex  # the one group of the alternative that matched
            name = m.group(g).strip()
            if len(name) < 2 or name.endswith(self.rules.policy_heads) or not _NAME_LETTER.search(name):
                continue
            if name.endswith(suffixes) and not name.isascii():
                continue  # 「深セン衆擎机器人科技」 is a firm, found by its suffix
            if name.endswith(self.rules.quoted_office_endings) and 3 <= len(name) <= 8 and not name.endswith(
                    self.rules.false_suffixes):
                # “场景办”: a quoted short name of an office (办 of 办公室) names an institution, whatever its
                # (often generic) subject
                add("organisation", "Institution", m.start(g), m.start(g) + len(m.group(g).rstrip()),
                    "suffix_government")
                continue
            if self._generic(name) or not name.isascii() and self.rules.left_stops.search(name):
                continue
            before = f[max(0, m.start() - 12):m.start()]
            after = f[m.end():m.end() + 12]
            # NOETIX社の「N2」, 楽聚ロボティクス（Leju Robotics）の「Kuavo」, 优必选的“天工”: a firm's product
            window = f[max(0, m.start() - 50):m.start()]
            # (a search anchored at the end tries every start: only when the window ends as an owner's does)
            owner = _OWNER_BEFORE.search(window) if window.endswith(_OWNER_ENDS) else None
            at = m.start() - len(owner.group()) if owner else -1
            found = bool(owner and (at in org_ends or (owner.group(1) and at + len(owner.group(1)) - 1 in org_ends)
                                    or f[:at].endswith("社"))) or bool(
                self.rules.product_cues_before.search(before) or
                self.rules.product_cues_after and self.rules.product_cues_after.match(after))
            if found:
                self._add_quoted(m, g, name, text, to_orig, add)
            names.append((m, g, name, found))
        # 「天問」や「労働者」「荊楚」などの人型ロボット, 机器人“A”、“B”和“C”: the other quoted names of a list whose
        # first or last item a product word stands next to
        for i in range(1, len(names)):
            (m0, _, _, found0), (m1, g1, name1, found1) = names[i - 1], names[i]
            if found0 and not found1 and _QUOTE_GLUE.fullmatch(f, m0.end(), m1.start()):
                self._add_quoted(m1, g1, name1, text, to_orig, add)
                names[i] = (m1, g1, name1, True)
        for i in range(len(names) - 2, -1, -1):
            (m0, g0, name0, found0), (m1, _, _, found1) = names[i], names[i + 1]
            if found1 and not found0 and _QUOTE_GLUE.fullmatch(f, m0.end(), m1.start()):
                self._add_quoted(m0, g0, name0, text, to_orig, add)
                names[i] = (m0, g0, name0, True)

    def _add_quoted(self, m, g, name, text, to_orig, add):
        """A quoted product name; 「ジャービス（ＪＡＲＶＩＳ）」 is ジャービス with the alias JARVIS."""
        alias = _TRAILING_ALIAS.search(name)
        if alias and not self._generic(alias.group(1)):
            s0 = m.start(g) + (len(m.group(g)) - len(m.group(g).lstrip()))
            a, b = to_orig(s0 + alias.start(1), s0 + alias.end(1))
            add("product", "Product", s0, s0 + alias.start(), "quoted_product", partner=text[a:b].strip())
        else:
            add("product", "Product", m.start(g), m.end(g), "quoted_product")

    def _models(self, f, text, add):
        pos = 0
        for hint in _MODEL_HINT.finditer(text):
            if hint.start() < pos:
                continue
            m = _MODEL.search(text, max(pos, hint.start() - 14), hint.end() + 12)
            if not m:
                continue
            pos = m.end()
            name = m.group(1)
            s, e = m.start(1), m.end(1)
            lead = name.split(" ")[0]
            if " " in name and (fold(lead) in self.rules.generic or lead.lower() in self.rules.latin_left_stops
                                or fold(lead) in self.places):
                s += len(lead) + 1
                name = text[s:e]
            if fold(name) in self.rules.model_rejects:
                after = f[e:e + 20].lstrip()
                if not (self.rules.model_product_after and self.rules.model_product_after.match(after)):
                    continue
            if not _DIGIT.search(name):
                continue
            if not self._clause_has(f, s, e, self.rules.model_cues):
                continue
            add("product", "Product", s, e, "model_number")
            owner = _POSSESSIVE_BEFORE.search(text, max(0, s - 40), s)
            if owner and not self._person(owner.group(1)) and not self._generic(fold(owner.group(1))):
                add("organisation", "Company", owner.start(1), owner.end(1), "possessive")


def _after_last(text: str, breaks: str, lo: int = 0, hi: int | None = None) -> int:
    """Where a clause starts in ``text[lo:hi]``: right after the last of ``breaks`` in it, or ``lo`` when none is
    (a few rfind calls over a short window are faster than a regex anchored at the end)."""
    cut = max(text.rfind(c, lo, hi) for c in breaks)
    return cut + 1 if cut >= 0 else lo


def _holds_shorter_only(known, known_types, blocking, start, end, quote) -> bool:
    """True when every listed name a policy title overlaps stands inside it and is shorter than the title without its
    years (《关于…的实施方案》 holds 实施方案, a listed plan's alias; 《上海市…实施方案（2023-2025年）》 is that plan)."""
    core = len(_YEARS.sub("", quote))
    return all(start <= m.start and m.end <= end and m.end - m.start < core for m in known
               if m.start < end and start < m.end and known_types.get(m.entity) in blocking)


def _drop_inner(out: list[Candidate]) -> list[Candidate]:
    """Without the organisation candidates of a cue (apposition, list) that stand strictly inside a name a suffix
    found at the same place ("People" of "according to People's Daily"): the cue cut the name short; without a
    government body that starts a longer one (深圳市委 of 深圳市委财经委员会); and without a suffix-found name that ends
    a longer one (改革委员会 of 常州市发展和改革委员会, cut at 和 by one suffix and not by the other)."""
    strong = sorted((c.start, c.end) for c in out if c.kind == "organisation" and c.pattern in _STRONG)
    if not strong:
        return out
    starts = [a for a, _ in strong]
    longest = {}  # the longest government body found at a start (深圳市委财经委员会 over 深圳市委)
    first = {}  # the first start of a suffix-found name at an end (常州市发展和改革委员会 over 改革委员会)
    for c in out:
        if c.pattern == "suffix_government":
            longest[c.start] = max(longest.get(c.start, 0), c.end)
        if c.kind == "organisation" and c.pattern in _STRONG:
            first[c.end] = min(first.get(c.end, c.start), c.start)
    keep = []
    for c in out:
        if c.pattern == "suffix_government" and c.end < longest[c.start]:
            continue
        if c.kind == "organisation" and c.pattern in _STRONG and first[c.end] < c.start:
            continue
        if c.kind == "organisation" and c.pattern not in _STRONG:
            i = bisect_right(starts, c.start) - 1
            if i >= 0 and any(a <= c.start and c.end <= b and (a, b) != (c.start, c.end)
                              for a, b in strong[max(0, i - 3):i + 1]):
                continue
        keep.append(c)
    return keep


_END_THEN_START = itemgetter(2, 1)
_FIELD_THEN_HEAD = re.compile(rf"([{HAN}]{{2,12}}?)(?=规划|发展规划|专项规划|产业规划)")  # 机器人产业(发展规划)
# a quoted programme named by its target year: three kanji or kana at least, then the year (“中国制造2025”)
_YEAR_NAMED = re.compile(rf"[{HAN}{KANA}]{{3,}}\s?20\d\d")
_APPOSED_NAME = re.compile(r"(?<![\w-])([A-Z][\w-]{1,20}(?: [A-Z0-9][\w-]*){0,2})$")  # before ", a robot …"
_QUOTE_GLUE = re.compile(r"\s*(?:、|,|や|と|和|与|及|以及)?\s*")  # between two quoted items of one list
_DATELINE = re.compile(r"(?m)^[A-Z][A-Z .'-]{2,30}, [A-Z][a-z]{2,8}\.? \d{1,2}(?:, \d{4})? "
                       r"\(([A-Z][A-Za-z]+(?: [A-Z][A-Za-z]+){0,3})\) *(?:--|—|–| - )")
_PLACE_NAMED = ("suffix_institution", "suffix_government", "suffix_media")
_LATIN_WORD = r"[\w&]*(?:[.-][A-Za-z]\w*|['’](?!s\b)[A-Za-z]\w*)*"
# a capitalised name, or one starting with digits glued to letters ("cited by 36Kr")
_LATIN_NAME = re.compile(rf"\s*((?:[A-Z]|\d+[A-Za-z]){_LATIN_WORD}(?:[ ]+(?:[A-Z0-9]{_LATIN_WORD}|of|&))*)")
_HAN_THEN_KANA = re.compile(f"([{HAN}]+)(?=[{KANA}]+$)")
_GOV_BREAKS = frozenset("的在是由等将对向从被把了于、")
_HEAD_ENDS = frozenset("局委部署厅办会院所司处")  # last characters of government and institution heads
_COUNT_PREFIX = re.compile(r"[近约超逾第]?[一二三四五六七八九十百千万两几数]+[余多]?[家个所款位名项座台批届期]")
_STRONG = ("suffix_legal", "suffix_company", "suffix_institution", "suffix_government", "suffix_media")
_POSSESSIVE_BEFORE = re.compile(r"(?<![\w-])([A-Z][\w&]*(?: [A-Z][\w&]*){0,2})['’]s (?:[a-z-]+ ){0,2}$")
_LATIN_RUN = r"[A-Z][\w&]*(?:\.[A-Za-z]\w*|-[A-Z0-9]\w*)*(?: [A-Z][\w&]*(?:\.[A-Za-z]\w*|-[A-Z0-9]\w*)*){0,3}"
_LATIN_LIST = re.compile(rf"(?<![\w-])(?:{_LATIN_RUN}, ){{1,8}}(?:{_LATIN_RUN},? (?:and|or) )?{_LATIN_RUN}(?![\w'’-])"
                         rf"|(?<![\w-]){_LATIN_RUN} (?:and|or) {_LATIN_RUN}(?![\w'’-])")
_LATIN_LIST_SEP = re.compile(r"(, (?:and |or )?| and | or )")
# Where a _LATIN_LIST match can start: its first run of at most four capitalised words is followed by ", ", " and " or
# " or " (a run holds no comma and no lower-case word, so it ends at the first of them after its start). _LIST_HEAD
# finds such runs (a pattern that starts with a letter, not a lookbehind, is skipped to fast); a match starts at the
# run's start or at a capital inside it after a character that is not [\w-] (_LIST_START).
_LIST_HEAD = re.compile(r"[A-Z][\w&.\-]*(?: [A-Z][\w&.\-]*){0,3}(?=, | and | or )")
_LIST_START = re.compile(r"(?<![\w-])[A-Z]")


def _latin_lists(text: str):
    """``_LATIN_LIST.finditer(text)``, trying the pattern only where a match can start (2x faster on English)."""
    pos, match = 0, _LATIN_LIST.match
    for head in _LIST_HEAD.finditer(text):
        for c in _LIST_START.finditer(text, head.start(), head.end()):
            if c.start() >= pos:
                m = match(text, c.start())
                if m:
                    yield m
                    pos = m.end()
_PAREN_LIST = re.compile(rf"\(((?:[{KANA}a-z][{KANA}a-z .&-]{{1,30}}[、,]\s*){{1,3}}[{KANA}a-z][{KANA}a-z .&-]{{1,30}})\)")
_PUNCT = re.compile(r"[\s,。;:!?()「」《》“”\"]")
_LAST_PUNCT = re.compile(r"(?s).*[\s,。;:!?()「」《》“”\"]")
_MODEL_HINT = re.compile(r"[A-Z][A-Za-z]{0,5}[- ]?\d")
_HAN_CHAR = re.compile(f"[{HAN}]")
_NAME_CHAR = re.compile(f"[{HAN}{KANA}]")
_HAS_LOWER = re.compile("[a-z]")
_KANA_OR_TWO_HAN = re.compile(f"[{KANA}]|[{HAN}]{{2}}")
_GOV_RUN = re.compile(rf"(?:[{HAN}{KANA}・和与]|\([{HAN}]{{1,6}}\))+$")  # 龙岗区人工智能（机器人）署
_LATIN_ITEM_TAIL = re.compile(r"[a-z0-9][a-z0-9 .&-]*$")
_LIST_JOIN = re.compile("[和与及やと]")
_FOREIGN_COUNTRY = re.compile(rf"(?!中国)[{HAN}]{{1,3}}国")  # 德国, 韩国, 美国 before a firm's name in a list
_LIST_SPLIT = re.compile(r"(、|以及|和|与|及|や|と|, and |, | and )")
_LATIN_ITEM = re.compile(r"[a-z][a-z0-9 .&'-]{1,40}")
_CJK_ITEM = re.compile(rf"(?=.{{2,18}}$)[{HAN}{KANA}a-z0-9]+(?:\([{HAN}]{{2,4}}\)[{HAN}{KANA}a-z0-9]+)?")
_ASIDE = re.compile(r"\([^()\n]{1,30}\)")
_CJK_INNER = re.compile(rf"[{HAN}{KANA}]{{2,12}}")
_KATAKANA_INNER = re.compile(rf"[{KANA}]{{3,20}}")
_LIST_OPEN_END = re.compile(r"[,。;:!?()\n「」《》]|等")
_NAME_LETTER = re.compile(rf"[a-z{HAN}{KANA}]")
_DIGIT = re.compile(r"\d")
_KANA_ANY = re.compile("[\u3040-\u30ff]")
_LIST_GLUE = re.compile(r"\s*(?:、|,|，|和|与|及|や|と|and|, and|or)\s*")
_OWNER_BEFORE = re.compile(r"(\([^()]{1,40}\))?(?:的|の|'s|’s)$")
_OWNER_ENDS = ("的", "の", "'s", "’s", "\n")  # what a window _OWNER_BEFORE finds an owner in ends with ($: or "\n")
_NEXT_CAPITAL = re.compile(r" ([A-Z][a-z]+)")
_CLOSE_QUOTES = {"”": "“", "」": "「", "』": "『"}
_QUOTED_LOWER = re.compile(r"[ ]+[\"“]([a-z][\w-]{1,20}(?: [\w-]{1,20})?)[\"”]")
_TRAILING_ALIAS = re.compile(r"(?<=.)\(([^()]{2,})\)$")
_LAST_WORD = re.compile(r"([A-Za-z]+) $")
_SENTENCE_STOP = re.compile(r"[。;!?\n]")
_ASCII_WORD_OR_SPACE = _ASCII_WORD | {" ", "-", "."}


HAN_SET = frozenset(chr(c) for c in range(0x4e00, 0xa000))


@lru_cache(maxsize=20000)
def _jieba_bounds(s: str) -> frozenset:
    import jieba

    jieba.setLogLevel(60)
    bounds, pos = {0}, 0
    for tok in jieba.lcut(s, HMM=True):
        pos += len(tok)
        bounds.add(pos)
    return frozenset(bounds)


@lru_cache(maxsize=20000)
def _sudachi_bounds(s: str) -> frozenset:
    """Word boundaries of a Japanese string by SudachiPy (small dictionary, split mode C)."""
    bounds, pos = {0}, 0
    for m in _sudachi_tokenizer().tokenize(s):
        pos += len(m.surface())
        bounds.add(pos)
    return frozenset(bounds)


@lru_cache(maxsize=1)
def _sudachi_tokenizer():
    try:
        from sudachipy import dictionary, tokenizer
    except ImportError as exc:  # optional: only segmenter="sudachi" needs it
        raise ImportError("segmenter 'sudachi' needs SudachiPy and its small dictionary: "
                          "pip install sudachipy sudachidict_small") from exc

    return dictionary.Dictionary(dict="small").tokenizer(mode=tokenizer.Tokenizer.SplitMode.C)


class _Spans:
    """Sorted non-overlapping spans with an overlap test by bisection."""

    def __init__(self, spans):
        spans = sorted(spans)
        self.starts = [a for a, _ in spans]
        self.ends = ends = [b for _, b in spans]
        if all(ends[i] <= self.starts[i + 1] for i in range(len(spans) - 1)):
            self.overlaps = self._overlaps_disjoint  # the ends rise with the starts: the last one is the furthest

    def overlaps(self, s: int, e: int) -> bool:
        i = bisect_left(self.starts, e)  # spans starting before e
        return i > 0 and max(self.ends[i - 8 if i > 8 else 0:i]) > s

    def _overlaps_disjoint(self, s: int, e: int) -> bool:
        i = bisect_left(self.starts, e)
        return i > 0 and self.ends[i - 1] > s


# ------------------------------------------------------------------------------------------------ merging


@dataclass
class Discovery:
    """What discovery found over a set of documents.

    Attributes
    ----------
    entities : dict of str to Entity
        Kept entities by id, ``origin="discovered"``; ``attrs`` hold ``confidence`` (0–1) and ``found_by`` (pattern
        ids).
    mentions : dict of str to list of Mention
        Per document id, the mentions of the kept entities (pattern finds and later occurrences of their names).
    relations : dict of str to list of Relation
        Per document id, ``IN_SEGMENT`` relations (method ``rule``) from segment cue words in a firm's clause.
    rejected : list of dict
        Names that were found but scored below the threshold (name, type, confidence, found_by), for review.
    """

    entities: dict[str, Entity] = field(default_factory=dict)
    mentions: dict[str, list[Mention]] = field(default_factory=dict)
    relations: dict[str, list[Relation]] = field(default_factory=dict)
    rejected: list[dict] = field(default_factory=list)


class _UnionFind:
    def __init__(self):
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def stable_id(key: str, type_: str, rules: DiscoveryRules | None = None) -> str:
    """``org_`` / ``product_`` / ``policy_`` + a slug of an ASCII key, or a short hash of any other key.

    Examples
    --------
    >>> stable_id("unitree", "Company"), stable_id("优必选", "Company")
    ('org_unitree', 'org_1037bd7427')
    """
    prefix = (rules or load_discovery_rules()).id_prefixes.get(type_, "ent_")
    slug = re.sub(r"[^a-z0-9]+", "_", key).strip("_")
    if key.isascii() and slug:
        return prefix + slug[:60]
    return prefix + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def _script(name: str, language: str) -> str:
    if not name.isascii() and _NAME_CHAR.search(name):
        if _KANA_ANY.search(name) or language == "ja":
            return "ja"
        return "zh"
    return "en"


def known_places(entities, catalogue=None) -> list[str]:
    """Every name and alias of the Region and Cluster entities, and the gazetteer's place names when there is one."""
    if catalogue is None:
        from .catalogue import load_catalogue

        catalogue = load_catalogue()
    place_names, _, _ = _names_by_role(entities, frozenset(catalogue.types_with("place")))
    return place_names + list(_gazetteer_places(catalogue))


def _names_by_role(entities, place_types, blocking=frozenset(), org_types=frozenset()):
    """One walk over ``entities``: the names of the places, and the names of the blocking types' organisations and
    of their others (each entity's three names, an empty one an empty line that holds no key, and its aliases). In
    3.11 a loop's attribute reads are faster than operator.attrgetter's: measured 0.56 s against 1.2 s at a million
    rows."""
    place_names, orgs, others = [], [], []
    for e in entities:
        t = e.type
        if t in blocking:
            part = orgs if t in org_types else others
            part += (e.name_en, e.name_zh, e.name_ja)
            part += e.aliases
        if t in place_types:
            place_names += e.all_names()
    return place_names, orgs, others


_GAZETTEER_CACHE: dict[str, tuple[str, ...]] = {}


def _gazetteer_places(catalogue, every_level: bool = False) -> tuple[str, ...]:
    """Folded names of the gazetteer's countries, provinces and cities, or of all its places (once per data
    directory)."""
    key = f"{catalogue.data_dir}|{every_level}"
    if key not in _GAZETTEER_CACHE:
        try:
            from .gazetteer import places_for

            places = places_for(catalogue)
        except (ImportError, InputError):  # a data directory without a gazetteer
            _GAZETTEER_CACHE[key] = ()
            return ()
        # countries, provinces and cities only: a county's short name (新华, Xinhua) is also a newspaper's
        big = {"country", "province", "city"}
        # (a town's short form, kind "town", is often a word: 石头, 发展; not a place here)
        _GAZETTEER_CACHE[key] = tuple(k for k, refs in places.index.items()
                                      if any(kind != "town" and (every_level or _place_level(places, pid) in big)
                                             for pid, kind in refs))
    return _GAZETTEER_CACHE[key]


def _folded_set(names) -> frozenset:
    """The folded names of two characters or more."""
    return frozenset(k for k in fold_many(list(names)) if len(k) >= 2)


_GAZETTEER_SETS: dict[str, tuple[frozenset, frozenset]] = {}


def _gazetteer_place_sets(catalogue) -> tuple[frozenset, frozenset]:
    """:func:`_folded_set` of the gazetteer's countries, provinces and cities, and of all its places (once per data
    directory, like the gazetteer itself: a discovery call does not fold ten thousand place names again)."""
    key = str(catalogue.data_dir)
    if key not in _GAZETTEER_SETS:
        big = _folded_set(_gazetteer_places(catalogue))
        _GAZETTEER_SETS[key] = (big, big | _folded_set(_gazetteer_places(catalogue, every_level=True)))
    return _GAZETTEER_SETS[key]


def _place_level(places, pid: str) -> str:
    try:
        return places.place(pid).level
    except KeyError:
        return ""


def discover(documents, catalogue, entities: dict[str, Entity] | None = None, known_mentions=None,
             rules: DiscoveryRules | None = None, segmenter: str | None = None, matcher=None,
             names: "KnownNames | None" = None) -> Discovery:
    """Discover organisations, products and policies in ``documents`` that ``entities`` do not list.

    Parameters
    ----------
    documents : list of Document
    catalogue : Catalogue
        For the clause breaks and segment names; its entities are the known ones unless ``entities`` is given.
    entities : dict of str to Entity, optional
        The known entities (catalogue plus rosters).
    known_mentions : dict of str to list of Mention, optional
        Mentions of the known entities per document id (computed with ``matcher`` when absent).
    rules : DiscoveryRules, optional
        Defaults to ``data/discovery.yaml`` of the catalogue's data directory.
    segmenter : {"stops", "jieba"}, optional
        See :class:`DocumentScanner`; default ``segmenter`` of ``data/discovery.yaml``.
    matcher : AliasMatcher, optional
        The matcher of the known entities (``loaders.extract.alias_matcher``); built when absent.
    names : KnownNames, optional
        :func:`known_names` of the same catalogue, ``entities`` and rules (work once per build, over every known
        entity, that a caller may do and time apart); made here when absent.

    Returns
    -------
    Discovery
    """
    entities = entities if entities is not None else catalogue.entities
    rules = rules or load_discovery_rules(catalogue.data_dir)
    if known_mentions is None and matcher is not None:
        known_mentions = {d.id: matcher.find(d) for d in documents}
    if known_mentions is None:
        from .extract import alias_matcher  # the one way known names are matched (extract imports this module)

        matcher = alias_matcher(catalogue, entities)
        known_mentions = {d.id: matcher.find(d) for d in documents}
    # the types of the entities the documents name (not a dict of every roster entity)
    known_types = {eid: entities[eid].type for ms in known_mentions.values() for eid in {m.entity for m in ms}
                   if eid in entities}
    org_types = catalogue.types_with("organisation")
    _check_types(rules, catalogue)
    names = names if names is not None else KnownNames(entities, rules, org_types, catalogue)
    scanner = DocumentScanner(rules, segmenter=segmenter or rules.segmenter, org_types=org_types,
                              place_sets=names.place_sets)
    if rules._key_places != scanner.places:  # keys drop a leading place: computed again for another set of places
        rules._key_places = scanner.places
        rules._key_cache.clear()
    docs = {d.id: d for d in documents}

    candidates: list[Candidate] = []
    for d in documents:
        candidates.extend(scanner.scan(d, known_mentions.get(d.id, []), known_types))

    known_names = names
    # "Unitree Go2": the product is Go2 when Unitree is an organisation (found or listed)
    spaced = [c for c in candidates if c.kind == "product" and " " in c.quote]
    if spaced:
        leads = {c.quote.split(" ", 1)[0].lower() for c in spaced}
        org_words = {c.quote.lower() for c in candidates if c.kind == "organisation"}
        org_words |= known_names.organisation_names_lower(leads)
        for c in spaced:
            lead, rest = c.quote.split(" ", 1)
            if lead.lower() in org_words and rest:
                c.start += len(lead) + 1
                c.quote = rest
    # Keys of known entities: a candidate with one of them is a listed entity written another way; leave it.
    key_memo: dict[str, str] = {}

    def key_of(name: str) -> str:  # a name is found many times; folded and keyed once
        k = key_memo.get(name)
        if k is None:
            k = key_memo[name] = _key(fold(name), rules)
        return k

    known_keys = known_names.keys_among({key_of(c.quote) for c in candidates})
    kind_of = {"organisation": "org:", "product": "product:", "policy": "policy:"}
    uf = _UnionFind()
    nodes = []  # per candidate: its key, its union-find node
    for c in candidates:
        key = key_of(c.quote)
        k = kind_of[c.kind] + key
        nodes.append((key, k))
        uf.find(k)
        if c.partner:
            kp = key_of(c.partner)
            if len(kp) >= 2:
                uf.union(k, kind_of[c.kind] + kp)
    groups: dict[str, list[Candidate]] = defaultdict(list)
    for c, (key, k) in zip(candidates, nodes):
        if len(key) < 2:
            continue
        groups[uf.find(k)].append(c)
    members: dict[str, set[str]] = defaultdict(set)
    for k in uf.parent:
        members[uf.find(k)].add(k.split(":", 1)[1])

    result = Discovery()
    kept: list[tuple[Entity, list[Candidate]]] = []
    forms_memo: dict[tuple[str, str], list[str]] = {}

    def make(cands: list[Candidate], keys: set[str]) -> Entity | None:
        best: dict[str, float] = {}
        for c in cands:
            best[c.pattern] = max(best.get(c.pattern, 0.0), c.weight)
        miss = 1.0
        for wgt in best.values():
            miss *= 1 - wgt
        if len({(c.doc, c.start) for c in cands}) >= 2:
            miss *= 1 - rules.repeat_weight
        confidence = round(1 - miss, 3)
        typ = _vote_type(cands)
        if confidence < rules.threshold or not typ:
            surfaces = list(dict.fromkeys(c.quote for c in cands))
            result.rejected.append({"name": surfaces[0], "type": typ or "?", "confidence": confidence,
                                    "found_by": sorted(best), "quotes": surfaces[:5]})
            return None
        canonical = sorted(keys, key=lambda k: (not k.isascii(), len(k), k))[0]
        eid = stable_id(canonical, typ, rules)
        return _entity(eid, typ, cands, docs, rules, confidence, sorted(best), keys, scanner.places, forms_memo,
                       org_types)

    for root, cands in groups.items():
        keys = members[root]
        if keys & known_keys:
            continue
        ent = make(cands, keys)
        if ent is not None:
            kept.append((ent, cands, keys))
    kept = [(ent, cands) for ent, cands, _ in _join_short_forms(kept, make, org_types)]

    # Two entities of different kinds may claim one id (rare); the later gets a suffix.
    for ent, cands in kept:
        while ent.id in result.entities or ent.id in entities:
            ent.id += "_2"
        result.entities[ent.id] = ent

    # Mentions: pattern finds, then every other occurrence of a kept name (a second, small automaton).
    by_doc: dict[str, list[Mention]] = defaultdict(list)
    for ent, cands in kept:
        for c in cands:
            d = docs[c.doc]
            by_doc[c.doc].append(Mention(ent.id, c.doc, d.sentence_at(c.start).index, c.start, c.end, c.quote))
    if result.entities:
        again = AliasMatcher(result.entities.values())
        for d in documents:
            taken = _Spans([(m.start, m.end) for m in known_mentions.get(d.id, [])] +
                           [(m.start, m.end) for m in by_doc.get(d.id, [])])
            for m in again.find(d):
                if not taken.overlaps(m.start, m.end):
                    by_doc[d.id].append(m)
    for doc_id, ms in by_doc.items():
        ms.sort(key=lambda m: (m.start, -m.end))
        clean, last_end = [], -1
        for m in ms:
            if m.start >= last_end:
                clean.append(m)
                last_end = m.end
        result.mentions[doc_id] = clean
    result.relations = segment_relations(documents, result, catalogue, rules, known_mentions, known_types)
    for doc_id, rels in registered_place_relations(documents, result, catalogue, rules).items():
        result.relations.setdefault(doc_id, []).extend(rels)
    return result


_SEP = "\x1f"  # joins folded names for one automaton pass (no name holds it: the door removes control characters)


def _check_types(rules: DiscoveryRules, catalogue) -> None:
    """The node types data/discovery.yaml names are types of data/schema.yaml."""
    types = catalogue.schema["node_types"]
    for field_name, named in (("blocking_types", rules.blocking_types), ("id_prefixes", rules.id_prefixes)):
        for t in named:
            if t not in types:
                raise InputError(f"unknown node type {t!r}; the types of data/schema.yaml are {', '.join(types)}",
                                 path=rules.path, field=field_name)


def known_names(catalogue, entities: dict[str, Entity] | None = None, rules: DiscoveryRules | None = None
                ) -> "KnownNames":
    """What :func:`discover` reads of every known entity, made now: the place names, and the names of the known
    organisations, products and policies joined and folded. It depends on the roster, not on the documents: once
    per build (pass it to :func:`discover` as ``names``).

    Examples
    --------
    >>> from loaders.catalogue import load_catalogue
    >>> cat = load_catalogue()
    >>> names = known_names(cat)
    >>> len(discover([], cat, names=names).entities)
    0
    """
    entities = entities if entities is not None else catalogue.entities
    rules = rules or load_discovery_rules(catalogue.data_dir)
    names = KnownNames(entities, rules, catalogue.types_with("organisation"), catalogue)
    names._folded  # noqa: B018 - joined and folded now
    names.place_sets  # noqa: B018
    return names


_SEP_BYTE = _SEP.encode()
_NAMES_PER_CHUNK = 1 << 16  # names folded, encoded and scanned at a time by KnownNames (about a megabyte of text)


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogatepass")


class KnownNames:
    """The names of the known organisations, products and policies, folded and UTF-8 encoded in chunks of
    ``_NAMES_PER_CHUNK`` names joined by ``_SEP`` (folded when first asked for): a roster of a million firms is
    walked once, never keyed or folded name by name; and the names of the known places (see :func:`known_names`)."""

    def __init__(self, entities: dict[str, Entity], rules: DiscoveryRules, org_types, catalogue):
        self.entities, self.rules, self.org_types = entities, rules, frozenset(org_types)
        self.catalogue = catalogue
        self.place_names, orgs, others = _names_by_role(entities.values(), frozenset(catalogue.types_with("place")),
                                                        rules.blocking_types, self.org_types)
        self._names = (orgs, others)  # (names of the organisations, names of the other blocking types)

    @cached_property
    def place_sets(self) -> tuple[frozenset, frozenset]:
        """The folded names of the known places (these entities' and the gazetteer's countries, provinces and
        cities), and the same with every gazetteer place (:class:`DocumentScanner`'s ``places`` and ``all_places``)."""
        big, every = _gazetteer_place_sets(self.catalogue)
        places = _folded_set(self.place_names) | big
        return places, places | every

    @cached_property
    def _folded(self) -> tuple[list[bytes], list[bytes]]:
        """Per group of :attr:`_names`, its chunks: line i of chunk c is name ``c * _NAMES_PER_CHUNK + i`` folded
        (folding is character by character and keeps ``_SEP``), UTF-8 encoded for the byte automaton. A chunk at a
        time: no copy of all the names at once."""
        n = _NAMES_PER_CHUNK
        return tuple([_utf8(fold(_SEP.join(names[i:i + n]))) for i in range(0, len(names), n)]
                     for names in self._names)

    def keys_among(self, wanted: set[str]) -> set[str]:
        """The keys among ``wanted`` that a known name also has.

        The wanted keys are found in the folded names with one byte automaton (UTF-8 matches start on a character,
        and no key spans a ``_SEP``), and only the lines where one starts the name, or follows a prefix that a key
        drops, are keyed.
        """
        wanted = {k for k in wanted if len(k) >= 2 and _SEP not in k}  # a key never spans two names
        if not wanted:
            return set()
        chunks = [c for group in self._folded for c in group]
        # ahocorasick_rs over bytes: no UTF-8 copy and character offsets per call as with a str; a DFA scans faster
        # but takes milliseconds to build, worth it only over many names
        big = sum(map(len, chunks)) > 1_000_000
        auto = ahocorasick_rs.BytesAhoCorasick(list(map(_utf8, wanted)),
                                               implementation=ahocorasick_rs.Implementation.DFA if big else None)
        found = set()
        removable: dict[str, bool] = {}  # prefix -> whether a key may drop it (names share prefixes)
        # the longest prefix a key drops, without the characters keys leave out: a legal prefix and a place
        longest = max(map(len, self.rules.legal_prefixes), default=0) + 4
        for chunk in chunks:
            rfind = chunk.rfind
            starts = set()  # the starts of the lines to key
            for _, start, _ in auto.find_matches_as_indexes(chunk, overlapping=True):
                line_start = rfind(_SEP_BYTE, 0, start) + 1
                if line_start in starts:
                    continue
                if start != line_start:
                    # only the legal prefix and place a key drops may stand before it (else the key is another); a
                    # longer run of letters and digits (no character a key leaves out) is not that
                    before = _text(chunk[line_start:start])
                    if len(before) > longest and (before.isalnum() or len(_STRIP.sub("", before)) > longest):
                        continue
                    ok = removable.get(before)
                    if ok is None:
                        ok = removable[before] = self._removable_prefix(before)
                    if not ok:
                        continue
                starts.add(line_start)
            for line_start in starts:
                line_end = chunk.find(_SEP_BYTE, line_start)
                k = _key(_text(chunk[line_start:] if line_end < 0 else chunk[line_start:line_end]), self.rules)
                if k in wanted:
                    found.add(k)
        return found

    def _removable_prefix(self, before: str) -> bool:
        """Whether :func:`_key` could drop ``before`` from a name's start: blanks, a legal prefix, a city or known
        place, then characters keys leave out (a necessary condition only: the key itself decides)."""
        rules = self.rules
        before = before.lstrip()
        for j in range(len(before), -1, -1):
            if j < len(before) and not _STRIP.match(before, j):
                break  # before[j:] is the run of left-out characters just before the key
            head = before[:j]
            for lp in ("", *rules.legal_prefixes):
                if head.startswith(lp):
                    rest = head[len(lp):]
                    if not rest or _CITY_WHOLE.fullmatch(rest) or 2 <= len(rest) <= 4 and rest in rules._key_places:
                        return True
        return False

    def organisation_names_lower(self, wanted: set[str]) -> set[str]:
        """The lower-cased names of known organisations among ``wanted`` (lower-cased words)."""
        words = [w for w in wanted if w]
        if not words:
            return set()
        names, out = self._names[0], set()
        other = [w for w in words if not w.isascii()]
        if other:  # rare: lower-case every name
            lowered = _SEP + _SEP.join(names).lower() + _SEP
            out.update(w for w in other if _SEP + w + _SEP in lowered)
        words = [w for w in words if w.isascii()]
        if not words:
            return out
        # a name whose lower case is the ASCII word w folds to w: look among the folded lines equal to w (one byte
        # automaton over the chunks, each padded with separators so that its first and last names are lines too)
        auto = ahocorasick_rs.BytesAhoCorasick([_SEP_BYTE + _utf8(w) + _SEP_BYTE for w in words])
        for c, chunk in enumerate(self._folded[0]):
            padded = _SEP_BYTE + chunk + _SEP_BYTE
            for i, at, _ in auto.find_matches_as_indexes(padded, overlapping=True):
                w = words[i]
                # the name of the line at ``at``: its number is the separators before it
                if w not in out and names[c * _NAMES_PER_CHUNK + padded.count(_SEP_BYTE, 0, at)].lower() == w:
                    out.add(w)
        return out


def _join_short_forms(kept, make, org_types):
    """One organisation for a name and the short form of another name (逐际动力 and 深圳逐际动力科技有限公司, found
    apart when a text writes 逐际动力（深圳逐际动力科技有限公司）): the short forms a full name is matched by later
    (:func:`_short_forms`) are that firm, so an organisation named by one of them joins it, scored again."""
    names_of = {}
    for i, (ent, _, _) in enumerate(kept):
        if ent.type in org_types:
            for n in (ent.name_zh, ent.name_ja):
                if n:
                    names_of.setdefault(n, []).append(i)
    into: dict[int, int] = {}  # joined -> the one it joins (a longer name first; a name joined holds no other)
    roots: set[int] = set()
    for i in sorted(range(len(kept)), key=lambda i: -len(kept[i][0].name)):
        ent = kept[i][0]
        if ent.type not in org_types or i in into:
            continue
        for a in ent.aliases:
            for j in names_of.get(a, ()):
                if j != i and j not in into and j not in roots:
                    into[j] = i
                    roots.add(i)
    if not into:
        return kept
    joined_into = defaultdict(list)  # root -> the short forms joined into it, in the order they were joined
    for j, k in into.items():
        joined_into[k].append(j)
    out = []
    for i, (ent, cands, keys) in enumerate(kept):
        if i in into:
            continue
        joined = joined_into.get(i)
        if joined:
            cands = cands + [c for j in joined for c in kept[j][1]]
            keys = set(keys).union(*(kept[j][2] for j in joined))
            joined_ent = make(cands, keys)
            if joined_ent is not None:
                joined_ent.id = ent.id  # the full name's id, as when the text writes it alone
                ent = joined_ent
        out.append((ent, cands, keys))
    return out


def _vote_type(cands: list[Candidate]) -> str:
    score: dict[str, float] = defaultdict(float)
    for c in cands:
        if c.type:
            score[c.type] += c.weight
    if not score:
        return ""
    if "Institution" in score and "Company" in score:
        # an institution suffix (大学, 研究院) says more than a list of "enterprises" it stands in
        strong = [c for c in cands if c.pattern in ("suffix_institution", "suffix_legal")]
        if strong:
            return strong[0].type
    return max(score, key=score.get)


def _short_forms(name: str, rules: DiscoveryRules, places, typ: str) -> list[str]:
    """Shorter ways a text writes a Chinese or Japanese organisation name (see :func:`_entity`)."""
    forms = []
    current = name
    for group in (rules.legal_words, rules.sector_words if typ == "Company" else ()):
        folded = fold(current)
        for w in sorted(group, key=len, reverse=True):
            if folded.endswith(w) and len(folded) - len(w) >= 2:
                current = current[: len(current) - len(w)].rstrip()
                forms.append(current)
                break
    for form in [name, *forms]:
        folded = fold(form)
        for k in range(min(4, len(form) - 2), 1, -1):
            if folded[:k] in places and not form[k:].startswith(("(", "（")):
                forms.append(form[k:])
                break
    return [f for f in dict.fromkeys(forms) if len(f) >= 2 and f != name and not _is_generic(fold(f), rules, places)
            and not f[0] in "(（"]


def _entity(eid, typ, cands, docs, rules, confidence, found_by, keys, places=frozenset(), forms_memo=None,
            org_types=frozenset()) -> Entity:
    by_script: dict[str, list[str]] = defaultdict(list)
    for c in cands:
        by_script[_script(c.quote, docs[c.doc].language)].append(c.quote)
        if c.partner:
            by_script[_script(c.partner, docs[c.doc].language)].append(c.partner)

    def most_common(xs):
        return max(dict.fromkeys(xs), key=xs.count) if xs else ""

    names = {s: most_common(v) for s, v in by_script.items()}
    aliases = []
    for v in by_script.values():
        aliases.extend(v)
    # Short forms find later mentions: without the legal form, then without one sector word (优必选 of
    # 优必选科技股份有限公司), then without a leading place (众擎机器人 of 深圳众擎机器人); never a generic word.
    if typ in org_types:
        for c in cands:
            if c.quote.isascii():
                continue
            forms = forms_memo.get((c.quote, typ)) if forms_memo is not None else None
            if forms is None:
                forms = _short_forms(c.quote, rules, places, typ)
                if forms_memo is not None:
                    forms_memo[c.quote, typ] = forms
            aliases.extend(forms)
    primary = {n for n in names.values()}
    aliases = [a for a in dict.fromkeys(aliases) if a not in primary]
    return Entity(id=eid, type=typ, name_en=names.get("en", ""), name_zh=names.get("zh", ""),
                  name_ja=names.get("ja", ""), aliases=aliases, origin="discovered",
                  sources=[Source("discovery", quote=f"found by {', '.join(found_by)} (confidence {confidence:.2f})")],
                  attrs={"confidence": confidence, "found_by": list(found_by), "origin": "discovered"})


def registered_place_relations(documents, found: "Discovery", catalogue, rules: DiscoveryRules
                               ) -> dict[str, list[Relation]]:
    """``LOCATED_IN`` relations (method ``rule``, rule ``registered_name``) for discovered organisations written with
    their registered name, when that name starts with a place.

    A registered name ends in a legal form (``suffix_legal`` words: 有限公司, Co., Ltd., 株式会社); a Chinese one
    begins with the region that registered the firm (企业名称登记管理规定: 行政区划 + 字号 + 行业 + 组织形式), so
    深圳逐际动力科技有限公司 is located in Shenzhen. The prefix must name one place of a level in
    ``registered_place_levels`` (data/discovery.yaml); a town's name or a name several places share is no evidence.
    The evidence is the name as the text writes it.
    """
    levels = set(rules.registered_place_levels)
    if not levels or not found.entities:
        return {}
    from .gazetteer import AmbiguousPlace, places_for  # as _gazetteer_places: a data directory may have none

    try:
        places = places_for(catalogue)
    except InputError:
        return {}
    org_types = set(catalogue.types_with("organisation"))
    memo: dict[str, str | None] = {}

    def place_of(prefix: str) -> str | None:
        if prefix not in memo:
            ids = places.lookup(prefix)
            ok = ids and all(places.place(i).level in levels for i in ids if i in places.places)
            try:
                memo[prefix] = places.resolve(prefix) if ok else None
            except AmbiguousPlace:
                memo[prefix] = None
        return memo[prefix]

    def prefixes(name: str):
        if name.isascii():
            words = name.split()
            return [" ".join(words[:k]) for k in range(min(3, len(words) - 1), 0, -1)]
        return [name[:k] for k in range(min(7, len(name) - 2), 1, -1)]

    out: dict[str, list[Relation]] = {}
    for d in documents:
        seen = set()
        # the folded quote is a slice of the document's fold when that keeps offsets (folding is per character)
        doc_folded = d.folded.folded if d.folded.is_identity else None
        for m in found.mentions.get(d.id, ()):
            ent = found.entities.get(m.entity)
            if ent is None or ent.type not in org_types or m.entity in seen:
                continue
            if doc_folded is not None and d.text[m.start:m.end] == m.quote:
                folded = doc_folded[m.start:m.end].rstrip()
            else:
                folded = fold(m.quote).rstrip()
            if not folded.endswith(rules.legal_words):
                continue
            for prefix in prefixes(m.quote.strip()):
                pid = place_of(prefix)
                if pid:
                    seen.add(m.entity)
                    out.setdefault(d.id, []).append(Relation(
                        m.entity, "LOCATED_IN", pid, "rule", evidence=[d.evidence(m.start, m.end)],
                        attrs={"rule": "registered_name", "cue": prefix}))
                    break
    return out


def segment_relations(documents, found: Discovery, catalogue, rules: DiscoveryRules, known_mentions, known_types):
    """``IN_SEGMENT`` relations (method ``rule``) for discovered firms whose clause has a segment cue word.

    The cue words are the names and aliases of the upstream and midstream segments in ``data/taxonomy.yaml`` plus
    ``segment_cues`` of ``data/discovery.yaml``; a cue inside a name (人形机器人 in 北京人形机器人创新中心) does not count.
    A cue goes to the firm nearest to it in the clause and to the firms listed together with that one.
    """
    cue_words = _segment_automaton(catalogue, rules)
    org_types = catalogue.types_with("organisation")
    breaks = [re.compile(p) for p in catalogue.clause_breaks]
    out: dict[str, list[Relation]] = {}
    for d in documents:
        doc_cues = None  # the cue words of the whole document, found once when its fold has its offsets
        ms = found.mentions.get(d.id)
        if not ms:
            continue
        orgs = [m for m in ms if found.entities[m.entity].type in org_types]
        if not orgs:
            continue
        names = None  # the spans of names, made when a cue first needs them
        all_orgs = sorted(orgs + [m for m in known_mentions.get(d.id, []) if known_types.get(m.entity) in org_types],
                          key=lambda m: m.start)
        by_sentence = defaultdict(list)
        for m in all_orgs:
            by_sentence[m.sentence].append(m)
        rels = []
        for idx, sent_orgs in by_sentence.items():
            if not any(m.entity in found.entities for m in sent_orgs):
                continue
            s = d.sentences[idx]
            # the cue words of the sentence, in text order; a clause's are those inside it
            if d.folded.is_identity:
                folded = d.folded.folded[s.start:s.end]
                if doc_cues is None:
                    doc_cues = _cue_words(cue_words, d.folded.folded)
                    cue_ends = [c[1] for c in doc_cues]
                base = s.start
                cues = [(a - base, b - base, cue, seg) for a, b, cue, seg in
                        doc_cues[bisect_right(cue_ends, base):bisect_right(cue_ends, s.end)] if a >= base]
            else:
                folded = fold(d.text[s.start:s.end])
                cues = _cue_words(cue_words, folded)
            if not cues:
                continue
            ends = [c[1] for c in cues]
            org_starts = [m.start - s.start for m in sent_orgs]  # sent_orgs are in text order
            for lo, hi in clause_bounds(folded, breaks):
                # the cue words inside the clause (in the order of cues), read by bisect
                inside = [c for c in cues[bisect_right(ends, lo):bisect_right(ends, hi)] if c[0] >= lo]
                if not inside:
                    continue
                clause_orgs = sent_orgs[bisect_left(org_starts, lo):bisect_left(org_starts, hi)]
                if not any(m.entity in found.entities for m in clause_orgs):
                    continue
                for a, b, cue, seg in inside:
                    cs, ce = s.start + a, s.start + b
                    if cue.isascii() and ((cs > 0 and d.text[cs - 1].isalnum()) or
                                          (ce < len(d.text) and d.text[ce].isalnum())):
                        continue
                    if names is None:
                        names = _Spans([(m.start, m.end) for m in ms] + [
                            (m.start, m.end) for m in known_mentions.get(d.id, [])
                            if known_types.get(m.entity) != "Segment"])
                    if names.overlaps(cs, ce):
                        continue
                    for m in _nearest_group(clause_orgs, cs, ce, d.text):
                        if m.entity in found.entities:
                            rels.append(Relation(m.entity, "IN_SEGMENT", seg, "rule",
                                                 evidence=[d.evidence(s.start + lo, s.start + hi)],
                                                 attrs={"rule": "segment_cue", "cue": d.text[cs:ce]}))
        if rels:
            seen, uniq = set(), []
            for r in rels:
                k = (r.source, r.target, r.evidence[0]["start"])
                if k not in seen:
                    seen.add(k)
                    uniq.append(r)
            out[d.id] = uniq
    return out


def _nearest_group(orgs, cs, ce, text):
    if not orgs:
        return []

    def dist(m):
        return max(0, cs - m.end, m.start - ce)

    nearest = min(orgs, key=dist)
    group = [nearest]
    i = orgs.index(nearest)
    for step in (-1, 1):
        j = i
        while 0 <= j + step < len(orgs):
            a, b = (orgs[j + step], orgs[j]) if step < 0 else (orgs[j], orgs[j + step])
            between = text[a.end:b.start]
            if _LIST_GLUE.fullmatch(between):
                group.append(orgs[j + step])
                j += step
            else:
                break
    return group


def _cue_words(cue_words, folded: str) -> list[tuple[int, int, str, str]]:
    """(start, end, cue, segment id) of every cue word in ``folded`` (overlapping), by end and the longest first."""
    auto, entries = cue_words
    return [(a, b, *entries[i]) for i, a, b in sorted(auto.find_matches_as_indexes(folded, overlapping=True),
                                                       key=_END_THEN_START)]


def _segment_automaton(catalogue, rules: DiscoveryRules):
    """(ahocorasick_rs automaton, [(cue, segment id)] by its pattern index) of the segment cue words."""
    key = id(catalogue)
    auto = rules._segment_automata.get(key)
    if auto is not None:
        return auto
    cues: dict[str, str] = {}
    for seg, words in rules.segment_cues.items():
        sid = f"segment:{seg}"
        if sid not in catalogue.entities:
            raise InputError(f"segment_cues names unknown segment {seg!r}", path=rules.path, field="segment_cues")
        for w in words:
            cues.setdefault(fold(w), sid)
    for e in catalogue.segments():
        if e.attrs.get("group") == "scene":
            continue
        for n in e.all_names():
            if len(fold(n)) >= 2:
                cues.setdefault(fold(n), e.id)
    entries = list(cues.items())
    auto = ahocorasick_rs.AhoCorasick([k for k, _ in entries], implementation=ahocorasick_rs.Implementation.DFA), \
        entries
    rules._segment_automata[key] = auto
    return auto
