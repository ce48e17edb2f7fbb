"""Quantity extraction on the development corpus: value+unit+qualifier, subject and target, per language.

    python benchmarks/quantity_quality.py            # table
    python benchmarks/quantity_quality.py --json     # the same figures as JSON

Two readings of the same corpus (``benchmarks/corpus/``, scored by ``extraction_quality.score_document``, which
defines when a claim is found and right):

- **as built**: the graph a user gets from the corpus texts (``bundled=False``);
- **gold entities known**: the same texts with the gold organisations and places of each document given as a roster
  (places as ``Cluster`` rows), so the subject figure measures how claims pick their subject among the entities of
  the graph, apart from how many entities entity discovery finds.

Target: the share of found claims whose ``target`` attribute agrees with the gold ``target`` (claims without the
attribute count as facts).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "benchmarks"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from extraction_quality import CORPUS, load_corpus, score_document  # noqa: E402

CATS = ("quantities found", "quantities: value+unit+qualifier", "quantities: subject")


def gold_roster(items: list[dict], catalogue):
    """Roster rows for the gold organisations and places of the corpus (rows the roster rules refuse are left out)."""
    from loaders.errors import InputError
    from loaders.rosters import parse_roster

    rows, refused = [], 0
    for it in items:
        gold = it["gold"]
        for kind, default_type in (("organisations", "Company"), ("places", "Cluster")):
            for e in gold.get(kind) or []:
                buf = io.StringIO()
                w = csv.writer(buf)
                w.writerow(["name", "aliases", "type", "source"])
                aliases = ";".join(str(a) for a in e.get("also") or [] if ";" not in str(a))
                w.writerow([e["name"], aliases, e.get("type") or default_type, f"gold of {it['id']}"])
                try:
                    rows.extend(parse_roster(buf.getvalue(), catalogue, f"gold:{it['id']}"))
                except InputError:
                    refused += 1
    return rows, refused


def _target_agreement(G, item: dict) -> tuple[int, int]:
    """(claims whose target agrees with the gold, claims found) for one document."""
    text = item["path"].read_text(encoding="utf-8")
    gq = item["gold"].get("quantities") or []
    spans = [[(m.start(), m.end()) for m in re.finditer(re.escape(str(q.get("text", ""))), text)] for q in gq]
    agree = found = 0
    for _, d in G.nodes(data=True):
        if d.get("type") != "Claim" or d.get("doc") != item["id"] or d.get("date") or not d.get("evidence"):
            continue
        ev = d["evidence"][0]
        hit = [i for i, ss in enumerate(spans) if any(a < ev["end"] and ev["start"] < b for a, b in ss)]
        if hit:
            found += 1
            agree += any(bool(gq[i].get("target")) == bool(d.get("target")) for i in hit)
    return agree, found


def measure(items: list[dict], known_entities: bool) -> dict:
    from graph import build_graph
    from loaders.catalogue import load_catalogue

    catalogue = load_catalogue()
    rosters, refused = (gold_roster(items, catalogue) if known_entities else ([], 0))
    G = build_graph(docs=[it["path"] for it in items], rosters=[rosters] if rosters else None, bundled=False)
    groups = defaultdict(lambda: defaultdict(int))
    for it in items:
        counts = score_document(G, it, catalogue)
        agree, found = _target_agreement(G, it)
        for g in ("all", f"language {it['language']}"):
            for cat in CATS:
                groups[g][cat + " (matched)"] += counts[cat]["matched"]
                groups[g][cat + " (correct)"] += counts[cat]["correct"]
            groups[g]["gold"] += counts[CATS[0]]["gold"]
            groups[g]["extracted"] += counts[CATS[0]]["extracted"]
            groups[g]["target agrees"] += agree
            groups[g]["target found"] += found
            groups[g]["documents"] += 1
    out = {}
    for g, c in groups.items():
        found = c["quantities found (correct)"]
        out[g] = {
            "documents": c["documents"], "gold": c["gold"], "extracted": c["extracted"],
            "recall": _r(c["quantities found (matched)"], c["gold"]),
            "precision": _r(found, c["extracted"]),
            "value+unit+qualifier right (of found)": _r(c["quantities: value+unit+qualifier (correct)"], found),
            "value+unit+qualifier right (of gold)": _r(c["quantities: value+unit+qualifier (matched)"], c["gold"]),
            "subject right (of found)": _r(c["quantities: subject (correct)"], found),
            "target right (of found)": _r(c["target agrees"], c["target found"]),
        }
    if known_entities:
        out["all"]["gold roster rows refused"] = refused
    return out


def _r(a, b):
    return round(a / b, 3) if b else None


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--corpus", type=Path, default=CORPUS, help="the corpus folder")
    args = p.parse_args(argv)
    items = load_corpus(args.corpus)
    if not items:
        raise SystemExit(f"no documents with gold in {args.corpus}")
    result = {"as built": measure(items, False), "gold entities known": measure(items, True)}
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    for reading, groups in result.items():
        print(f"\n{reading}")
        for g in sorted(groups, key=lambda g: (g != "all", g)):
            row = groups[g]
            print(f"  {g:<12} " + "  ".join(f"{k} {'-' if v is None else (f'{v * 100:.1f}%' if isinstance(v, float) else v)}"
                                            for k, v in row.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
