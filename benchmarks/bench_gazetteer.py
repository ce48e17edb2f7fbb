"""Gazetteer: load time and memory of data/gazetteer/, and place finding next to the catalogue's alias matcher.

    python benchmarks/bench_gazetteer.py          # or: python benchmarks/run.py --only gazetteer

The peer for finding places is the catalogue matcher every document already goes through (same texts, same
``AliasMatcher``); the gazetteer adds its own automaton of about 15,000 names plus the context rules.
"""

from __future__ import annotations

import tracemalloc

from common import ROOT, Row, Timer

from loaders import gazetteer
from loaders.catalogue import load_catalogue
from loaders.extract import alias_matcher
from loaders.fold import fold
from loaders.text import load_document

LOAD_TARGET_S = 0.3


def run(scale: dict) -> list[Row]:
    catalogue = load_catalogue()
    fold("warm")  # the folding tables are shared with everything else; build them before timing
    data_dir = str(catalogue.data_dir)
    with Timer() as t_load:
        places = gazetteer._places_cached.__wrapped__(data_dir)
    tracemalloc.start()
    gazetteer._places_cached.__wrapped__(data_dir)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    with Timer() as t_automaton:
        places.matcher

    corpus = sorted((ROOT / "benchmarks" / "corpus").glob("*.txt")) + sorted((ROOT / "seeds").glob("*.txt"))
    base = [load_document(p) for p in corpus]
    want = max(1, scale.get("extract_mb", 2)) * 1e6 / 10  # a tenth of the extraction benchmark's volume
    docs, size = [], 0
    while size < want:
        for d in base:
            docs.append(d)
            size += len(d.text.encode())
    size_mb = size / 1e6
    matcher = alias_matcher(catalogue)
    with Timer() as t_catalogue:
        for d in docs:
            matcher.find(d)
    with Timer() as t_places:
        found = sum(len(places.find(d).mentions) for d in docs)
    ours, peer = size_mb / t_places.cpu, size_mb / t_catalogue.cpu  # CPU seconds: the machine is shared
    return [
        Row("gazetteer: load data/gazetteer/ (3,900 places, 15,000 names)",
            f"{t_load.cpu:.3f} s CPU, peak {peak / 1e6:.1f} MB", f"< {LOAD_TARGET_S} s", t_load.cpu < LOAD_TARGET_S,
            peer="-"),
        Row("gazetteer: build its automaton (first document only)", f"{t_automaton.cpu:.3f} s CPU"),
        Row("gazetteer: find places (corpus texts, zh/ja/en)", f"{ours:.2f} MB/s ({found:,} places in {size_mb:.1f} MB)",
            peer=f"the catalogue's alias matcher on the same texts: {peer:.2f} MB/s (ratio {ours / peer:.2f})"),
    ]


if __name__ == "__main__":
    for r in run({"extract_mb": 2}):
        print(" | ".join(r.cells()))
