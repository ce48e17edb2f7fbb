"""Relations: the sentence filter (types, then cue words) drops only sentences where no rule could fire."""

import random

import pytest

from loaders.catalogue import load_catalogue
from loaders.extract import Extractors, mentions_by_sentence
from loaders.paths import SEEDS_DIR
from loaders.relations import RelationExtractor
from loaders.text import clause_bounds, load_document


def _every_rule_everywhere(rx: RelationExtractor, doc, mentions, policy):
    """The rules applied to every sentence and scope with no filter (the definition in data/relations.yaml)."""
    by_sentence = {}
    for m in mentions:
        if m.entity in rx.types:
            by_sentence.setdefault(m.sentence, []).append(m)
    out = []
    for sent in doc.sentences:
        ms = by_sentence.get(sent.index)
        if not ms or (len(ms) < 2 and not policy):
            continue
        ft = doc.folded.span(sent.start, sent.end)
        clauses = [tuple(sent.start + x for x in ft.to_original(a, b))
                   for a, b in clause_bounds(ft.folded, rx.clause_breaks)]
        for rule in rx.rules:
            for lo, hi in clauses if rule["scope"] == "clause" else [(sent.start, sent.end)]:
                local = [m for m in ms if lo <= m.start < hi]
                if local and rule["cue_pattern"] and rule["cue_pattern"].search(doc.folded.span(lo, hi).folded):
                    out += [(s, rule["type"], t, rule["id"], lo, hi)
                            for s, t in rx._pairs(rule, local, rx.types, policy)]
    return out


def _documents():
    corpus = SEEDS_DIR.parent / "benchmarks" / "corpus"
    return [load_document(p) for p in sorted(SEEDS_DIR.glob("*.txt")) + sorted(corpus.glob("*.txt"))]


def test_filtered_relations_equal_every_rule_applied_everywhere():
    ex = Extractors(load_catalogue())
    total = 0
    for doc in _documents():
        mentions, places, _ = ex.places.merge(doc, ex.matcher.find(doc), ex.catalogue.entities)
        ex.relations.types.update((e.id, e.type) for e in places)
        policy = ex.document_policy(doc, mentions)
        got = [(r.source, r.type, r.target, r.attrs["rule"], r.evidence[0].start, r.evidence[0].end)
               for r in ex.relations.extract(doc, mentions, policy)]
        assert got == _every_rule_everywhere(ex.relations, doc, mentions, policy), doc.id
        shuffled = random.Random(7).sample(mentions, len(mentions))  # any order of mentions, same relations
        assert [(r.source, r.target) for r in ex.relations.extract(doc, shuffled, policy,
                                                                   by_sentence=mentions_by_sentence(mentions))] == \
            [(s, t) for s, _, t, *_ in got]
        total += len(got)
    assert total > 20  # the texts do state relations


@pytest.mark.parametrize("text", ["智元机器人、傅利叶等企业集聚张江。", "AgiBot is based in Zhangjiang; Fourier too."])
def test_a_rule_without_its_cue_word_finds_nothing(text):
    from loaders.text import document_from_text

    ex = Extractors(load_catalogue())
    doc = document_from_text(text, "d")
    assert ex.extract(doc).relations  # with the cue
    bare = document_from_text(text.replace("集聚", "和").replace("based in", "and"), "d")
    assert not ex.extract(bare).relations
