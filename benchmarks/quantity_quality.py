"""Quantity extraction on the development corpus: value+unit+qualifier, subject and target, per language.

    python benchmarks/quantity_quality.py            # table
    python benchmarks/quantity_quality.py --json     # the same figures as JSON

Two readings of the same corpus (``benchmarks/corpus/``, scored by ``extraction_quality.score_document``, which
defines when a claim is found and right):

- **as built**: the graph a user gets from the corpus texts (``bundled=False``);
- **gold entities known**: the same texts extracted (``loaders.extract.Extractors``) with the gold organisations,
  places, products and policies added as entities (places the gazetteer knows as their gazetteer Regions, with the places containing them),
  so the subject figure measures how claims pick their subject among the entities of a graph, apart from how many
  entities entity discovery and the gazetteer find.

Target: the share of found claims whose ``target`` attribute agrees with the gold ``target`` (claims without the
attribute count as facts).
"""

from __future__ import annotations

import argparse
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


def gold_entities(items: list[dict], catalogue) -> dict:
    """The catalogue's entities plus the gold organisations, places, products and policies of the corpus, as entity
    discovery and the gazetteer would add them: a gold place the gazetteer knows becomes its gazetteer Region (with
    the places that contain it), another a Region of its own; anything else the catalogue does not know becomes an
    entity of its gold type. Gold names are added as aliases, so every form the gold lists is found in the texts."""
    from dataclasses import replace

    from loaders.gazetteer import AmbiguousPlace, places_for
    from loaders.records import Entity

    places = places_for(catalogue)
    entities = dict(catalogue.entities)
    place_types = catalogue.types_with("place")
    org_types = catalogue.types_with("organisation")

    def resolve_place(name):
        try:
            return catalogue.resolve(name, place_types) or places.resolve(name)
        except AmbiguousPlace:
            return None

    def add(eid, names, make):
        if eid not in entities:
            entities[eid] = make()
        e = entities[eid]
        entities[eid] = replace(e, aliases=list(dict.fromkeys([*e.aliases, *(n for n in names if n not in e.all_names())])))

    for it in items:
        for i, e in enumerate(it["gold"].get("places") or []):
            names = [str(n) for n in [e.get("name"), *(e.get("also") or [])] if n]
            pid = next((p for p in map(resolve_place, names) if p), None)
            if pid and pid not in entities:
                for anc in reversed(places.chain(pid)):  # containing places first, so part_of can be walked
                    if anc not in entities:
                        entities[anc] = places.entity(anc)
            add(pid or f"gold_place_{it['id']}_{i}", names,
                lambda: Entity(f"gold_place_{it['id']}_{i}", "Region", name_en=names[0], origin="gazetteer"))
        for section, types in (("organisations", org_types), ("products", ("Product",)),
                               ("policies", catalogue.types_with("policy"))):
            for i, e in enumerate(it["gold"].get(section) or []):
                names = [str(n) for n in [e.get("name"), *(e.get("also") or [])] if n]
                eid = next((x for x in (catalogue.resolve(n, types) for n in names) if x), None)
                kind = e.get("type") if e.get("type") in types else types[0]
                new_id = f"gold_{section}_{it['id']}_{i}"
                add(eid or new_id, names, lambda: Entity(new_id, kind, name_en=names[0], origin="discovered"))
    return entities


def graph_with_entities(items: list[dict], catalogue, entities: dict):
    """The corpus as a graph of mentioned entities and claims, extracted with ``entities`` (what ``score_document``
    reads: names, evidence, Claim attributes)."""
    import networkx as nx

    from loaders.extract import Extractors
    from loaders.records import as_dict
    from loaders.text import load_document

    ex = Extractors(catalogue, entities)
    G = nx.MultiDiGraph()
    for it in items:
        recs = ex.extract(load_document(it["path"], it["id"]))
        for m in recs.mentions:
            e = entities[m.entity]
            if m.entity not in G:
                G.add_node(m.entity, type=e.type, name=e.name, name_en=e.name_en, name_zh=e.name_zh,
                           name_ja=e.name_ja, aliases=list(e.aliases), evidence=[], origin=e.origin)
            G.nodes[m.entity]["evidence"].append(as_dict(m.evidence))
        for c in recs.claims:
            G.add_node(c.id, type="Claim", metric=c.metric, value=c.value, unit=c.unit, qualifier=c.qualifier,
                       date=c.date, doc=c.doc, subject=";".join(c.subjects), subject_from=c.subject_from,
                       target=c.target, evidence=[as_dict(x) for x in c.evidence])
    return G


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
    if known_entities:
        G = graph_with_entities(items, catalogue, gold_entities(items, catalogue))
    else:
        G = build_graph(docs=[it["path"] for it in items], bundled=False)
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
