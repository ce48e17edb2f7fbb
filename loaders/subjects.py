"""What a claim is about: the subject of a quantity, from the entities its document names.

:class:`SubjectResolver` holds the rules (data/claims.yaml ``lexicon.subjects`` and each metric's ``subject_types``);
:meth:`SubjectResolver.context` reads one document once (its mentions by sentence, sorted by offset, its sources and
its main subjects), and :meth:`SubjectResolver.resolve` answers for one quantity by looking only at its own sentence,
the sentences before it in its paragraph (by index) and the document's subjects, so that the cost per claim does not
grow with the document.

The order, for a metric of subject types T (``subject: nearest``):

1. the nearest entity of T in the quantity's clause, one named before the quantity first (the subject of a Chinese,
   Japanese or English sentence comes before its figures: "宇树科技拟募资42.02亿元，成为长鑫科技后…");
2. the same in its sentence; a definite description ("试验区", "the zone", "同社") counts as a mention of the last entity
   of T before it in the document whose name ends with that head noun (lexicon ``anaphora_heads``);
3. after a back-reference ("其中", "这里", "of which"), the last entity of T in the sentences before it in the paragraph
   (at most ``refer_back_sentences`` of them);
4. the document's subjects (:meth:`SubjectResolver.document_subjects`): for a target (a plan's goal) the place the
   document is about, then its policy; for a fact, when the metric allows it (``document: facts``, the default);
5. none: empty rather than a guess.

Never an entity a cue of the metric names (全国 for a national share), nor one named as the source of the statement
("according to Xinhua"). ``subject: all`` takes every entity of T in the clause (else sentence, else previous
sentence): a subsidy for five platforms. ``subject: policy`` (a policy's own dates) takes a policy named in the
sentence, else the policy the metadata says the document is about, else the nearest entity of T, else the document's.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field

from .errors import InputError
from .fold import fold
from .records import Mention
from .text import Document

# What a claim's subject_from says when no subject was found.
NO_SUBJECT = "none"
_LAST_BREAK = re.compile(r"[，;；。:：!?！？][^，;；。:：!?！？]*$")  # the last clause break of a folded window


@dataclass
class DocumentSubjects:
    """One document as :meth:`SubjectResolver.resolve` reads it (built once per document)."""

    doc: Document
    by_sentence: dict[int, list[Mention]]  # mentions of catalogue entities, by sentence, sorted by start
    anchors: dict[str, list[str] | str | None]
    sources: "_NotSubjects"  # whether the mention at a span is named as a source or counterparty: sources[s, e]
    about_place: bool = False  # the document's first subject is a place or a policy
    heads: dict[str, tuple[list[int], list[Mention]]] = field(default_factory=dict)  # head -> (ends, mentions)
    head_words: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)  # sentence -> its descriptions
    # what one sentence's claims share, found once per sentence (first cue matches, descriptions, covered mentions)
    per_sentence: dict = field(default_factory=dict)
    brackets: tuple | None = None  # offsets of the document's closing, opening and round closing brackets
    quotes: tuple | None = None  # offsets of its opening and closing quotation marks, straight quotes, line breaks


class _NotSubjects(dict):
    """Whether the mention at a span of a document names no subject (:meth:`SubjectResolver._not_subject`):
    ``sources[start, end]``, decided when first asked (a document's claims ask about the mentions near their
    numbers, not about every mention it holds), then a plain dict lookup."""

    __slots__ = ("resolver", "folded", "spans")

    def __init__(self, resolver, folded, spans: set[tuple[int, int]]):
        super().__init__()
        self.resolver, self.folded, self.spans = resolver, folded, spans

    def __missing__(self, span: tuple[int, int]) -> bool:
        got = self[span] = span in self.spans and self.resolver._not_subject(self.folded, *span)
        return got


_NOT_LOOKED = object()  # _Named.first not computed yet (not the object itself: a self-reference is a cycle that keeps
# its document's context, the resolver and the catalogue's entities alive until the cyclic collector runs)


class _Named:
    """The entity mentions of one sentence of some types, sorted by start (``ms[lo:hi]``), of which a claim may take
    those ``ok`` accepts. Read from where the claim stands (by bisect, then a step or two), never all of them: a
    sentence that names thousands of entities does not cost each of its claims a pass over its names."""

    __slots__ = ("ms", "starts", "reach", "ok", "lo", "hi", "_first")

    def __init__(self, ms, starts, reach, ok, lo=0, hi=None):
        self.ms, self.starts, self.reach, self.ok = ms, starts, reach, ok  # reach: the furthest end up to each one
        self.lo, self.hi = lo, len(ms) if hi is None else max(lo, hi)
        self._first = _NOT_LOOKED

    def items(self) -> list[Mention]:
        return [m for m in self.ms[self.lo:self.hi] if self.ok(m)]

    def first_from(self, at: int) -> Mention | None:
        """The first mention starting at or after ``at``."""
        ms, ok = self.ms, self.ok
        return next((ms[j] for j in range(bisect_left(self.starts, at, self.lo, self.hi), self.hi) if ok(ms[j])), None)

    def first(self) -> Mention | None:
        if self._first is _NOT_LOOKED:
            ms, ok = self.ms, self.ok
            self._first = next((ms[j] for j in range(self.lo, self.hi) if ok(ms[j])), None)
        return self._first

    def last(self) -> Mention | None:
        ms, ok = self.ms, self.ok
        return next((ms[j] for j in range(self.hi - 1, self.lo - 1, -1) if ok(ms[j])), None)

    def within(self, lo: int, hi: int) -> "_Named":
        """The mentions starting in [lo, hi)."""
        return _Named(self.ms, self.starts, self.reach, self.ok, bisect_left(self.starts, lo, self.lo, self.hi),
                      bisect_left(self.starts, hi, self.lo, self.hi))

    def first_before(self, at: int) -> Mention | None:
        """The first mention ending at or before ``at`` (those starting after ``at`` end after it)."""
        ms, ok = self.ms, self.ok
        for j in range(self.lo, bisect_right(self.starts, at, self.lo, self.hi)):
            if ms[j].end <= at and ok(ms[j]):
                return ms[j]
        return None

    def last_before(self, at: int) -> Mention | None:
        """The last mention ending at or before ``at``."""
        ms, ok = self.ms, self.ok
        for j in range(bisect_right(self.starts, at, self.lo, self.hi) - 1, self.lo - 1, -1):
            if ms[j].end <= at and ok(ms[j]):
                return ms[j]
        return None

    def around(self, start: int, end: int) -> Mention | None:
        """The first mention holding [start, end): back from ``start`` while an earlier one could still reach
        ``end``."""
        ms, ok, reach, found = self.ms, self.ok, self.reach, None
        j = bisect_right(self.starts, start, self.lo, self.hi) - 1
        while j >= self.lo and reach[j] >= end:
            if ms[j].end >= end and ok(ms[j]):
                found = ms[j]
            j -= 1
        return found

    def closest(self, at: int) -> Mention | None:
        """The first of the mentions whose start is closest to ``at`` (as ``min(..., key=abs(start - at))``)."""
        ms, ok, starts = self.ms, self.ok, self.starts
        j = bisect_left(starts, at, self.lo, self.hi)
        right = self.first_from(at)
        i = j - 1
        while i >= self.lo and not ok(ms[i]):
            i -= 1
        left = None
        if i >= self.lo:  # the nearest start before ``at``; of the mentions starting there, the first
            left, s0 = ms[i], starts[i]
            i -= 1
            while i >= self.lo and starts[i] == s0:
                if ok(ms[i]):
                    left = ms[i]
                i -= 1
        if left is None or (right is not None and right.start - at < at - left.start):
            return right
        return left


def _always(_m) -> bool:
    return True


def _first_of(a, b):
    """Of two mentions (either may be None), the one starting first; a named mention (``a``) on a tie."""
    return b if a is None or (b is not None and b.start < a.start) else a


def _last_of(a, b):
    """Of two mentions (either may be None), the one starting last; a description (``b``) on a tie."""
    return a if b is None or (a is not None and a.start > b.start) else b


_NO_DESCRIPTIONS = _Named([], [], [], _always)


class _Pool:
    """The mentions a claim may take, in the order ``sorted(named + described, key=start)`` without building it: the
    sentence's entity mentions that qualify and its definite descriptions, each a :class:`_Named` (descriptions are
    sorted and disjoint, all accepted), asked the same question and the two answers merged."""

    __slots__ = ("named", "desc")

    def __init__(self, named: _Named, desc: _Named | None = None):
        self.named = named
        self.desc = _NO_DESCRIPTIONS if desc is None else desc

    @classmethod
    def of(cls, named: _Named, described: tuple = ()) -> "_Pool":
        """``named`` and the descriptions ``(mentions, starts, ends)`` of :meth:`SubjectResolver._descriptions`
        (disjoint, so the furthest end up to each one is its own end)."""
        return cls(named, _Named(*described, _always) if described else None)

    @property
    def has_descriptions(self) -> bool:
        return bool(self.desc.ms)

    def __bool__(self):
        return self.desc.lo < self.desc.hi or self.named.first() is not None

    def within(self, lo: int, hi: int) -> "_Pool":
        """The mentions starting in [lo, hi)."""
        d = self.desc
        return _Pool(self.named.within(lo, hi), d.within(lo, hi) if d.lo < d.hi else d)

    def first_before(self, at: int):
        """The first mention ending at or before ``at``."""
        d = self.desc  # (most sentences have no descriptions: not asked)
        return _first_of(self.named.first_before(at), d.first_before(at) if d.lo < d.hi else None)

    def last_before(self, at: int):
        """The last mention ending at or before ``at``."""
        d = self.desc
        return _last_of(self.named.last_before(at), d.last_before(at) if d.lo < d.hi else None)

    def around(self, start: int, end: int):
        """The first mention holding [start, end)."""
        d = self.desc
        return _first_of(self.named.around(start, end), d.around(start, end) if d.lo < d.hi else None)

    def first_from(self, at: int):
        """The first mention starting at or after ``at``."""
        d = self.desc
        return _first_of(self.named.first_from(at), d.first_from(at) if d.lo < d.hi else None)

    def closest(self, at: int):
        """The first of the mentions whose start is closest to ``at`` (the earlier start on a tie)."""
        d = self.desc
        a, b = self.named.closest(at), (d.closest(at) if d.lo < d.hi else None)
        if a is None or (b is not None and (abs(b.start - at), b.start) < (abs(a.start - at), a.start)):
            return b
        return a


class SubjectResolver:
    """The subject rules of data/claims.yaml for one catalogue.

    Examples
    --------
    >>> from loaders.catalogue import load_catalogue
    >>> from loaders.text import document_from_text
    >>> r = SubjectResolver(load_catalogue())
    >>> r.document_subjects(document_from_text("浦东。", "d", cluster="Shanghai (Pudong)"), [])
    ['shanghai']
    """

    def __init__(self, catalogue, source=None):
        from .quantities import _need, cue_pattern

        self.catalogue = catalogue
        source = source or catalogue.data_dir / "claims.yaml"
        subjects = _need(catalogue.claim_lexicon, "subjects", source)
        self.document_types, self.topic_types = (self._types_of_roles(subjects, key, source)
                                                 for key in ("document_roles", "topic_roles"))
        self.policy_types = set(catalogue.types_with("policy"))
        self.place_types = set(catalogue.types_with("place"))
        self.speaker_types = set(catalogue.types_with("organisation"))
        self.refer_back = cue_pattern(_need(subjects, "refer_back", source, "lexicon.subjects"))
        self.refer_back_sentences = int(subjects.get("refer_back_sentences", 1))
        self.refer_topic = cue_pattern(subjects.get("refer_back_topic") or [])
        heads = [fold(h) for h in subjects.get("anaphora_heads") or [] if h]
        # "the company", "该公司", "同社": the last entity of a role's types named before them
        self.role_heads = {fold(h): self._types_of(str(r), source, "anaphora_roles")
                           for h, r in (subjects.get("anaphora_roles") or {}).items()}
        heads += list(self.role_heads)
        self.heads = cue_pattern(heads) if heads else None
        self.source_before = re.compile(
            "(?:" + cue_pattern(_need(subjects, "source_before", source, "lexicon.subjects")).pattern
            + r")(?:\W{0,3}|\s+the\s+)$")
        self.source_after = re.compile(
            r"^\W{0,3}(?:" + cue_pattern(_need(subjects, "source_after", source, "lexicon.subjects")).pattern + ")")
        optional = lambda key: cue_pattern(subjects.get(key) or [])  # noqa: E731
        # "由A、B共同主导", "from investors such as A": the other party of a deal, not what its figures are about
        self.counterparty = optional("counterparty_before")
        # "这六家", "これら2社", "2社とも": a count of the names just listed, not of a place's or firm's whole
        self.listed_before, self.listed_after = optional("listed_before"), optional("listed_after")
        self.quote_verbs = optional("quote_verbs")  # "“…1亿元。”X公司…说": the speaker's figures
        self.quote_reach = int(subjects.get("quote_reach", 0))
        self.share_of = optional("share_of_before")  # "占北京市…的半壁江山": Beijing is the whole, not the subject
        # "同大会の出展企業は800社": the sentence is about an event (no entity): its figures are nobody's
        self.event_refs = optional("event_refs")
        # "A、B、C分别有13家、10家、8家": the i-th number is the i-th name's
        self.respectively, self.respectively_after = optional("respectively"), optional("respectively_after")
        joiners = cue_pattern(subjects.get("list_joiners") or [])
        # at most two joiners between names (", and"), matched in the folded text (the words are folded: ， is ,)
        self.list_joiner = re.compile(rf"\s*(?:{joiners.pattern})\s*(?:(?:{joiners.pattern})\s*)?") \
            if joiners else None
        self._names_ending: dict[tuple[str, str], bool] = {}
        self._places_of_policies: dict[str, str | None] = {}

    def _types_of(self, name: str, source, key: str) -> set[str]:
        """The node types of a schema role, or the one node type ``name`` is."""
        if name in self.catalogue.schema["roles"]:
            return set(self.catalogue.types_with(name))
        if name in self.catalogue.schema["node_types"]:
            return {name}
        raise InputError(f"{name!r} is neither a role nor a node type of data/schema.yaml", path=source,
                         field=f"lexicon.subjects.{key}")

    def _types_of_roles(self, section: dict, key: str, source) -> list[str]:
        from .quantities import _need

        roles = [str(r) for r in _need(section, key, source, "lexicon.subjects")]
        known = self.catalogue.schema["roles"]
        unknown = [r for r in roles if r not in known]
        if unknown:
            raise InputError(f"unknown role(s) {unknown}; roles of data/schema.yaml: {', '.join(known)}",
                             path=source, field=f"lexicon.subjects.{key}")
        return [t for r in roles for t in self.catalogue.types_with(r)]

    # ------------------------------------------------------------------------------------------------ documents
    def document_subjects(self, doc: Document, mentions: list[Mention], policy: str | None = None,
                          targets: bool = False) -> list[str]:
        """What ``doc`` is mainly about, best first.

        1. the entity its metadata ``about`` names (an id or a name in any script);
        2. its topic: the entity of the `topic_roles` (data/claims.yaml) it names at least twice and twice as often as
           any other (the firm of a funding story); a place counts only when it lies in the metadata's ``cluster``;
        3. the entity its metadata ``cluster`` names ("Shanghai (Baoshan, Minhang)" names Shanghai);
        4. its ``policy``, then the entities of the `document_roles` by how often it names them.

        With ``targets`` (for `subject: policy` metrics: a policy's own dates), a document without metadata puts its
        ``policy`` (the policy it names most) first. When the metadata names something this graph does not hold (a
        place no text mentioned), steps 3 and 4 are left out: nothing is guessed in its place.
        """
        subjects, meta_ok = self._document_subjects(doc, mentions, policy)
        if targets and policy in self.catalogue.entities and meta_ok is None:
            return list(dict.fromkeys([policy, *subjects]))
        return subjects

    def _document_subjects(self, doc: Document, mentions: list[Mention], policy: str | None
                           ) -> tuple[list[str], bool | None]:
        """:meth:`document_subjects` without ``targets``, and whether the metadata named what the graph holds (None
        when it names nothing)."""
        entities = self.catalogue.entities

        def ranked(types):
            counts = Counter(m.entity for m in mentions if entities.get(m.entity) and entities[m.entity].type in types)
            best = counts.most_common(2)
            dominant = best and best[0][1] >= 2 and (len(best) == 1 or best[0][1] >= 2 * best[1][1])
            return [eid for eid, _ in counts.most_common()], (best[0][0] if dominant else None)

        named, topic = ranked(self.document_types)[0], ranked(self.topic_types)[1]
        meta = {key: self._resolve_meta(str(doc.meta[key]).strip())
                for key in ("about", "cluster") if str(doc.meta.get(key) or "").strip()}
        out: list[str] = []
        if meta.get("about"):
            out.append(meta["about"])
        if topic and "cluster" in meta and entities[topic].type in self.place_types and \
                not (meta["cluster"] and self._within(topic, meta["cluster"])):
            topic = None  # another place than the one the document is filed under is not its topic
        if topic:
            out.append(topic)
        if None in meta.values():  # metadata names what this graph does not hold: guess nothing else
            return list(dict.fromkeys(out)), False
        if meta.get("cluster"):
            out.append(meta["cluster"])
        if policy in entities:
            out.append(policy)
        return list(dict.fromkeys(out + named)), (True if meta else None)

    def _within(self, eid: str, container: str, depth: int = 8) -> bool:
        """Whether ``eid`` is ``container`` or lies in it (its part_of / located_in chain)."""
        entities, seen, todo = self.catalogue.entities, set(), [eid]
        while todo and depth:
            depth -= 1
            nxt = []
            for e in todo:
                if e == container:
                    return True
                if e in seen or e not in entities:
                    continue
                seen.add(e)
                nxt += [f.target for f in (*entities[e].part_of, *entities[e].located_in)]
            todo = nxt
        return False

    def _resolve_meta(self, name: str) -> str | None:
        """The entity a metadata value names (catalogue names, then the gazetteer), if the graph holds it."""
        from .gazetteer import AmbiguousPlace, resolve_place

        entities = self.catalogue.entities
        for candidate in dict.fromkeys([name, name.split("(")[0].split("（")[0].strip()]):
            if not candidate:
                continue
            eid = self.catalogue.resolve(candidate, tuple(self.document_types))
            if eid:
                return eid
            try:
                eid = resolve_place(candidate, self.catalogue)
            except (AmbiguousPlace, InputError):
                eid = None
            if eid in entities:
                return eid
        return None

    def _not_subject(self, folded, start: int, end: int) -> bool:
        """Whether the mention at ``start:end`` is named as the source of a statement ("according to Xinhua",
        "据《明报》统计") or as the other party of a deal, after a counterparty cue in its clause
        ("由中国移动旗下基金、腾讯…共同主导")."""
        window = folded.span(max(0, start - 48), start).folded  # slices of the document's one fold
        if self.source_before.search(window) or self.source_after.match(folded.span(end, end + 12).folded):
            return True
        if self.counterparty and self.counterparty.search(window):
            cut = _LAST_BREAK.search(window)  # not ",": English lists investors with it
            return self.counterparty.search(window, cut.start() + 1 if cut else 0) is not None
        return False

    def _ends_with(self, eid: str, head: str) -> bool:
        """Whether one of the entity's names ends with ``head`` (folded): 上海马桥人工智能创新试验区 and 试验区."""
        key = (eid, head)
        hit = self._names_ending.get(key)
        if hit is None:
            e = self.catalogue.entities[eid]
            hit = self._names_ending[key] = any(fold(n).endswith(head) and fold(n) != head for n in e.all_names())
        return hit

    def context(self, doc: Document, mentions: list[Mention], policy: str | None = None) -> DocumentSubjects:
        """Everything :meth:`resolve` needs of one document, read once."""
        entities = self.catalogue.entities
        known = sorted((m for m in mentions if m.entity in entities), key=lambda m: m.start)
        by_sentence: dict[int, list[Mention]] = {}
        for m in known:
            by_sentence.setdefault(m.sentence, []).append(m)
        subjects, meta_ok = self._document_subjects(doc, mentions, policy)
        anchors: dict = {"nearest": subjects, "policy": list(dict.fromkeys([policy, *subjects]))
                         if policy in entities and meta_ok is None else subjects}
        about = self._resolve_meta(str(doc.meta["about"]).strip()) if doc.meta.get("about") else None
        anchors["about"] = about if about and entities[about].type in self.policy_types else None
        first = next((entities[e].type for e in subjects if e in entities), None)
        sources = _NotSubjects(self, doc.folded, {(m.start, m.end) for m in known})
        return DocumentSubjects(doc, by_sentence, anchors, sources,
                                first in self.place_types or first in self.policy_types)

    def _head_mentions(self, ctx: DocumentSubjects, head: str) -> tuple[list[int], list[Mention]]:
        """Mentions (sorted by end) of the entities whose name ends with ``head``, computed once per head."""
        got = ctx.heads.get(head)
        if got is None:
            named = {m.entity for ms in ctx.by_sentence.values() for m in ms}
            ending = {e for e in named if self._ends_with(e, head)}  # once per entity, not per mention
            ms = [m for ms in ctx.by_sentence.values() for m in ms if m.entity in ending]
            ms.sort(key=lambda m: m.end)
            got = ctx.heads[head] = ([m.end for m in ms], ms)
        return got

    def _role_mentions(self, ctx: DocumentSubjects, types: set[str]) -> tuple[list[int], list[Mention]]:
        """Mentions (sorted by end) of entities of ``types``, computed once per set of types."""
        key = "\0" + ",".join(sorted(types))
        got = ctx.heads.get(key)
        if got is None:
            entities = self.catalogue.entities
            named = {m.entity for ms in ctx.by_sentence.values() for m in ms}
            of_types = {e for e in named if entities[e].type in types}  # once per entity, not per mention
            ms = [m for ms in ctx.by_sentence.values() for m in ms if m.entity in of_types]
            ms.sort(key=lambda m: m.end)
            got = ctx.heads[key] = ([m.end for m in ms], ms)
        return got

    # ------------------------------------------------------------------------------------------------ claims
    def respective_order(self, text: str, quantities: list) -> list[tuple[int, int] | None]:
        """For each quantity of a folded sentence (in order; anything with ``start`` and ``end`` in ``text``),
        ``(at, i)`` when a "respectively" cue makes it the i-th of a series whose names are listed before ``at``
        (folded offset), else None: the numbers after "分别"/"それぞれ" up to the next such cue, or those before
        "respectively" back to the cue before it."""
        out: list[tuple[int, int] | None] = [None] * len(quantities)
        before = bool(self.respectively and self.respectively.search(text))
        after = bool(self.respectively_after and self.respectively_after.search(text))
        if not (before or after):
            return out
        starts, ends = [q.start for q in quantities], [q.end for q in quantities]
        if before:
            cues = list(self.respectively.finditer(text))
            for k, cue in enumerate(cues):
                nxt = cues[k + 1].start() if k + 1 < len(cues) else len(text)
                group = [j for j, s in enumerate(starts) if cue.end() <= s < nxt]
                for i, j in enumerate(group):
                    out[j] = (cue.start(), i)
        if after:
            prev = 0
            for cue in self.respectively_after.finditer(text):
                group = [j for j, (s, e) in enumerate(zip(starts, ends))
                         if prev <= s and e <= cue.start() and out[j] is None]
                for i, j in enumerate(group):
                    out[j] = (starts[group[0]], i)
                prev = cue.end()
        return out

    def _listed_names(self, ctx: DocumentSubjects, ms: list[Mention], at: int) -> list[Mention]:
        """The last list of two or more names among ``ms`` (one sentence's, sorted by start) that ends before
        ``at``: names joined only by list joiners ("上海、北京、深圳", "Beijing, Shanghai and Shenzhen")."""
        folded, run = ctx.doc.folded, []
        for m in reversed([m for m in ms if m.end <= at]):
            if run and m.end <= run[0].start and self.list_joiner and \
                    self.list_joiner.fullmatch(folded.span(m.end, run[0].start).folded):
                run.insert(0, m)
                continue
            if len(run) >= 2:
                break
            run = [m]
        return run if len(run) >= 2 else []

    def resolve(self, ctx: DocumentSubjects, spec: dict, span: tuple[int, int], clause: tuple[int, int], sent,
                cue_spans: list[tuple[int, int]], text: str, q_start: int, target: bool = False,
                cue_everywhere: list[tuple[int, int]] = (), order: tuple[int, int] | None = None
                ) -> tuple[list[str], str]:
        """(subject ids, subject_from) of one quantity by the rules of the module docstring.

        ``span`` and ``clause`` are offsets in the document; ``cue_spans`` the document spans of the metric's cues in
        the sentence (``cue_everywhere`` too: the spans all claims of the metric in this sentence share, one list for
        all of them, read once per sentence); ``text`` the folded sentence and ``q_start`` the quantity's start in it
        (for back-references); ``target`` whether the claim is a target; ``order`` (document offset, i) when the
        quantity is the i-th of a series a "respectively" cue ties to the names listed before that offset
        (:meth:`respective_order`).

        Each claim costs a pass over its sentence's entity mentions, not over the sentence: cue words and definite
        descriptions are found once per sentence and looked up by bisect.
        """
        entities = self.catalogue.entities
        doc = ctx.doc
        types = set(spec["subject_types"])
        mode = spec["subject"]
        start, end = span
        near_types = self.policy_types if mode == "policy" else types
        doc_types = types | self.policy_types if mode == "policy" else types
        sources = ctx.sources
        # a plan's targets are the place's whose plan it is: in a document about a place or a policy
        place_first = mode == "nearest" and bool(types & self.place_types) and ctx.about_place

        covered = self._covered(ctx, sent.index, cue_everywhere) if cue_everywhere else ()

        whole = self._share_whole(ctx, clause, start) if "share" in spec["kinds"] else None

        def ok(m):
            return not any(cs <= m.start and m.end <= ce for cs, ce in cue_spans) and (m.start, m.end) not in covered \
                and not sources[m.start, m.end] and not self._in_aside(ctx, m, start, sent.start) \
                and not (start <= m.start and m.end <= end and (m.start, m.end) != (start, end)) \
                and not (whole and whole <= m.start and m.end <= start)  # "U.S. dollars"; a share's whole

        def candidates(index, wanted) -> _Named:
            return _Named(*self._of_types(ctx, index, wanted), ok)

        def attached(ms):
            """A name that holds the number ("世界初の百万規模異種ロボットデータセット") or follows it as the counted
            or measured thing ("500 Walker S2 units", "100亿元的…投资基金"): at most a space, の or 的 between."""
            around = ms.around(start, end)
            if around:
                return around.entity
            after = ms.first_from(end)
            if after and after.start - end <= 2 and not doc.text[end:after.start].strip(" の的"):
                return after.entity
            return None

        def nearest(ms):
            # the subject of a sentence comes before its figures, unless the name is attached to the number
            got = attached(ms)
            if got:
                return got
            before = ms.last_before(start)
            if before:
                return before.entity
            return ms.closest(end).entity

        def pick(ms, where, places_only=target and place_first):
            """The step's answer: for a target, a place of the step first (the place whose plan it is)."""
            if places_only and not attached(ms):
                ms = _Pool.of(candidates(sent.index, named_types & self.place_types),
                              self._descriptions(ctx, sent, text, near_types, self.place_types)
                              if ms.has_descriptions else ())
                if not ms:
                    return None
            in_clause = ms.within(clause[0], clause[1])
            if in_clause:
                return [nearest(in_clause)], "clause"
            before = ms.first_before(start)
            if before and not refers_back:
                # no name in the clause: the sentence's topic, the first name before the number (unless "其中",
                # "of which" points at the nearest one: "浦东…，仅张江就集聚了…70余家，其中整机企业50余家")
                return [before.entity], where
            return [nearest(ms)], where

        refers_back = mode == "all" or self._said_before(ctx, "refer_back", sent.index, text, q_start)
        if mode != "all" and self._listed(text, q_start, doc.text, end):
            return [], NO_SUBJECT
        if mode == "nearest" and self.quote_verbs and self.speaker_types & types:
            speaker = self._speaker(ctx, sent, start, end, self.speaker_types & types)
            if speaker:
                return [speaker], "sentence"
        here, named_types = candidates(sent.index, near_types), near_types
        if order and mode == "nearest":
            names = self._listed_names(ctx, here.items(), order[0])
            if order[1] < len(names):
                m = names[order[1]]
                return [m.entity], "clause" if clause[0] <= m.start < clause[1] else "sentence"
        if mode == "policy" and here.first() is None:
            # no policy named here: the policy the document is about, else what the sentence names
            if ctx.anchors["about"]:
                return [ctx.anchors["about"]], "document"
            here, named_types = candidates(sent.index, types), types
        pool = _Pool.of(here, self._descriptions(ctx, sent, text, near_types)) if mode != "all" and self.heads \
            else _Pool(here)
        prev: _Named | None = None
        # "其中", "そのうち": part of the set just named (the last name); "这里", "the city": the place the sentence
        # before was about (its first name, or, when that sentence says "这里" too, the one before it)
        topic = self._said_before(ctx, "refer_topic", sent.index, text, q_start)
        has_pool = bool(pool)
        if refers_back and (mode == "all" or not has_pool):
            p = sent.index - 1
            while p >= 0 and sent.index - p <= max(1, self.refer_back_sentences if mode != "all" else 1):
                ps = doc.sentences[p]
                if ps.paragraph != sent.paragraph:
                    break
                prev = candidates(ps.index, near_types)
                first = prev.first()
                if first and not (topic and self._topic_before(ctx, ps, first.start)):
                    break
                prev = None
                p -= 1
        if mode == "all" and (has_pool or prev):
            # every name: as many as the claim's subjects, the one pass over the sentence's names this mode makes
            chosen = here.items() or prev.items()
            where = "previous_sentence" if not has_pool else \
                "clause" if all(clause[0] <= m.start < clause[1] for m in chosen) else "sentence"
            return list(dict.fromkeys(m.entity for m in chosen)), where
        if has_pool:
            got = pick(pool, "sentence")
            if got:
                return got
        if not pool.within(clause[0], clause[1]) and self._said_before(ctx, "event_refs", sent.index, text, q_start):
            return [], NO_SUBJECT  # "同大会の出展企業は800社": the event's figures
        if target and place_first:  # a plan's target: the place of a plan the sentence names ("《上海市…方案》")
            for m in candidates(sent.index, self.policy_types).items():
                place = self._policy_place(m.entity)
                if place and entities[place].type in types:
                    return [place], "sentence"
        if target and place_first:  # else the place the document is about before anyone else
            for eid in ctx.anchors["nearest"]:
                if entities.get(eid) and entities[eid].type in self.place_types and entities[eid].type in types:
                    return [eid], "document"
        if prev:
            return [(prev.first() if topic else prev.last()).entity], "previous_sentence"
        if has_pool:  # a target whose sentence names no place, nor does the document: what the sentence names
            return pick(pool, "sentence", places_only=False)
        if not target and spec.get("document", "always") == "targets":
            return [], NO_SUBJECT  # a fact about nothing the sentence names (a race's runners): no guess
        for eid in ctx.anchors["policy" if mode == "policy" else "nearest"]:
            if entities.get(eid) and entities[eid].type in doc_types:
                return [eid], "document"
        if target and place_first:  # no place anywhere: the plan that sets the target
            for eid in ctx.anchors["policy"]:
                if entities.get(eid) and entities[eid].type in self.policy_types:
                    return [eid], "document"
        return [], NO_SUBJECT

    def _speaker(self, ctx: DocumentSubjects, sent, start: int, end: int, types: set[str]) -> str | None:
        """The organisation that says the quotation holding ``start:end``: the first of ``types`` named within
        `quote_reach` characters after its closing quote and before a `quote_verbs` word, in the same paragraph.
        (The document's quotation marks and line breaks are found once and looked up by bisect.)"""
        text = ctx.doc.text
        if ctx.quotes is None:
            ctx.quotes = tuple([m.start() for m in re.finditer(p, text)] for p in ("[“「]", "[”」]", '"', "\n"))
        opens, closes, straight, breaks = ctx.quotes
        i = bisect_left(breaks, start)
        para_start = breaks[i - 1] + 1 if i else 0
        para_end = breaks[i] if i < len(breaks) else len(text)
        o, c = bisect_left(opens, start) - 1, bisect_left(closes, start) - 1
        if o >= 0 and opens[o] >= para_start and (c < 0 or closes[c] < opens[o]):
            k = bisect_left(closes, end)  # inside “…”: its closing mark
            close = closes[k] if k < len(closes) and closes[k] < para_end else -1
        elif (bisect_left(straight, start) - bisect_left(straight, para_start)) % 2:
            k = bisect_left(straight, end)  # inside "…"
            close = straight[k] if k < len(straight) and straight[k] < para_end else -1
        else:
            return None
        if close < 0:
            return None
        window_end = min(para_end, close + 1 + self.quote_reach)
        ft = ctx.doc.folded.span(close + 1, window_end)  # a slice of the document's one fold, mapped back below
        verb = self.quote_verbs.search(ft.folded)
        if not verb:
            return None
        limit = close + 1 + ft.to_original(verb.start(), verb.end())[0]
        entities = self.catalogue.entities
        index = sent.index
        while index < len(ctx.doc.sentences) and ctx.doc.sentences[index].start < limit:
            for m in ctx.by_sentence.get(index, []):
                if close < m.start and m.end <= limit and entities[m.entity].type in types \
                        and not ctx.sources[m.start, m.end]:
                    return m.entity
            index += 1
        return None

    def _share_whole(self, ctx: DocumentSubjects, clause: tuple[int, int], start: int) -> int | None:
        """Where the whole a share is of starts (document offset): after the last `share_of_before` cue ("占") of the
        clause before the share, if any."""
        if not self.share_of or start <= clause[0]:
            return None
        ft = ctx.doc.folded.span(clause[0], start)
        last = None
        for last in self.share_of.finditer(ft.folded):
            pass
        return clause[0] + ft.to_original(last.start(), last.end())[1] if last else None

    def _policy_place(self, eid: str) -> str | None:
        """The place a policy's name starts with (上海市具身智能产业发展实施方案: Shanghai), if the graph holds it."""
        if eid in self._places_of_policies:
            return self._places_of_policies[eid]
        from .gazetteer import AmbiguousPlace, resolve_place

        entities, found = self.catalogue.entities, None
        for name in self.catalogue.entities[eid].all_names():
            name = name.strip("《》「」『』\"“” ")
            words = name.split()
            # the longest leading part that names a place: characters in CJK names, words in Latin ones
            parts = [" ".join(words[:k]) for k in range(min(len(words), 4), 0, -1)] if len(words) > 1 else \
                [name[:k] for k in range(min(len(name) - 1, 12), 1, -1)]
            for part in parts:
                try:
                    place = resolve_place(part, self.catalogue)
                except (AmbiguousPlace, InputError):
                    place = None
                if place in entities and entities[place].type in self.place_types:
                    found = place
                    break
            if found:
                break
        self._places_of_policies[eid] = found
        return found

    def _listed(self, text: str, q_start: int, original: str, end: int) -> bool:
        """Whether a demonstrative right before the number ("这六家", "これら2社") or a word right after it
        ("2社とも") makes it a count of names just listed."""
        if self.listed_before:
            head = text[max(0, q_start - 6):q_start].rstrip()
            last = None
            for last in self.listed_before.finditer(head):
                pass
            if last and last.end() == len(head):
                return True
        return bool(self.listed_after and self.listed_after.match(fold(original[end:end + 6])))

    @staticmethod
    def _in_aside(ctx: DocumentSubjects, m: Mention, at: int, lo: int) -> bool:
        """Whether the mention lies in a bracketed aside that closes before the quantity at ``at``: "粤港澳大湾区
        （広州、…の9市と香港…）には7万7000社" counts the area's firms, not Hong Kong's. (The document's brackets are
        found once and looked up by bisect: no scan from the mention to each of the quantities after it.)"""
        if m.end > at:
            return False
        if ctx.brackets is None:
            text = ctx.doc.text
            ctx.brackets = tuple([x.start() for x in re.finditer(p, text)] for p in ("[)）＞>]", "[(（＜<]", "[)）]"))
        closes, opens, rounds = ctx.brackets
        i = bisect_left(closes, m.end)
        if i == len(closes) or closes[i] >= at:  # nothing closes between the mention and the quantity
            return False
        i = bisect_left(opens, m.start) - 1  # the last bracket opened before the mention, within the sentence
        if i < 0 or opens[i] < lo:
            return False
        k = bisect_left(rounds, opens[i])
        return k == len(rounds) or rounds[k] >= m.start  # and not closed before it

    def _said_before(self, ctx: DocumentSubjects, key: str, index: int, text: str, at: int) -> bool:
        """Whether the cue pattern ``self.<key>`` matches in the folded sentence ``text`` before ``at`` (as
        ``pattern.search(text, 0, at)`` does), from the sentence's first match, found once per sentence."""
        pattern = getattr(self, key)
        if not pattern:
            return False
        got = ctx.per_sentence.get((key, index), ctx)
        if got is ctx:
            got = ctx.per_sentence[(key, index)] = pattern.search(text)
        if got is not None and got.end() <= at:
            return True
        # No match before ``at`` in the whole sentence cannot become one in its head, except one ending right at
        # ``at`` that the letter there kept from being a whole word ("theyfive"); or a longer cue ran past ``at``.
        if (got is None or got.start() >= at) and not (at < len(text) and "a" <= text[at] <= "z"):
            return False
        return pattern.search(text, 0, at) is not None

    def _topic_before(self, ctx: DocumentSubjects, sent, at: int) -> bool:
        """Whether a topic back-reference ("这里") stands in sentence ``sent`` before ``at`` (once per sentence and
        offset)."""
        key = ("topic_before", sent.index, at)
        got = ctx.per_sentence.get(key)
        if got is None:
            got = ctx.per_sentence[key] = bool(self.refer_topic.search(fold(ctx.doc.text[sent.start:at])))
        return got

    def _covered(self, ctx: DocumentSubjects, index: int, spans: list[tuple[int, int]]) -> set[tuple[int, int]]:
        """The spans of sentence ``index``'s mentions that lie within one of ``spans`` (computed once per list)."""
        key = ("covered", index, id(spans))
        got = ctx.per_sentence.get(key)
        if got is None or got[0] is not spans:  # the list itself is kept, so its id is not reused meanwhile
            ordered = sorted(spans)
            starts, reach, far = [s for s, _ in ordered], [], -1
            for _, e in ordered:
                far = max(far, e)
                reach.append(far)  # the furthest end of the spans starting at or before each one
            out = set()
            for m in ctx.by_sentence.get(index, []):
                k = bisect_right(starts, m.start)
                if k and reach[k - 1] >= m.end:
                    out.add((m.start, m.end))
            got = ctx.per_sentence[key] = (spans, out)
        return got[1]

    def _of_types(self, ctx: DocumentSubjects, index: int, types: set[str]) -> tuple[list[Mention], list[int], list[int]]:
        """Sentence ``index``'s mentions of entities of ``types`` (sorted by start), their starts and the furthest
        end up to each one, once per sentence and set of types."""
        key = ("of_types", index, frozenset(types))
        got = ctx.per_sentence.get(key)
        if got is None:
            entities = self.catalogue.entities
            ms = [m for m in ctx.by_sentence.get(index, []) if entities[m.entity].type in types]
            reach, far = [], -1
            for m in ms:
                far = max(far, m.end)
                reach.append(far)
            got = ctx.per_sentence[key] = (ms, [m.start for m in ms], reach)
        return got

    def _descriptions(self, ctx: DocumentSubjects, sent, text: str, types: set[str], only: set[str] | None = None
                      ) -> tuple[list[Mention], list[int], list[int]]:
        """:meth:`_anaphora` of the sentence for ``types`` (those of ``only`` types if given), with their starts and
        ends, once per sentence."""
        key = ("descriptions", sent.index, frozenset(types), frozenset(only) if only is not None else None)
        got = ctx.per_sentence.get(key)
        if got is None:
            if only is None:
                ms = self._anaphora(ctx, sent, text, types)
            else:
                ms = [m for m in self._descriptions(ctx, sent, text, types)[0]
                      if self.catalogue.entities[m.entity].type in only]
            got = ctx.per_sentence[key] = (ms, [m.start for m in ms], [m.end for m in ms])
        return got

    def _anaphora(self, ctx: DocumentSubjects, sent, text: str, types: set[str]) -> list[Mention]:
        """Definite descriptions in the sentence ("试验区", "the zone") as mentions of the last entity of ``types``
        before them whose name ends with the same head noun."""
        out = []
        doc = ctx.doc
        found = ctx.head_words.get(sent.index)
        if found is None:  # the sentence's definite descriptions, found once per sentence
            found = ctx.head_words[sent.index] = []
            if self.heads.search(text):
                ft = doc.folded.span(sent.start, sent.end)
                for m in self.heads.finditer(text):
                    a, b = (sent.start + x for x in ft.to_original(m.start(), m.end()))
                    if not any(x.start <= a and b <= x.end for x in ctx.by_sentence.get(sent.index, [])):
                        found.append((a, b, m.group(0)))  # not part of a name the sentence states
        for a, b, head in found:
            role_types = self.role_heads.get(head)
            if role_types:  # "the company" of a story about a firm is that firm
                main = next((e for e in ctx.anchors["nearest"] if self.catalogue.entities[e].type in role_types
                             and self.catalogue.entities[e].type in types), None)
                if main:
                    out.append(Mention(main, doc.id, sent.index, a, b, doc.text[a:b]))
                    continue
            ends, ms = self._role_mentions(ctx, role_types) if role_types else self._head_mentions(ctx, head)
            i = bisect_right(ends, a)
            while i > 0:
                i -= 1
                hit = ms[i]
                if self.catalogue.entities[hit.entity].type in types and not ctx.sources[hit.start, hit.end]:
                    out.append(Mention(hit.entity, doc.id, sent.index, a, b, doc.text[a:b]))
                    break
        return out


__all__ = ["DocumentSubjects", "NO_SUBJECT", "SubjectResolver"]
