"""One extraction step per document: its mentions, relations and claims, each with typed evidence.

``build_graph`` only assembles what this returns into nodes and edges; the text is folded once per document
(:attr:`Document.folded`) and every extractor reads that fold.
"""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from time import process_time

from .catalogue import Catalogue
from .gazetteer import places_for
from .matcher import AliasMatcher
from .quantities import ClaimExtractor
from .records import Claim, Entity, Mention, Relation
from .relations import RelationExtractor
from .text import Document


@dataclass(frozen=True)
class DocumentRecords:
    """What one document states: entity mentions, typed relations, claims, and the policy it is about."""

    doc: Document
    mentions: list[Mention]
    relations: list[Relation]
    claims: list[Claim]
    policy: str | None
    places: list[Entity] = field(default_factory=list)  # gazetteer places this document is the first to name
    unresolved_places: list[dict] = field(default_factory=list)  # names several places share, with candidates


def with_entities(catalogue: Catalogue, entities: dict[str, Entity]) -> Catalogue:
    """The catalogue seen with roster entities added (extractors look entity types up in it)."""
    return replace(catalogue, entities=entities, _alias_index=None, _typed_index=None)


def alias_matcher(catalogue: Catalogue, entities: dict[str, Entity] | None = None,
                  documents: list[Document] | None = None) -> AliasMatcher:
    """The matcher for documents: organisations, places and the rest before segment names (earlier wins a clash).
    ``documents``: when only these will be searched, the automaton keeps just what bears on them (same mentions;
    see :class:`AliasMatcher` ``texts``)."""
    entities = catalogue.entities if entities is None else entities
    categories = set(catalogue.types_with("segment") + catalogue.types_with("stage"))
    ordered = [e for e in entities.values() if e.type not in categories]
    texts = None if documents is None else [d.folded.folded for d in documents]
    return AliasMatcher(ordered + _segment_entities(catalogue), catalogue.stop_phrases, texts)


def _segment_entities(catalogue: Catalogue) -> list[Entity]:
    seg_types = set(catalogue.types_with("segment"))
    return [e for e in catalogue.matchable_entities() if e.type in seg_types]


def extend_matcher(matcher: AliasMatcher, catalogue: Catalogue, added: list[Entity]) -> AliasMatcher:
    """``alias_matcher(catalogue, {**entities, **added})`` from ``matcher = alias_matcher(catalogue, entities)``: the
    added entities (organisations, products, policies) come after the others and before the segment names, as
    there. Changes and returns ``matcher``."""
    matcher.add(added, before={e.id for e in _segment_entities(catalogue)})
    return matcher


class Extractors:
    """The matcher, relation and claim extractors for a catalogue (plus roster entities), built once per build.

    Examples
    --------
    >>> from loaders import load_catalogue, document_from_text
    >>> ex = Extractors(load_catalogue())
    >>> recs = ex.extract(document_from_text("智元机器人、傅利叶等企业集聚张江。", "d"))
    >>> sorted({m.entity for m in recs.mentions})
    ['agibot', 'fourier', 'zhangjiang']
    """

    def __init__(self, catalogue: Catalogue, entities: dict[str, Entity] | None = None,
                 matcher: AliasMatcher | None = None):
        # Places a document names join the entities as it is read: never the cached catalogue's own dict.
        seen = with_entities(catalogue, dict(catalogue.entities) if entities is None else entities)
        self.catalogue = seen
        self.policy_types = set(catalogue.types_with("policy"))
        # ``matcher``: one already built for these entities (alias_matcher, extend_matcher), not built again
        self.matcher = alias_matcher(catalogue, seen.entities) if matcher is None else matcher
        self.relations = RelationExtractor(seen)
        self.claims = ClaimExtractor(seen)
        self.places = places_for(catalogue)

    def document_policy(self, doc: Document, mentions: list[Mention]) -> str | None:
        """The policy a document is about: its metadata ``about``, else the policy it names most."""
        entities = self.catalogue.entities
        about = doc.meta.get("about")
        if about in entities and entities[about].type in self.policy_types:
            return about
        counts = Counter(m.entity for m in mentions)
        policies = [(n, eid) for eid, n in counts.items() if eid in entities
                    and entities[eid].type in self.policy_types]
        return max(policies)[1] if policies else None

    def extract(self, doc: Document) -> DocumentRecords:
        lap = _lap_timer()  # None unless a stage_clock() block is open (benchmarks)
        doc.folded  # the fold every step reads, made here unless an earlier step (discovery) made it
        if lap:
            lap("fold")
        found = self.matcher.find(doc)
        if lap:
            lap("match")
        mentions, places, unresolved = self.places.merge(doc, found, self.catalogue.entities)
        self.relations.types.update((e.id, e.type) for e in places)
        policy = self.document_policy(doc, mentions)
        by_sentence = mentions_by_sentence(mentions)
        if lap:
            lap("places")
        relations = self.relations.extract(doc, mentions, policy, by_sentence=by_sentence)
        if lap:
            lap("relations")
        claims = self.claims.extract(doc, mentions, policy)
        if lap:
            lap("claims")
        return DocumentRecords(doc, mentions, relations, claims, policy, places, unresolved)


