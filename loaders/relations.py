"""Typed relations from sentences, by the rules of data/relations.yaml (see the comments there)."""

from __future__ import annotations

import re

import ahocorasick

from .fold import fold
from .quantities import phrase_pattern
from .records import Evidence, Mention, Relation
from .text import Document, clause_bounds


_NO_BITS = (0, 0)


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
        self.clause_breaks = tuple(re.compile(p) for p in catalogue.clause_breaks)
        self.types = {eid: e.type for eid, e in catalogue.entities.items()}  # once, not per document
        # Rule i is bit i. A sentence is read clause by clause only for the rules whose source and target types it
        # names and one of whose cue words it contains: most sentences need none, and skipping them is what makes
        # extraction fast (the rules themselves run unchanged on the rest).
        self._source_bits: dict[str, int] = {}
        self._target_bits: dict[str, int] = {}
        self._policy_bits = 0
        self._clause_bits = 0
        for i, rule in enumerate(self.rules):
            bit = 1 << i
            if rule.get("source") == "document_policy":
                self._policy_bits |= bit
            for t in rule["source_types"]:
                self._source_bits[t] = self._source_bits.get(t, 0) | bit
            for t in rule["target_types"]:
                self._target_bits[t] = self._target_bits.get(t, 0) | bit
            if rule["scope"] == "clause":
                self._clause_bits |= bit
        self._cue_words = _cue_word_automaton(self.rules)
        self._type_bits = {t: (self._source_bits.get(t, 0), self._target_bits.get(t, 0))  # one lookup per mention
                           for t in {*self._source_bits, *self._target_bits}}

    def extract(self, doc: Document, mentions: list[Mention], policy: str | None = None,
                by_sentence: dict[int, list[Mention]] | None = None) -> list[Relation]:
        """The relations the rules find in ``doc``. ``by_sentence``: ``mentions`` by sentence index, if the caller
        has them already (:func:`loaders.extract.mentions_by_sentence`)."""
        types = self.types
        type_bits = self._type_bits
        if by_sentence is None:
            by_sentence = {}
            for m in mentions:
                by_sentence.setdefault(m.sentence, []).append(m)
        out: list[Relation] = []
        if self._cue_words is None:  # no rule has a cue
            return out
        policy_bits = self._policy_bits if policy else 0
        non_policy = ~self._policy_bits
        sentences = doc.sentences
        for index, ms in sorted(by_sentence.items()):  # in text order, whatever order the mentions came in
            if len(ms) < 2 and not policy:
                continue
            src = tgt = 0
            known = True
            for m in ms:
                t = types.get(m.entity)
                if t is None:  # an entity without a type (none in a build) takes no part
                    known = False
                    continue
                s, g = type_bits.get(t, _NO_BITS)
                src |= s
                tgt |= g
            if not known:
                ms = [m for m in ms if m.entity in types]
                if len(ms) < 2 and not policy:
                    continue
            wanted = (src & tgt & non_policy) | (tgt & policy_bits)
            if wanted:
                self._sentence(doc, sentences[index], ms, wanted, policy, out)
        return out

    def _sentence(self, doc: Document, sent, ms: list[Mention], wanted: int, policy, out: list[Relation]) -> None:
        """The rules in ``wanted`` (bits) on one sentence, appending their relations to ``out`` in rule order."""
        start = sent.start
        whole_fold = doc.folded
        if whole_fold.is_identity:  # the sentence's fold is a slice of the document's (no FoldedText per sentence)
            sentence_fold, to_original = whole_fold.folded[start:sent.end], None
        else:
            ft = whole_fold.span(start, sent.end)
            sentence_fold, to_original = ft.folded, None if ft.is_identity else ft.to_original
        # Where the first word of a cue occurs (all occurrences, as original offsets): a cue matches only there.
        hits = []
        cue_bits = 0
        for last, (length, bits, whole) in self._cue_words.iter(sentence_fold):
            if bits & wanted:
                if to_original is None:
                    hits.append((start + last - length + 1, start + last + 1, bits, whole))
                else:
                    a, b = to_original(last - length + 1, last + 1)
                    hits.append((start + a, start + b, bits, whole))
                cue_bits |= bits
        wanted &= cue_bits
        if not wanted:
            return
        types = self.types
        # per scope kind: (lo, hi, bits of the rules a cue word inside may start a cue of, and of those it is a cue of)
        scopes: dict[str, list[tuple[int, int, int, int]]] = {}
        if wanted & self._clause_bits:
            bounds = clause_bounds(sentence_fold, self.clause_breaks)
            spans = [(start + a, start + b) for a, b in bounds] if to_original is None else \
                [(start + a, start + b) for a, b in (to_original(*ab) for ab in bounds)]
            scopes["clause"] = [(lo, hi, *_bits_within(hits, lo, hi)) for lo, hi in spans]
        if wanted & ~self._clause_bits:
            scopes["sentence"] = [(start, sent.end, *_bits_within(hits, start, sent.end))]
        scoped: dict[tuple[int, int], tuple[list[Mention], str]] = {}  # per scope, for all the rules
        doc_id, text = doc.id, doc.text
        for i, rule in enumerate(self.rules):
            bit = 1 << i
            if not wanted & bit:
                continue
            for lo, hi, bits, whole in scopes[rule["scope"]]:
                if not bits & bit:
                    continue
                if (lo, hi) not in scoped:
                    local = [m for m in ms if lo <= m.start < hi]
                    if not local:
                        folded = ""
                    elif to_original is None:  # the sentence's fold is one for one: the scope's is a slice of it
                        folded = sentence_fold[lo - start:hi - start]
                    else:
                        folded = doc.folded.span(lo, hi).folded
                    scoped[lo, hi] = (local, folded)
                local, folded = scoped[lo, hi]
                if not local:
                    continue
                if not whole & bit and not rule["cue_pattern"].search(folded):  # a phrase: its other words
                    continue
                evidence = None  # made for the first pair: most scopes give none
                for src, tgt in self._pairs(rule, local, types, policy):
                    if evidence is None:
                        evidence = Evidence(doc_id, sent.index, lo, hi, text[lo:hi])  # doc.evidence(lo, hi)
                    out.append(Relation(src, rule["type"], tgt, "rule", evidence=[evidence],
                                        attrs={"rule": rule["id"]}))

    @staticmethod
    def _pairs(rule: dict, local: list[Mention], types: dict, policy: str | None):
        target_types = rule["target_types"]
        typed_local = [(m, types[m.entity]) for m in local]
        targets = [m for m, t in typed_local if t in target_types]
        if rule.get("source") == "document_policy":
            if policy:
                for t in dict.fromkeys(m.entity for m in targets):
                    yield policy, t
            return
        source_types = rule["source_types"]
        sources = [m for m, t in typed_local if t in source_types]
        if not sources or not targets:
            return
        anchor_is_source = rule["anchor"] == "source"
        anchors, others = (sources, targets) if anchor_is_source else (targets, sources)
        other_types = target_types if anchor_is_source else source_types
        seen = set()
        order = rule["order"]
        after = (order == "source_first") == anchor_is_source  # the other side comes after the anchor
        for a in anchors:
            ae, a_start, a_end = a.entity, a.start, a.end
            # the nearest allowed mention of the first listed type that has one (the first of equals in text order)
            best = best_rank = best_gap = None
            for o in others:
                oe, o_start = o.entity, o.start
                if oe == ae or (order != "any" and (a_start >= o_start if after else o_start >= a_start)):
                    continue
                rank = other_types.index(types[oe])
                gap = max(0, o_start - a_end, a_start - o.end)
                if best is None or rank < best_rank or (rank == best_rank and gap < best_gap):
                    best, best_rank, best_gap = o, rank, gap
            if best is not None:
                pair = (ae, best.entity) if anchor_is_source else (best.entity, ae)
                if pair not in seen:
                    seen.add(pair)
                    yield pair

