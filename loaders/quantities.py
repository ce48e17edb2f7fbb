"""Quantities in Japanese, Chinese and English text, and the claims they make.

:func:`find_quantities` finds counts ("70社以上", "70余家", "more than 70 companies"), shares ("約60%", "三分之一",
"one third"), money ("500億元", "50 billion yuan"), and dates ("2025年7月28日", "July 28, 2025", "by 2027") in a folded
sentence, with values in base units and a qualifier. :class:`ClaimExtractor` then asks the metric rules of
data/claims.yaml what each quantity measures and what it is about, and yields :class:`~loaders.records.Claim` records
with evidence. Vocabulary and rules are data; this module only knows the grammar of numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .fold import fold, fold_text
from .records import Claim, Mention
from .text import Document, clause_bounds

QUALIFIER_SYMBOL = {"at_least": "≥", "about": "≈", "at_most": "≤", "exact": "="}


@dataclass
class Quantity:
    """A number found in a folded sentence; ``start``/``end`` index that folded sentence."""

    kind: str  # count, share, money, date
    value: float | None
    start: int
    end: int
    qualifier: str = "exact"
    unit: str = ""  # currency code for money, 'share' for shares, the counter for counts, 'date'/'year'
    counter: str = ""
    date: str = ""
    full_date: bool = False


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted({fold(w) for w in words}, key=len, reverse=True))


class NumberGrammar:
    """Regular expressions and number parsing built from the lexicon of data/claims.yaml."""

    def __init__(self, lexicon: dict):
        fw = lambda d: {fold(k): v for k, v in d.items()}  # noqa: E731
        self.digits = fw(lexicon["digits"])
        self.small_units = fw(lexicon["small_units"])
        self.big_units = fw(lexicon["big_units"])
        self.word_numbers = fw(lexicon["word_numbers"])
        self.multipliers = fw(lexicon["multipliers"])
        self.fraction_words = fw(lexicon["fraction_words"])
        self.currency_after = fw(lexicon["currency_after"])
        self.currency_before = fw(lexicon["currency_before"])
        self.months = fw(lexicon["dates"]["months_en"])
        q = lexicon["qualifiers"]
        self.q_before = [(re.compile(r"(?:^|(?<![0-9a-z]))(?:" + phrase_pattern(ws).pattern + r")\s*$"), k)
                         for k, ws in q["before"].items()]
        self.q_after = [(re.compile(r"^\s*(?:" + phrase_pattern(ws).pattern + r")(?![a-z])"), k)
                        for k, ws in q["after"].items()]

        kanji_chars = "".join(sorted(set(self.digits) | set(self.small_units) | set(self.big_units)))
        arabic = r"\d+(?:,\d{3})*(?:\.\d+)?"
        kanji = f"[{re.escape(kanji_chars)}]+"
        words = r"\b(?:" + _alternation(self.word_numbers) + r")\b"
        num = f"(?:{arabic}|{kanji}|{words})"
        months = _alternation(self.months)
        counters = _alternation(lexicon["counters"])
        mult = _alternation(self.multipliers)
        cur_after = _alternation(self.currency_after)
        cur_before = _alternation(self.currency_before)
        percent = _alternation(lexicon["percent"])
        year_cues = _alternation(lexicon["dates"]["year_cues_en"])
        # Order matters: earlier patterns claim their span first.
        self.patterns: list[tuple[str, re.Pattern]] = [
            ("date_cjk", re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月(?:\s*(?P<d>\d{1,2})\s*[日号])?")),
            ("date_iso", re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")),
            ("date_en", re.compile(
                rf"\b(?:(?P<mon>{months})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})"
                rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon2>{months})\.?,?\s+(?P<y2>\d{{4}})"
                rf"|(?P<mon3>{months})\.?\s+(?P<y3>\d{{4}}))\b")),
            ("year_cjk", re.compile(r"(?P<y>\d{4})\s*年(?!代|度?\d)")),
            ("year_en", re.compile(rf"\b(?:{year_cues})\s+(?P<y>(?:19|20)\d{{2}})\b(?!\s*(?:{cur_after}|%))")),
            ("percent_zh", re.compile(rf"百分之(?P<num>{arabic}|{kanji})")),
            ("fraction_ja", re.compile(rf"(?P<den>{arabic}|{kanji})\s*分の\s*(?P<num>{arabic}|{kanji})")),
            ("fraction_zh", re.compile(rf"(?P<den>{arabic}|{kanji})\s*分之\s*(?P<num>{arabic}|{kanji})")),
            ("fraction_en", re.compile(r"\b(?:" + _alternation(self.fraction_words) + r")\b")),
            ("percent", re.compile(rf"(?P<num>{num})\s*(?:{percent})")),
            ("money_before", re.compile(rf"(?P<cur>{cur_before})\s*(?P<num>{arabic})\s*(?P<mult>{mult})?\b")),
            ("money", re.compile(
                rf"(?P<num>{num})\s*(?P<q1>余|多)?\s*(?P<mult>{mult})?\s*(?P<cur>{cur_after})")),
            ("count", re.compile(
                rf"(?P<num>{num})(?P<q1>余|多|\+)?\s*(?P<mult>万|亿)?\s*(?P<counter>{counters})?"
                rf"(?P<q2>以上|以内|以下|超|前后|左右)?")),
        ]
        self._kanji_re = re.compile(kanji)
        self._arabic_re = re.compile(arabic)

    # ---------------------------------------------------------------- number parsing
    def parse_kanji(self, s: str) -> float | None:
        """'五千万' -> 50000000, '百万' -> 1000000, '三' -> 3, '二十' -> 20."""
        total, section, digit = 0, 0, None
        for ch in s:
            if ch in self.digits:
                digit = self.digits[ch] if digit is None else digit * 10 + self.digits[ch]
            elif ch in self.small_units:
                section += (1 if digit is None else digit) * self.small_units[ch]
                digit = None
            elif ch in self.big_units:
                unit_value = self.big_units[ch]
                chunk = section + (digit or 0)
                total = (total + (chunk or 1)) * unit_value if unit_value > 10000 and total else \
                    total + (chunk or 1) * unit_value
                section, digit = 0, None
            else:
                return None
        return float(total + section + (digit or 0))

    def parse_number(self, s: str) -> float | None:
        s = s.strip()
        if self._arabic_re.fullmatch(s):
            return float(s.replace(",", ""))
        if s in self.word_numbers:
            return float(self.word_numbers[s])
        if self._kanji_re.fullmatch(s):
            return self.parse_kanji(s)
        return None

    # ---------------------------------------------------------------- scanning
    def scan(self, text: str) -> list[Quantity]:
        """Quantities in a folded sentence, left to right, non-overlapping."""
        taken = [False] * (len(text) + 1)
        found: list[Quantity] = []
        for kind, pattern in self.patterns:
            for m in pattern.finditer(text):
                s, e = m.span("y") if kind == "year_en" else m.span()
                if e == s or any(taken[s:e]):
                    continue
                q = self._make(kind, m, text)
                if q is None:
                    continue
                while q.end > q.start and text[q.end - 1].isspace():
                    q.end -= 1
                self._qualify(q, text)
                if any(taken[q.start:q.end]):
                    continue
                for i in range(q.start, q.end):
                    taken[i] = True
                found.append(q)
        found.sort(key=lambda q: q.start)
        return found

    def _make(self, kind: str, m: re.Match, text: str) -> Quantity | None:
        s, e = m.span("y") if kind == "year_en" else m.span()
        g = m.groupdict()
        if kind.startswith("date") or kind.startswith("year"):
            if kind == "date_en":
                y = g["y"] or g["y2"] or g["y3"]
                mon = self.months[g["mon"] or g["mon2"] or g["mon3"]]
                d = g["d"] or g["d2"]
            else:
                y, mon, d = g.get("y"), g.get("m"), g.get("d")
            year = int(y)
            if not 1900 <= year <= 2100:
                return None
            parts = [f"{year:04d}"] + ([f"{int(mon):02d}"] if mon else []) + ([f"{int(d):02d}"] if d else [])
            return Quantity("date", float(year), s, e, unit="date" if mon else "year", date="-".join(parts),
                            full_date=bool(mon and d))
        if self._glued(text, s, e, kind):
            return None
        if kind == "percent_zh":
            v = self.parse_number(g["num"])
            return None if v is None else Quantity("share", v / 100, s, e, unit="share")
        if kind in ("fraction_ja", "fraction_zh"):
            num, den = self.parse_number(g["num"]), self.parse_number(g["den"])
            if not num or not den or num > den:
                return None
            return Quantity("share", num / den, s, e, unit="share")
        if kind == "fraction_en":
            return Quantity("share", float(self.fraction_words[m.group(0)]), s, e, unit="share")
        if kind == "percent":
            v = self.parse_number(g["num"])
            return None if v is None else Quantity("share", v / 100, s, e, unit="share")
        if kind in ("money", "money_before"):
            v = self.parse_number(g["num"])
            if v is None:
                return None
            mult = self.multipliers.get(g.get("mult") or "", 1)
            cur = g["cur"]
            unit = self.currency_before[cur] if kind == "money_before" else self.currency_after[cur]
            q = Quantity("money", v * mult, s, e, unit=unit)
            if g.get("q1"):
                q.qualifier = "at_least"
            return q
        # count
        numtxt, counter = g["num"], g.get("counter") or ""
        if counter == "つ" and text[e:e + 1] == "目":
            return None  # 一つ目: an ordinal
        if s > 0 and text[s - 1] == "第":
            return None  # 第二: an ordinal
        is_kanji = bool(self._kanji_re.fullmatch(numtxt))
        if is_kanji and not counter and not re.search("[百千万亿]", numtxt):
            return None  # a lone 一 or 三 is a word, not a quantity
        v = self.parse_number(numtxt)
        if v is None:
            return None
        if g.get("mult"):
            v *= self.big_units.get(g["mult"], 1)
        q = Quantity("count", v, s, e, counter=counter, unit=counter)
        if g.get("q1"):
            q.qualifier = "at_least"
        if g.get("q2"):
            q.qualifier = {"以上": "at_least", "超": "at_least", "以内": "at_most", "以下": "at_most"}.get(g["q2"], "about")
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
        best = None
        for pattern, kind in self.q_before:
            m = pattern.search(head)
            if m and (best is None or m.start() < best[0]):
                best = (m.start(), kind, m)
        if best:
            m = best[2]
            q.qualifier = best[1]
            q.start = head_start + m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
        tail = text[q.end:q.end + 12]
        for pattern, kind in self.q_after:
            m = pattern.match(tail)
            if m:
                if q.qualifier == "exact":
                    q.qualifier = kind
                q.end += m.end()
                break


# ---------------------------------------------------------------------------------------------------------- claims
def phrase_pattern(words) -> re.Pattern | None:
    """One regex for a list of folded phrases; a space in a phrase matches any run of white space (line breaks)."""
    words = sorted({fold(w) for w in words if w}, key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(r"\s+".join(re.escape(part) for part in w.split()) for w in words))


@dataclass
class _Rule:
    spec: dict
    before: re.Pattern | None = None
    after: re.Pattern | None = None
    either: re.Pattern | None = None
    counters: set[str] = field(default_factory=set)

    @property
    def catch_all(self) -> bool:
        return not (self.before or self.after or self.either or self.counters)


def _find_cue(window: str, cues: re.Pattern | None, offset: int) -> tuple[int, int] | None:
    m = cues.search(window) if cues else None
    return (offset + m.start(), offset + m.end()) if m else None


class ClaimExtractor:
    """Turns quantities into claims with the metric rules of data/claims.yaml.

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
        self.grammar = NumberGrammar(catalogue.claim_lexicon)
        self.rules = [
            _Rule(r, phrase_pattern(r["before"]), phrase_pattern(r["after"]), phrase_pattern(r["either"]),
                  {fold(c) for c in r["counters"]})
            for r in catalogue.metric_rules
        ]
        self.clause_breaks = [re.compile(p) for p in catalogue.clause_breaks]

    def _classify(self, q: Quantity, text: str, clause: tuple[int, int], lo: int, hi: int):
        before = text[max(clause[0], lo, q.start - 40):q.start]
        b_off = q.start - len(before)
        after = text[q.end:min(clause[1], hi, q.end + 40)]
        for rule in self.rules:
            spec = rule.spec
            span = (0, len(text)) if spec["scope"] == "sentence" else clause
            whole = text[span[0]:span[1]]
            if q.kind not in spec["kinds"] or (spec["full_date_only"] and not q.full_date):
                continue
            if rule.catch_all:
                return rule, []
            hits = []
            if q.counter and q.counter in rule.counters:
                hits.append((q.start, q.end))
            for window, cues, off in ((before, rule.before, b_off), (after, rule.after, q.end),
                                      (whole, rule.either, span[0])):
                hit = _find_cue(window, cues, off)
                if hit:
                    hits.append(hit)
            if hits:
                return rule, hits
        return None, []

    def extract(self, doc: Document, mentions: list[Mention], policy: str | None = None) -> list[Claim]:
        """Claims of ``doc``; ``mentions`` are its entity mentions (for subjects and members)."""
        entities = self.catalogue.entities
        by_sentence: dict[int, list[Mention]] = {}
        for m in mentions:
            by_sentence.setdefault(m.sentence, []).append(m)
        claims: list[Claim] = []
        for sent in doc.sentences:
            ft = fold_text(doc.text[sent.start:sent.end])
            text = ft.folded
            quantities = self.grammar.scan(text)
            if not quantities:
                continue
            clauses = clause_bounds(text, self.clause_breaks)
            for i, q in enumerate(quantities):
                clause = next((c for c in clauses if c[0] <= q.start < c[1]), (0, len(text)))
                lo = quantities[i - 1].end if i else 0
                hi = quantities[i + 1].start if i + 1 < len(quantities) else len(text)
                rule, cue_spans = self._classify(q, text, clause, lo, hi)
                if rule is None:
                    continue
                spec = rule.spec
                o_start, o_end = ft.to_original(q.start, q.end)
                start, end = sent.start + o_start, sent.start + o_end
                cue_orig = [tuple(sent.start + x for x in ft.to_original(*c)) for c in cue_spans]
                qualifier = q.qualifier
                if qualifier == "exact" and spec["qualifier"]:
                    qualifier = spec["qualifier"]
                o_clause = tuple(sent.start + x for x in ft.to_original(*clause))
                subjects, subject_from = self._subjects(spec, start, end, sent, doc, by_sentence, cue_orig, policy)
                members = []
                if spec["members"]:
                    members = list(dict.fromkeys(
                        m.entity for m in by_sentence.get(sent.index, [])
                        if entities.get(m.entity) and entities[m.entity].type in spec["members"]
                        and o_clause[0] <= m.start < o_clause[1]))
                claims.append(Claim(
                    id=f"claim:{doc.id}:{sent.index}:{start}", metric=spec["metric"], value=q.value,
                    unit=spec["unit"] or q.unit or q.kind, qualifier=qualifier, text=doc.text[start:end], doc=doc.id,
                    evidence=[doc.evidence(start, end)], subjects=subjects, subject_from=subject_from,
                    members=members, date=q.date, target=spec["target"], subsidy=spec["subsidy"] or "",
                    kind=q.kind, attrs={"rule": spec["metric"]}))
        return claims

    def _subjects(self, spec, start, end, sent, doc, by_sentence, cue_spans, policy):
        entities = self.catalogue.entities
        types = spec["subject_types"]

        def candidates(index):
            return [m for m in by_sentence.get(index, [])
                    if entities.get(m.entity) and entities[m.entity].type in types
                    and not any(cs <= m.start and m.end <= ce for cs, ce in cue_spans)]

        if spec["subject"] == "policy" and policy:
            return [policy], "policy"
        here = candidates(sent.index)
        prev = []
        if not here and sent.index > 0:
            p = doc.sentences[sent.index - 1]
            if p.paragraph == sent.paragraph:
                prev = candidates(p.index)
        if spec["subject"] == "all":
            chosen = here or prev
            return list(dict.fromkeys(m.entity for m in chosen)), ("sentence" if here else "previous_sentence")
        if here:
            best = min(here, key=lambda m: max(0, m.start - end, start - m.end))
            return [best.entity], "sentence"
        if prev:
            return [prev[-1].entity], "previous_sentence"
        if policy and "Policy" in types:
            return [policy], "policy"
        return [], ""


def reconciliation(claim: Claim) -> str:
    """'6 named of ≥70' for a count claim whose sentence names members; '' otherwise."""
    if claim.kind != "count" or not claim.members or claim.value is None:
        return ""
    return f"{len(claim.members)} named of {QUALIFIER_SYMBOL[claim.qualifier]}{claim.value:g}"