def mentions_by_sentence(mentions: list[Mention]) -> dict[int, list[Mention]]:
    """Sentence index -> its mentions (in the order given), built once per document for the steps that read
    sentence by sentence.

    Examples
    --------
    >>> from loaders.records import Mention
    >>> sorted(mentions_by_sentence([Mention("a", "d", 0, 0, 1, "A"), Mention("b", "d", 2, 9, 10, "B")]))
    [0, 2]
    """
    by_sentence: dict[int, list[Mention]] = {}
    for m in mentions:
        by_sentence.setdefault(m.sentence, []).append(m)
    return by_sentence


# --------------------------------------------------------------------------------------- where the CPU time goes
_CLOCKS: list[dict[str, float]] = []


@contextmanager
def stage_clock():
    """Within the block, the CPU seconds (``time.process_time``) of each step of every build and extraction:
    ``{"read": s, "discovery": s, "fold": s, "match": s, "places": s, "relations": s, "claims": s, ...}``, summed over
    documents. The benchmarks print it so that what remains slow is visible; outside such a block nothing is timed.

    Examples
    --------
    >>> from loaders import load_catalogue, document_from_text
    >>> ex = Extractors(load_catalogue())
    >>> with stage_clock() as seconds:
    ...     _ = ex.extract(document_from_text("智元机器人集聚张江。", "d"))
    >>> sorted(seconds)
    ['claims', 'fold', 'match', 'places', 'relations']
    """
    seconds: dict[str, float] = {}
    _CLOCKS.append(seconds)
    try:
        yield seconds
    finally:
        _CLOCKS.remove(seconds)


@contextmanager
def timed(stage: str):
    """Count the CPU seconds of the block under ``stage`` in every open :func:`stage_clock`."""
    if not _CLOCKS:
        yield
        return
    start = process_time()
    try:
        yield
    finally:
        _add(stage, process_time() - start)


def _add(stage: str, seconds: float) -> None:
    for clock in _CLOCKS:
        clock[stage] = clock.get(stage, 0.0) + seconds


def _lap_timer():
    """``lap(stage)``: count the CPU seconds since the previous lap under ``stage``; None when nothing is timed."""
    if not _CLOCKS:
        return None
    last = [process_time()]

    def lap(stage: str) -> None:
        now = process_time()
        _add(stage, now - last[0])
        last[0] = now

    return lap


def extract_document(doc: Document, catalogue: Catalogue, entities: dict[str, Entity] | None = None
                     ) -> DocumentRecords:
    """Mentions, relations and claims of one document (build :class:`Extractors` once for many documents)."""
    return Extractors(catalogue, entities).extract(doc)