def _cue_word_automaton(rules: list[dict]):
    """An Aho-Corasick automaton of the first word of every folded cue, each giving (length, bits of the rules it
    starts a cue of, bits of the rules it is a whole cue of); None when no rule has a cue.

    A cue is a phrase whose words match with any white space between them (:func:`phrase_pattern`), so its first word
    always occurs as it is where the cue matches."""
    words: dict[str, list[int]] = {}
    for i, rule in enumerate(rules):
        for cue in rule["cues"]:
            parts = fold(cue).split() if cue else []
            if parts:
                bits = words.setdefault(parts[0], [0, 0])
                bits[0] |= 1 << i
                if len(parts) == 1:  # the word is the whole cue: where it occurs, the rule's pattern matches
                    bits[1] |= 1 << i
    if not words:
        return None
    automaton = ahocorasick.Automaton()
    for word, (bits, whole) in words.items():
        automaton.add_word(word, (len(word), bits, whole))
    automaton.make_automaton()
    return automaton


def _bits_within(hits: list[tuple[int, int, int, int]], lo: int, hi: int) -> tuple[int, int]:
    """The rule bits of the cue words lying wholly inside ``[lo, hi)``: of the rules one of whose cues they start, and
    of the rules one of whose cues they are."""
    bits = whole = 0
    for s, e, b, w in hits:
        if lo <= s and e <= hi:
            bits |= b
            whole |= w
    return bits, whole
