"""Discovery (loaders/discover.py): extraction with open-world discovery, end to end, against its targets.

    python benchmarks/run.py --only discovery [--quick]
    python benchmarks/bench_discovery.py [--quick]

Each row runs the documents the way ``build_graph`` does: sentences and fold, alias matching, discovery, the
discovered names added to the matcher (``extend_matcher``, only when something was found) and the extractors made,
then every document's mentions, relations and claims (``Extractors.extract``). The matcher of the catalogue and
roster is built before (once per build, not per megabyte; not timed). Inputs:

- the synthetic documents of the extraction benchmark (every firm they name is in the synthetic roster, so discovery
  finds next to nothing and mostly rejects trigger words): target 10 MB/s (issue 11);
- per language (zh, ja, en), the real texts (benchmarks/corpus/ and seeds/) repeated to about 2 MB (far denser in firm
  names, numbers and trigger words): target 15 MB/s (issue 15);
- discovery alone over every real text with the entities of a realistic roster known (``benchmarks/synthetic.py
  --realistic``: 1M rows at full scale, 10k quick) against the catalogue alone: what knowing a million names adds
  (the names a candidate may be are looked up once per call), target at most 2 s more (issue 15).

Figures are CPU seconds of this process (other processes on a shared machine do not inflate them), best of three;
each row also gives the share of each step and its peer, the raw pyahocorasick scan of the same folded text with the
same automaton (no checks, no records: the ceiling of any pass over the text).
"""

from __future__ import annotations

import sys

from common import ROOT, SCALES, Row, Timer, pyahocorasick_automaton, synthetic_inputs

from graph.build import cyclic_gc_paused
from loaders.catalogue import load_catalogue
from loaders.discover import discover, known_names, known_places, load_discovery_rules
from loaders.extract import Extractors, alias_matcher, extend_matcher
from loaders.rosters import merge_rosters, read_roster
from loaders.text import document_from_text

LANGUAGES = ("zh", "ja", "en")
SYNTHETIC_TARGET, REAL_TARGET = 10, 15  # MB/s end to end


def _pass(texts, catalogue, entities) -> dict[str, float]:
    """CPU seconds of each step of one build-like pass over ``texts``."""
    steps = {}
    matcher = alias_matcher(catalogue, entities)  # extend_matcher changes it: a fresh one per pass
    with Timer() as t:
        docs = [document_from_text(x, f"d{i}") for i, x in enumerate(texts)]
        for d in docs:
            d.folded  # noqa: B018 - folded once per document, as the first extractor to read it does
    steps["sentences"] = t.cpu
    with Timer() as t:
        known = {d.id: matcher.find(d) for d in docs}
    steps["matching"] = t.cpu
    with Timer() as t:
        found = discover(docs, catalogue, entities, known_mentions=known)
    steps["discovery"] = t.cpu
    with Timer() as t:
        if found.entities:
            matcher = extend_matcher(matcher, catalogue, list(found.entities.values()))
        ex = Extractors(catalogue, {**entities, **found.entities}, matcher=matcher)
    steps["extractors"] = t.cpu
    with Timer() as t:
        for d in docs:
            ex.extract(d)
    steps["mentions, relations, claims"] = t.cpu
    steps["found"] = len(found.entities)
    return steps


def _row(name: str, texts, catalogue, entities, target: float, repeats: int) -> Row:
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    with cyclic_gc_paused():  # as build_graph runs it
        best = None
        for _ in range(repeats):
            steps = _pass(texts, catalogue, entities)
            total = sum(v for k, v in steps.items() if k != "found")
            if best is None or total < best[0]:
                best = (total, steps)
        folded = [document_from_text(x, "d").folded.folded for x in texts]
        auto = pyahocorasick_automaton(alias_matcher(catalogue, entities).owner)
        raw = min(_cpu(lambda: [sum(1 for _ in auto.iter(f)) for f in folded]) for _ in range(repeats))
    total, steps = best
    rate = mb / total
    shares = ", ".join(f"{k} {v / total:.0%}" for k, v in steps.items() if k != "found" and v / total >= 0.01)
    return Row(name, f"{_mbs(rate)} MB/s CPU on {mb:.1f} MB (discovery alone {_mbs(mb / steps['discovery'])} MB/s, "
                     f"{steps['found']} entities; time: {shares})", f"≥ {target} MB/s", rate >= target,
               peer=f"raw pyahocorasick iter over the same keys and folded text: {mb / raw:.1f} MB/s (ours "
                    f"{rate / (mb / raw):.0%} of it)")


