"""Discovery (loaders/discover.py): extraction with open-world discovery, end to end, against the 10 MB/s target.

    python benchmarks/run.py --only discovery [--quick]
    python benchmarks/bench_discovery.py [--quick]

Two inputs: the synthetic documents of the extraction benchmark (every firm they name is in the synthetic roster, so
discovery should find next to nothing and mostly rejects trigger words), and the gold corpus of real press text in
benchmarks/corpus/ repeated to about 2 MB (far denser in firm names and trigger words). Each row times sentences +
alias matching + discovery, the way ``build_graph`` runs them, and names discovery's own share.
"""

from __future__ import annotations

import sys
from pathlib import Path

from common import SCALES, Row, Timer, synthetic_inputs

from graph.build import cyclic_gc_paused
from loaders.catalogue import load_catalogue
from loaders.discover import discover, known_places, load_discovery_rules
from loaders.extract import alias_matcher
from loaders.rosters import merge_rosters, read_roster
from loaders.text import document_from_text

CORPUS = Path(__file__).resolve().parent / "corpus"


def _timed(texts, catalogue, entities) -> tuple[float, float, float, int]:
    """Seconds for documents + matching, seconds for discovery, MB, entities discovered."""
    matcher = alias_matcher(catalogue, entities)
    with cyclic_gc_paused():  # as build_graph runs it
        with Timer() as t_prep:
            docs = [document_from_text(t, f"d{i}") for i, t in enumerate(texts)]
        with Timer() as t_match:
            known = {d.id: matcher.find(d) for d in docs}
        with Timer() as t_disc:
            found = discover(docs, catalogue, entities, known_mentions=known)
    mb = sum(len(t.encode()) for t in texts) / 1e6
    return t_prep.seconds + t_match.seconds, t_disc.seconds, mb, len(found.entities)


def _row(name: str, before: float, disc: float, mb: float, n: int, target: bool) -> Row:
    rate = mb / (before + disc)
    return Row(name, f"{rate:.1f} MB/s on {mb:.1f} MB (discovery alone {mb / disc:.1f} MB/s; {n} entities)",
               "≥ 10 MB/s" if target else "", rate >= 10 if target else None,
               peer=f"sentences + matching without discovery: {mb / before:.1f} MB/s")


def run(scale: dict) -> list[Row]:
    from synthetic import document_texts

    catalogue = load_catalogue()
    load_discovery_rules(catalogue.data_dir)
    known_places([], catalogue)  # the gazetteer is read once per process, as in a build
    roster, _ = synthetic_inputs(scale["extract_firms"], 0, scale["doc_bytes"])
    rows = read_roster(roster, catalogue)
    entities, _ = merge_rosters(catalogue, rows)
    n_docs = max(1, scale["extract_mb"] * 100)  # documents of about 10 kB
    texts = [t for _, t in document_texts([(r.name, r.name_zh) for r in rows], n_docs, 10_000, seed=11)]
    out = [_row("discovery: sentences + matching + discovery, synthetic text", *_timed(texts, catalogue, entities),
                target=True)]
    corpus = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    if corpus:
        reps = max(1, round(2e6 / sum(len(t.encode()) for t in corpus)))
        out.append(_row("discovery: sentences + matching + discovery, gold corpus (press text)",
                        *_timed(corpus * reps, catalogue, catalogue.entities), target=False))
    return out


if __name__ == "__main__":
    for r in run(SCALES["quick" if "--quick" in sys.argv else "full"]):
        print(" | ".join(r.cells()))
