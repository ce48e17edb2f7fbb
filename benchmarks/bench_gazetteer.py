"""Gazetteer: load time and memory of data/gazetteer/, and the places step next to the catalogue's alias matcher.

    python benchmarks/bench_gazetteer.py          # or: python benchmarks/run.py --only gazetteer

The peer for finding places is the catalogue matcher every document already goes through (same texts, same
repetition). The places step is ``Places.merge`` as extraction runs it: the gazetteer's scan of about 52,000 names
(``ahocorasick_rs``), the context rules, towns, named zones, and the merge with the catalogue's mentions; measured per
language on the real corpus (``benchmarks/corpus/*.txt`` and ``seeds/*.txt``) repeated to about a megabyte, CPU
seconds, best of several runs (the machine is shared). Nothing is kept between runs that depends on the text: each
run starts from the catalogue's entities.
"""

from __future__ import annotations

import tracemalloc

from common import ROOT, Row, Timer

from graph.build import cyclic_gc_paused
from loaders import gazetteer
from loaders.catalogue import load_catalogue
from loaders.extract import alias_matcher
from loaders.fold import fold
from loaders.text import document_from_text

LOAD_TARGET_S = 0.3
PLACES_TARGET_MB_S = 15.0
RUNS = 5


def _language_text(lang: str, mb: float) -> str:
    files = sorted((ROOT / "benchmarks" / "corpus").glob(f"*.{lang}.txt")) + sorted((ROOT / "seeds").glob(f"*.{lang}.txt"))
    base = "\n\n".join(p.read_text(encoding="utf-8") for p in files) + "\n\n"
    return base * max(1, round(mb * 1e6 / len(base.encode())))


def run(scale: dict) -> list[Row]:
    catalogue = load_catalogue()
    fold("warm")  # the folding tables are shared with everything else; build them before timing
    data_dir = str(catalogue.data_dir)
    load = float("inf")
    for _ in range(3):  # best of three: CPU time on a shared machine still varies
        with Timer() as t_load:
            places = gazetteer._places_cached.__wrapped__(data_dir)
        load = min(load, t_load.cpu)
    tracemalloc.start()
    gazetteer._places_cached.__wrapped__(data_dir)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    with Timer() as t_automaton:
        places.matcher
    towns = len(places.places._towns)
    lazy = len(places.places._rows)  # small cities, made when first asked for like towns
    rows = [
        Row(f"gazetteer: load data/gazetteer/ ({len(places.places) + towns + lazy:,} places with {towns:,} towns "
            f"and {lazy:,} small cities, {len(places.index) + len(places.cue_index):,} names)", f"{load:.3f} s CPU (best of 3), peak {peak / 1e6:.1f} MB",
            f"< {LOAD_TARGET_S} s", load < LOAD_TARGET_S, peer="-"),
        Row("gazetteer: build its automaton (first document only)", f"{t_automaton.cpu:.3f} s CPU"),
    ]
    matcher = alias_matcher(catalogue)
    mb = scale.get("places_mb", max(0.25, scale.get("extract_mb", 2) / 2))  # MB of text per language
    for lang in ("zh", "ja", "en"):
        doc = document_from_text(_language_text(lang, mb), f"bench_{lang}", language=lang)
        doc.folded, doc.sentences  # reading the text is the reader's step, not this one
        size = len(doc.text.encode()) / 1e6
        best_peer = best_step = float("inf")
        with cyclic_gc_paused():  # as build_graph runs extraction
            for _ in range(RUNS):
                with Timer() as t_peer:
                    mentions = matcher.find(doc)
                with Timer() as t_step:
                    merged, added, _ = places.merge(doc, mentions, dict(catalogue.entities))
                best_peer, best_step = min(best_peer, t_peer.cpu), min(best_step, t_step.cpu)
        ours, peer = size / best_step, size / best_peer
        found = sum(1 for m in merged if m.entity in places.places or m.entity in places._back
                    or m.entity.startswith("ent_"))
        rows.append(Row(f"gazetteer: places step, {lang} real text (find, towns, zones, merge)",
                        f"{ours:.1f} MB/s ({found:,} place mentions in {size:.1f} MB)",
                        f">= {PLACES_TARGET_MB_S:.0f} MB/s", ours >= PLACES_TARGET_MB_S,
                        peer=f"the catalogue's alias matcher on the same text: {peer:.1f} MB/s "
                             f"(ratio {ours / peer:.2f})"))
    return rows


if __name__ == "__main__":
    for r in run({"extract_mb": 2}):
        print(" | ".join(r.cells()))