def _mbs(rate: float) -> str:
    return f"{rate:.1f}" if rate >= 10 else f"{rate:.2f}"


def _cpu(fn) -> float:
    with Timer() as t:
        fn()
    return t.cpu


def real_texts(language: str) -> list[str]:
    """The corpus and seed texts of one language (the language is in the file name: ``name.zh.txt``)."""
    files = sorted((ROOT / "benchmarks" / "corpus").glob(f"*.{language}.txt")) + \
        sorted((ROOT / "seeds").glob(f"*.{language}.txt"))
    return [p.read_text(encoding="utf-8") for p in files]


def known_names_row(n_rows: int, catalogue, repeats: int) -> Row:
    """Discovery's CPU seconds on all real texts with a realistic roster of ``n_rows`` rows known, against the
    catalogue alone (the same documents; the known mentions and matcher built before, not timed)."""
    import csv
    import io

    from synthetic import ROSTER_FIELDS, realistic_roster_rows

    from loaders.rosters import parse_roster

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=ROSTER_FIELDS, extrasaction="ignore")
    w.writeheader()
    w.writerows(realistic_roster_rows(n_rows))
    roster_entities, _ = merge_rosters(catalogue, parse_roster(buf.getvalue(), catalogue, "<realistic roster>"))
    del buf
    texts = [t for lang in LANGUAGES for t in real_texts(lang)]
    docs = [document_from_text(t, f"d{i}") for i, t in enumerate(texts)]
    cpu = {}
    discover(docs[:1], catalogue)  # the gazetteer and rules are read once per process, as in a build
    with cyclic_gc_paused():
        for name, entities in (("catalogue", dict(catalogue.entities)), ("roster", roster_entities)):
            matcher = alias_matcher(catalogue, entities)
            known = {d.id: matcher.find(d) for d in docs}
            cpu[name] = min(_cpu(lambda: discover(docs, catalogue, entities, known_mentions=known, matcher=matcher))
                            for _ in range(repeats))
        # the part that reads every known entity whatever the texts (place sets, names joined and folded)
        prep = min(_cpu(lambda: known_names(catalogue, roster_entities)) for _ in range(repeats))
    extra = cpu["roster"] - cpu["catalogue"]
    return Row(f"discovery: cost of {len(roster_entities):,} known entities ({n_rows:,} realistic roster rows), "
               f"all {len(texts)} real texts", f"{cpu['roster']:.2f} s CPU ({extra:+.2f} s, of which known_names "
                                               f"{prep:.2f} s: once per build whatever the texts)",
               "≤ 2 s more than the catalogue alone", extra <= 2,
               peer=f"the catalogue alone ({len(catalogue.entities):,} entities): {cpu['catalogue']:.2f} s")


def run(scale: dict) -> list[Row]:
    from synthetic import document_texts

    full = scale["extract_mb"] >= 10
    repeats, real_mb = (3, 2.0) if full else (1, 0.5)
    catalogue = load_catalogue()
    load_discovery_rules(catalogue.data_dir)
    known_places([], catalogue)  # the gazetteer is read once per process, as in a build
    roster, _ = synthetic_inputs(scale["extract_firms"], 0, scale["doc_bytes"])
    rows = read_roster(roster, catalogue)
    entities, _ = merge_rosters(catalogue, rows)
    n_docs = max(1, scale["extract_mb"] * 30)  # documents of about 10 kB: 3 MB at full scale
    texts = [t for _, t in document_texts([(r.name, r.name_zh) for r in rows], n_docs, 10_000, seed=11)]
    out = [_row("discovery: end to end with discovery (sentences, matching, discovery, mentions, relations, claims), "
                "synthetic text", texts, catalogue, entities, SYNTHETIC_TARGET, repeats)]
    for lang in LANGUAGES:
        base = real_texts(lang)
        if not base:
            continue
        reps = max(1, round(real_mb * 1e6 / sum(len(t.encode("utf-8")) for t in base)))
        out.append(_row(f"discovery: end to end with discovery, {lang} real text ({len(base)} texts of the corpus and "
                        f"seeds, repeated {reps}x)", base * reps, catalogue, catalogue.entities, REAL_TARGET, repeats))
    out.append(known_names_row(scale["firms"], catalogue, repeats))
    return out


if __name__ == "__main__":
    for r in run(SCALES["quick" if "--quick" in sys.argv else "full"]):
        print(" | ".join(r.cells()))
