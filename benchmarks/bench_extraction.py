"""Extraction: alias matching throughput with 10,000+ aliases, next to a Python ``re`` alternation of every alias."""

from __future__ import annotations

import re

from common import Row, Timer, synthetic_inputs

from graph.build import cyclic_gc_paused
from loaders.extract import alias_matcher
from loaders.catalogue import load_catalogue
from loaders.rosters import merge_rosters, read_roster
from loaders.text import document_from_text


def run(scale: dict) -> list[Row]:
    roster, _ = synthetic_inputs(scale["extract_firms"], 0, scale["doc_bytes"])
    from synthetic import document_texts

    catalogue = load_catalogue()
    rows = read_roster(roster, catalogue)
    entities, _ = merge_rosters(catalogue, rows)
    with Timer() as t_build:
        matcher = alias_matcher(catalogue, entities)
    aliases = list(matcher.owner)

    n_docs = max(1, scale["extract_mb"] * 100)  # documents of about 10 kB
    texts = [t for _, t in document_texts([(r.name, r.name_zh) for r in rows], n_docs, 10_000, seed=11)]
    size_mb = sum(len(t.encode()) for t in texts) / 1e6

    with cyclic_gc_paused():  # as build_graph runs it
        with Timer() as t_prepare:
            docs = [document_from_text(t, f"d{i}") for i, t in enumerate(texts)]
        with Timer() as t_match:
            known = {d.id: matcher.find(d) for d in docs}
        mentions = sum(len(ms) for ms in known.values())
        discovery = _discovery_rows(docs, catalogue, entities, known, size_mb, t_prepare.seconds + t_match.seconds)
    ours = size_mb / t_match.seconds
    end_to_end = size_mb / (t_prepare.seconds + t_match.seconds)

    # The naive baseline: one alternation of every alias (longest first), case-insensitive, on the raw text.
    with Timer() as t_compile:
        pattern = re.compile("|".join(re.escape(a) for a in sorted(aliases, key=len, reverse=True)), re.I)
    sample, budget = [], scale["baseline_kb"] * 1000
    for t in texts:
        if budget <= 0:
            break
        sample.append(t)
        budget -= len(t.encode())
    sample_mb = sum(len(t.encode()) for t in sample) / 1e6
    with Timer() as t_re:
        baseline_hits = sum(1 for t in sample for _ in pattern.finditer(t))
    baseline = sample_mb / t_re.seconds
    return [
        Row("extraction: aliases in the automaton", f"{len(aliases):,} (built in {t_build.seconds:.2f} s)",
            "≥ 10,000", len(aliases) >= 10_000),
        Row("extraction: alias matching (fold + automaton + word boundaries + mention records)",
            f"{ours:.1f} MB/s on {size_mb:.1f} MB ({mentions / size_mb / 1000:.1f} mentions per kB)", "≥ 20 MB/s",
            ours >= 20),
        Row("extraction: end to end (+ sentence splitting and language detection)", f"{end_to_end:.1f} MB/s"),
        Row("extraction: re alternation baseline", f"{baseline:.2f} MB/s on {sample_mb * 1000:.0f} kB "
            f"({baseline_hits:,} hits; compile {t_compile.seconds:.1f} s)"),
        Row("extraction: ours ÷ baseline", f"{ours / baseline:.0f}×", "≥ 10×", ours / baseline >= 10),
        *discovery,
    ]


def _discovery_rows(docs, catalogue, entities, known, size_mb, seconds_before) -> list[Row]:
    """Open-world discovery (loaders/discover.py) on the same documents, after matching, and on the gold corpus
    (benchmarks/corpus/, repeated to about 2 MB: real press text, far denser in firm names than the synthetic one)."""
    from pathlib import Path

    from loaders.discover import discover, known_places, load_discovery_rules

    load_discovery_rules(catalogue.data_dir)
    known_places([], catalogue)  # the gazetteer is read once per process, as in a build
    with Timer() as t_disc:
        found = discover(docs, catalogue, entities, known_mentions=known)
    rows = [Row("extraction with discovery: end to end (sentences + matching + discovery)",
                f"{size_mb / (seconds_before + t_disc.seconds):.1f} MB/s (discovery alone {size_mb / t_disc.seconds:.1f}"
                f" MB/s, {len(found.entities)} entities)", "≥ 10 MB/s",
                size_mb / (seconds_before + t_disc.seconds) >= 10)]
    texts = [p.read_text(encoding="utf-8") for p in sorted((Path(__file__).parent / "corpus").glob("*.txt"))]
    if texts:
        reps = max(1, round(2e6 / sum(len(t.encode()) for t in texts)))
        with Timer() as t_prep:
            cdocs = [document_from_text(t, f"c{i}") for i, t in enumerate(texts * reps)]
        cmatcher = alias_matcher(catalogue)
        with Timer() as t_m:
            cknown = {d.id: cmatcher.find(d) for d in cdocs}
        with Timer() as t_d:
            cfound = discover(cdocs, catalogue, known_mentions=cknown)
        mb = sum(len(d.text.encode()) for d in cdocs) / 1e6
        rows.append(Row("extraction with discovery: end to end on the gold corpus (press text)",
                        f"{mb / (t_prep.seconds + t_m.seconds + t_d.seconds):.1f} MB/s on {mb:.1f} MB (discovery "
                        f"alone {mb / t_d.seconds:.1f} MB/s, {len(cfound.entities)} entities)"))
    return rows
