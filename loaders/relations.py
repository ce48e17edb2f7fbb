"""Typed relations from sentences, by the rules of data/relations.yaml (see the comments there)."""

from __future__ import annotations

import re

from .quantities import phrase_pattern
from .records import Mention, Relation
from .text import Document, clause_bounds


class RelationExtractor:
    """Applies relation rules to the mentions of a document.

    Examples
    --------
    >>> from loaders.catalogue import load_catalogue
    >>> from loaders.matcher import AliasMatcher
    >>> from loaders.text import document_from_text
    >>> cat = load_catalogue()
    >>> doc = document_from_text("智元机器人、傅利叶等企业集聚张江。", "d")
    >>> mentions = AliasMatcher(cat.matchable_entities(), cat.stop_phrases).find(doc)
    >>> sorted((r.source, r.type, r.target) for r in RelationExtractor(cat).extract(doc, mentions))
    [('agibot', 'LOCATED_IN', 'zhangjiang'), ('fourier', 'LOCATED_IN', 'zhangjiang')]
    """

    def __init__(self, catalogue):
        self.catalogue = catalogue
        self.rules = [dict(r, cue_pattern=phrase_pattern(r["cues"])) for r in catalogue.relation_rules]
        self.clause_breaks = [re.compile(p) for p in catalogue.clause_breaks]
        self.types = {eid: e.type for eid, e in catalogue.entities.items()}  # once, not per document

    def extract(self, doc: Document, mentions: list[Mention], policy: str | None = None) -> list[Relation]:
        types = self.types
        by_sentence: dict[int, list[Mention]] = {}
        for m in mentions:
            if m.entity in types:
                by_sentence.setdefault(m.sentence, []).append(m)
        out: list[Relation] = []
        for sent in doc.sentences:
            ms = by_sentence.get(sent.index)
            if not ms or (len(ms) < 2 and not policy):
                continue
            ft = doc.folded.span(sent.start, sent.end)
            clause_spans = [tuple(sent.start + x for x in ft.to_original(a, b)) for a, b in clause_bounds(ft.folded, self.clause_breaks)]
            scoped: dict[tuple[int, int], tuple[list[Mention], str]] = {}  # per scope, for all the rules
            for rule in self.rules:
                scopes = clause_spans if rule["scope"] == "clause" else [(sent.start, sent.end)]
                for lo, hi in scopes:
                    if (lo, hi) not in scoped:
                        local = [m for m in ms if lo <= m.start < hi]
                        scoped[lo, hi] = (local, doc.folded.span(lo, hi).folded if local else "")
                    local, folded = scoped[lo, hi]
                    if not local:
                        continue
                    if not rule["cue_pattern"] or not rule["cue_pattern"].search(folded):
                        continue
                    evidence = doc.evidence(lo, hi)
                    for src, tgt in self._pairs(rule, local, types, policy):
                        out.append(Relation(src, rule["type"], tgt, "rule", evidence=[evidence],
                                            attrs={"rule": rule["id"]}))
        return out

    @staticmethod
    def _pairs(rule: dict, local: list[Mention], types: dict, policy: str | None):
        targets = [m for m in local if types[m.entity] in rule["target_types"]]
        if rule.get("source") == "document_policy":
            if policy:
                for t in dict.fromkeys(m.entity for m in targets):
                    yield policy, t
            return
        sources = [m for m in local if types[m.entity] in rule["source_types"]]
        if not sources or not targets:
            return
        anchor_is_source = rule["anchor"] == "source"
        anchors, others = (sources, targets) if anchor_is_source else (targets, sources)
        other_types = rule["target_types"] if anchor_is_source else rule["source_types"]
        seen = set()
        for a in anchors:
            def allowed(o: Mention) -> bool:
                if o.entity == a.entity:
                    return False
                s, t = (a, o) if anchor_is_source else (o, a)
                if rule["order"] == "source_first":
                    return s.start < t.start
                if rule["order"] == "target_first":
                    return t.start < s.start
                return True

            candidates = [o for o in others if allowed(o)]
            for typ in other_types:  # the first listed type with a candidate wins
                typed = [o for o in candidates if types[o.entity] == typ]
                if typed:
                    best = min(typed, key=lambda o: max(0, o.start - a.end, a.start - o.end))
                    pair = (a.entity, best.entity) if anchor_is_source else (best.entity, a.entity)
                    if pair not in seen:
                        seen.add(pair)
                        yield pair
                    break
