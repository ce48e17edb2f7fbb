"""One extraction step per document: its mentions, relations and claims, each with typed evidence.

``build_graph`` only assembles what this returns into nodes and edges; the text is folded once per document
(:attr:`Document.folded`) and every extractor reads that fold.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

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


def alias_matcher(catalogue: Catalogue, entities: dict[str, Entity] | None = None) -> AliasMatcher:
    """The matcher for documents: organisations, places and the rest before segment names (earlier wins a clash)."""
    entities = catalogue.entities if entities is None else entities
    categories = set(catalogue.types_with("segment") + catalogue.types_with("stage"))
    ordered = [e for e in entities.values() if e.type not in categories]
    return AliasMatcher(ordered + _segment_entities(catalogue), catalogue.stop_phrases)


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
        mentions, places, unresolved = self.places.merge(doc, self.matcher.find(doc), self.catalogue.entities)
        self.relations.types.update((e.id, e.type) for e in places)
        policy = self.document_policy(doc, mentions)
        return DocumentRecords(doc, mentions, self.relations.extract(doc, mentions, policy),
                               self.claims.extract(doc, mentions, policy), policy, places, unresolved)


def extract_document(doc: Document, catalogue: Catalogue, entities: dict[str, Entity] | None = None
                     ) -> DocumentRecords:
    """Mentions, relations and claims of one document (build :class:`Extractors` once for many documents)."""
    return Extractors(catalogue, entities).extract(doc)
