"""Chain coverage: how much of the industry chain a region's firms cover, against what the texts claim.

``measured_share`` = weight of the segments with at least one firm located in the region ÷ weight of every segment of
the taxonomy (data/taxonomy.yaml; 1 each unless weights are given). A firm (Company or Institution) counts for a region
when it is located there directly or in a place inside it (a firm in Zhangjiang counts for Pudong and Shanghai). A firm
covers the segments it is in (IN_SEGMENT), the segments of the products and datasets it develops, and the segments of
the scenes it or its products serve.

Two readings are computed side by side:

* ``text``: what the texts support: locations stated by the loaded documents (method ``rule``), segment memberships
  from the curated catalogue and the texts (no roster rows);
* ``all``: everything loaded: texts, catalogue, the bundled roster (unless left out) and added rosters.
"""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import yaml

from loaders.errors import InputError
from loaders.fold import fold

from .build import containing_places

FIRM_TYPES = ("Company", "Institution")
PLACE_TYPES = ("Region", "Cluster")
READINGS = ("text", "all")


class UnknownRegion(InputError):
    pass


def known_regions(G: nx.MultiDiGraph) -> list[dict]:
    """Regions and clusters of ``G``: id, name, type."""
    return sorted(({"id": n, "name": d.get("name", n), "type": d["type"]} for n, d in G.nodes(data=True)
                   if d.get("type") in PLACE_TYPES), key=lambda r: (r["type"], r["name"]))


def resolve_region(G: nx.MultiDiGraph, region: str) -> str:
    """The node id of a region or cluster given by id or any name or alias, in any language."""
    if region in G and G.nodes[region].get("type") in PLACE_TYPES:
        return region
    key = fold(region.strip())
    for n, d in G.nodes(data=True):
        if d.get("type") not in PLACE_TYPES:
            continue
        names = [n, d.get("name", ""), d.get("name_en", ""), d.get("name_zh", ""), d.get("name_ja", ""),
                 *d.get("aliases", [])]
        if key in {fold(x) for x in names if x}:
            return n
    listing = ", ".join(f"{r['name']} ({r['id']})" for r in known_regions(G))
    raise UnknownRegion(f"unknown region {region!r}; known regions: {listing}", field="region")


def _containers(G: nx.MultiDiGraph, place: str) -> set[str]:
    """``place`` and every region or cluster that contains it."""
    return {place} | containing_places(G, place)


def _edge_ok(d: dict, reading: str) -> bool:
    return reading == "all" or d["method"] != "roster"


def firms_in_region(G: nx.MultiDiGraph, region: str, reading: str = "all") -> dict[str, list[dict]]:
    """Firms located in ``region`` (directly or inside it) -> the LOCATED_IN statements that place them there."""
    found: dict[str, list[dict]] = {}
    cache: dict[str, set[str]] = {}
    for u, v, d in G.edges(data=True):
        if d["type"] != "LOCATED_IN" or G.nodes[u].get("type") not in FIRM_TYPES:
            continue
        if reading == "text" and d["method"] != "rule":
            continue
        if G.nodes[v].get("type") not in PLACE_TYPES:
            continue
        if v not in cache:
            cache[v] = _containers(G, v)
        if region in cache[v]:
            found.setdefault(u, []).append({"place": v, "method": d["method"], "conflict": bool(d.get("conflict")),
                                            "evidence": d.get("evidence", []), "sources": d.get("sources", [])})
    return found


def firm_segments(G: nx.MultiDiGraph, firm: str, reading: str = "all") -> set[str]:
    """Segments a firm covers: its own, those of what it develops, those of the scenes it or its products serve."""
    segs: set[str] = set()

    def in_segments(node):
        return {v for _, v, d in G.out_edges(node, data=True)
                if d["type"] == "IN_SEGMENT" and _edge_ok(d, reading) and G.nodes[v].get("type") == "Segment"}

    segs |= in_segments(firm)
    reach = {firm}
    for _, v, d in G.out_edges(firm, data=True):
        if d["type"] == "DEVELOPS" and _edge_ok(d, reading):
            segs |= in_segments(v)
            reach.add(v)
    for node in reach:
        for _, v, d in G.out_edges(node, data=True):
            if d["type"] == "SERVES_SCENE" and _edge_ok(d, reading):
                segs |= in_segments(v)
    return segs


def segment_weights(G: nx.MultiDiGraph, weights: dict | None = None) -> dict[str, float]:
    """Weight of every segment: ``weights`` (by segment id, with or without 'segment:') over the taxonomy's."""
    out = {n: float(d.get("chain_weight", 1.0)) for n, d in G.nodes(data=True) if d.get("type") == "Segment"}
    for k, w in (weights or {}).items():
        sid = k if k in out else f"segment:{k}"
        if sid not in out:
            raise InputError(f"weights name unknown segment {k!r}; valid: "
                             + ", ".join(s.split(":", 1)[1] for s in sorted(out)), field=str(k))
        out[sid] = float(w)
    return out


def load_weights(path) -> dict[str, float]:
    """Per-segment weights from a YAML mapping or a two-column CSV (segment, weight)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the weights file: {exc}", path=path) from exc
    if path.suffix.lower() == ".csv":
        import csv
        import io

        data = {}
        for i, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            if not row or (i == 1 and row[0].strip().lower() == "segment"):
                continue
            try:
                data[row[0].strip()] = float(row[1])
            except (IndexError, ValueError) as exc:
                raise InputError("expected 'segment,weight' with a number", path=path, line=i, field="weight") from exc
        return data
    data = yaml.safe_load(text) or {}
    if not isinstance(data, dict) or not all(isinstance(v, (int, float)) for v in data.values()):
        raise InputError("expected a mapping of segment id to number", path=path)
    return data


def _claims_about(G: nx.MultiDiGraph, region: str, metric: str) -> list[dict]:
    out = []
    for u, _, d in G.in_edges(region, data=True):
        c = G.nodes[u]
        if d["type"] == "ABOUT" and c.get("type") == "Claim" and c.get("metric") == metric and c.get("evidence"):
            ev = c["evidence"][0]
            from .build import sentence_text

            out.append({"claim": u, "value": c.get("value"), "qualifier": c.get("qualifier"), "text": c.get("text"),
                        "doc": ev["doc"], "sentence": ev["sentence"], "quote": ev["quote"],
                        "sentence_text": sentence_text(G, ev["doc"], ev["sentence"])})
    out.sort(key=lambda r: (r["doc"], r["sentence"]))
    return out


def _reading(G: nx.MultiDiGraph, region: str, reading: str, weights: dict[str, float]) -> dict:
    firms = firms_in_region(G, region, reading)
    seg_firms: dict[str, set[str]] = {s: set() for s in weights}
    for f in firms:
        for s in firm_segments(G, f, reading):
            if s in seg_firms:
                seg_firms[s].add(f)
    total = sum(weights.values())
    covered_w = sum(w for s, w in weights.items() if seg_firms[s])
    conflicted = {f for f, sts in firms.items() if all(st["conflict"] for st in sts)}
    undisputed_w = sum(w for s, w in weights.items() if seg_firms[s] - conflicted)
    return {"firms": firms, "segment_firms": seg_firms, "share": covered_w / total if total else 0.0,
            "share_without_conflicts": undisputed_w / total if total else 0.0, "conflicted": conflicted}


def chain_coverage(G: nx.MultiDiGraph, region: str = "Zhangjiang", weights: dict | None = None) -> dict:
    """Score a region's chain coverage against the share the texts state.

    Parameters
    ----------
    G : MultiDiGraph
        A graph from :func:`graph.build_graph`.
    region : str
        Region or cluster id, or any of its names in any language.
    weights : dict, optional
        Segment id -> weight, over the taxonomy's weights (1 each by default).

    Returns
    -------
    dict
        ``region``, ``stated_share`` (None when no text states one), ``measured_share`` and
        ``measured_share_text_only``, ``segments_total``, ``segments_covered``, ``covered``, ``uncovered``,
        ``single_firm``, ``segments`` (per-segment rows), ``by_stage``, ``firms_stated``, ``firms_known``,
        ``makers_suppliers_stated``, ``makers_suppliers_known``, ``gap_pp``, ``conflicts``, ``evidence``,
        ``denominator``, ``readings`` and ``note``.

    Examples
    --------
    >>> from graph import build_graph
    >>> card = chain_coverage(build_graph(), "張江")
    >>> card["region"], card["stated_share"]
    ('zhangjiang', 0.6)
    """
    rid = resolve_region(G, region)
    w = segment_weights(G, weights)
    readings = {r: _reading(G, rid, r, w) for r in READINGS}
    allr = readings["all"]
    names = {n: G.nodes[n].get("name", n) for n in G}

    stated = _claims_about(G, rid, "chain_share")
    firm_claims = _claims_about(G, rid, "firm_count")
    maker_claims = _claims_about(G, rid, "makers_suppliers_count")

    stages = {n: d for n, d in G.nodes(data=True) if d.get("type") == "Stage"}
    rows = []
    for s in sorted(w, key=lambda s: (stages.get(f"stage:{G.nodes[s].get('stage')}", {}).get("order", 9), s)):
        firms_all = sorted(allr["segment_firms"][s])
        firms_text = sorted(readings["text"]["segment_firms"][s])
        rows.append({"segment": s, "name": names[s], "stage": G.nodes[s].get("stage"), "weight": w[s],
                     "firms": firms_all, "firm_names": [names[f] for f in firms_all],
                     "firms_text_only": firms_text, "covered": bool(firms_all),
                     "covered_text_only": bool(firms_text),
                     "conflicted_firms": sorted(set(firms_all) & allr["conflicted"])})
    by_stage = {}
    for st_id, st in sorted(stages.items(), key=lambda kv: kv[1].get("order", 9)):
        key = st_id.split(":", 1)[1]
        srows = [r for r in rows if r["stage"] == key]
        tw = sum(r["weight"] for r in srows)
        cw = sum(r["weight"] for r in srows if r["covered"])
        by_stage[key] = {"name": st.get("name"), "segments_total": len(srows),
                         "segments_covered": sum(r["covered"] for r in srows),
                         "measured_share": cw / tw if tw else 0.0,
                         "measured_share_text_only": (sum(r["weight"] for r in srows if r["covered_text_only"]) / tw
                                                      if tw else 0.0),
                         "uncovered": [r["segment"] for r in srows if not r["covered"]],
                         "single_firm": [r["segment"] for r in srows if len(r["firms"]) == 1]}

    makers_known = sorted(f for f in allr["firms"]
                          if any(G.nodes[s].get("stage") == "upstream" or s == "segment:complete_machines"
                                 for s in firm_segments(G, f, "all")))
    conflicts = []
    for f, statements in sorted(allr["firms"].items()):
        node_conf = G.nodes[f].get("conflicts") or []
        if any(st["conflict"] for st in statements) and node_conf:
            conflicts.append({"firm": f, "name": names[f], "statements": node_conf[0]["statements"],
                              "counted_in": sorted({st["place"] for st in statements})})
    stated_share = stated[0]["value"] if stated else None
    measured = allr["share"]
    note = ""
    if not allr["firms"]:
        note = f"No firm is located in {names[rid]} in this graph: measured coverage is 0."
    elif stated_share is None:
        note = f"No loaded text states a chain share for {names[rid]}."
    total_segments = len(w)
    stage_counts = ", ".join(f"{v['segments_total']} {k}" for k, v in by_stage.items())
    uniform = len(set(w.values())) == 1
    return {
        "region": rid,
        "region_name": names[rid],
        "stated_share": stated_share,
        "stated": stated,
        "measured_share": measured,
        "measured_share_text_only": readings["text"]["share"],
        "measured_share_without_conflicts": allr["share_without_conflicts"],
        "gap_pp": None if stated_share is None else round((stated_share - measured) * 100, 1),
        "segments_total": total_segments,
        "segments_covered": sum(r["covered"] for r in rows),
        "segments_covered_text_only": sum(r["covered_text_only"] for r in rows),
        "covered": [r["segment"] for r in rows if r["covered"]],
        "uncovered": [r["segment"] for r in rows if not r["covered"]],
        "single_firm": [r["segment"] for r in rows if len(r["firms"]) == 1],
        "segments": rows,
        "by_stage": by_stage,
        "firms_stated": _stated_count(firm_claims),
        "firms_known": len(allr["firms"]),
        "firms_known_text_only": len(readings["text"]["firms"]),
        "firms": sorted(allr["firms"]),
        "makers_suppliers_stated": _stated_count(maker_claims),
        "makers_suppliers_known": len(makers_known),
        "conflicts": conflicts,
        "evidence": stated + firm_claims + maker_claims,
        "denominator": (f"{total_segments} segments of the chain taxonomy in data/taxonomy.yaml ({stage_counts}); "
                        + ("each weighs 1" if uniform and not weights and next(iter(w.values()), 1) == 1
                           else "weighted: " + ", ".join(f"{k.split(':', 1)[1]}={v:g}" for k, v in w.items()))),
        "readings": {
            "stated_share": "the text's own claim (chain_share about the region)",
            "measured_share": "all: texts, catalogue, bundled roster unless --no-bundled, added rosters",
            "measured_share_text_only": "text: locations stated by the loaded documents; segments from the catalogue "
                                        "and the texts, no roster rows",
            "measured_share_without_conflicts": "all, counting no firm whose every placement here is contested",
            "firms_known": "all", "makers_suppliers_known": "all (complete machines or an upstream segment)",
        },
        "note": note,
    }


def _stated_count(claims: list[dict]) -> dict | None:
    if not claims:
        return None
    c = claims[0]
    return {"value": c["value"], "qualifier": c["qualifier"], "text": c["text"], "doc": c["doc"],
            "sentence": c["sentence"]}


def coverage_diff(before: dict, after: dict) -> dict:
    """What an added roster changed: share delta and which added firms closed which segments.

    Examples
    --------
    >>> coverage_diff({"measured_share": 0.5, "segments": [{"segment": "s", "firms": []}]},
    ...               {"measured_share": 0.6, "segments": [{"segment": "s", "firms": ["x"], "firm_names": ["X"]}]})
    {'measured_share_before': 0.5, 'measured_share_after': 0.6, 'delta': 0.09999999999999998, 'closed': [{'segment': 's', 'firms': ['x'], 'firm_names': ['X']}], 'added_to_covered': []}
    """
    old = {r["segment"]: set(r["firms"]) for r in before["segments"]}
    closed, added = [], []
    for r in after["segments"]:
        prev = old.get(r["segment"], set())
        new = [f for f in r["firms"] if f not in prev]
        if not new:
            continue
        names = [n for f, n in zip(r["firms"], r.get("firm_names", r["firms"])) if f in new]
        entry = {"segment": r["segment"], "firms": new, "firm_names": names}
        (added if prev else closed).append(entry)
    return {"measured_share_before": before["measured_share"], "measured_share_after": after["measured_share"],
            "delta": after["measured_share"] - before["measured_share"], "closed": closed, "added_to_covered": added}


def what_if(region: str = "Zhangjiang", rosters=(), docs=None, bundled: bool = True, weights=None) -> dict:
    """Coverage without and with ``rosters``, and what they changed (see :func:`coverage_diff`)."""
    from .build import build_graph

    base = chain_coverage(build_graph(docs=docs, bundled=bundled), region, weights)
    extended = chain_coverage(build_graph(docs=docs, rosters=rosters, bundled=bundled), region, weights)
    return {"before": base, "after": extended, "diff": coverage_diff(base, extended)}


# ---------------------------------------------------------------------------------------------------------------- CLI
JSON_KEYS = ("region", "stated_share", "measured_share", "measured_share_text_only", "segments_total",
             "segments_covered", "covered", "uncovered", "single_firm", "firms_stated", "firms_known", "conflicts",
             "evidence")


def _pct(x) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def format_scorecard(card: dict, diff: dict | None = None) -> str:
    """The scorecard as a readable text table."""
    lines = [f"Chain coverage: {card['region_name']} ({card['region']})", ""]
    st = card["stated"][0] if card["stated"] else None
    lines.append(f"  stated share      {_pct(card['stated_share'])}"
                 + (f"   「{st['quote']}」 {st['doc']} #{st['sentence']}" if st else "   (no text states one)"))
    lines.append(f"  measured share    {_pct(card['measured_share'])}   all loaded: {card['segments_covered']}/"
                 f"{card['segments_total']} segments")
    lines.append(f"  texts alone       {_pct(card['measured_share_text_only'])}   "
                 f"{card['segments_covered_text_only']}/{card['segments_total']} segments")
    lines.append(f"  without contested {_pct(card['measured_share_without_conflicts'])}")
    if card["gap_pp"] is not None:
        lines.append(f"  gap               {card['gap_pp']:+.1f} percentage points (stated − measured)")
    fs, ms = card["firms_stated"], card["makers_suppliers_stated"]
    lines.append(f"  firms             stated {fs['text'] if fs else '—'}, known {card['firms_known']} "
                 f"(texts alone {card['firms_known_text_only']})")
    lines.append(f"  makers+suppliers  stated {ms['text'] if ms else '—'}, known {card['makers_suppliers_known']}")
    lines.append(f"  denominator       {card['denominator']}")
    if card["note"]:
        lines.append(f"  note              {card['note']}")
    lines.append("")
    lines.append(f"  {'segment':<40} {'stage':<11} {'firms':>5}  text  firms (all loaded)")
    for r in card["segments"]:
        mark = "!" if len(r["firms"]) == 1 else " "
        names = ", ".join(r["firm_names"][:4]) + (" …" if len(r["firm_names"]) > 4 else "")
        lines.append(f"  {r['name'][:40]:<40} {r['stage']:<11} {len(r['firms']):>5}{mark} "
                     f"{'yes ' if r['covered_text_only'] else '—   '}  {names or '— uncovered'}")
    lines.append("  (! = a single firm: concentration risk)")
    lines.append("")
    for k, v in card["by_stage"].items():
        lines.append(f"  {k:<11} {v['segments_covered']}/{v['segments_total']} covered ({_pct(v['measured_share'])}); "
                     f"uncovered: {', '.join(s.split(':', 1)[1] for s in v['uncovered']) or '—'}")
    if card["conflicts"]:
        lines.append("")
        lines.append("  Contested locations (both statements kept):")
        for c in card["conflicts"]:
            parts = []
            for s in c["statements"]:
                src = (s["evidence"][0]["doc"] + " #" + str(s["evidence"][0]["sentence"])) if s["evidence"] else \
                    (s["sources"][0]["source"] if s["sources"] else s["method"])
                parts.append(f"{s['place_name']} ({s['method']}: {src})")
            lines.append(f"    {c['name']}: " + " vs ".join(parts))
    if diff:
        lines.append("")
        lines.append(f"  What-if with the added rosters: {_pct(diff['measured_share_before'])} → "
                     f"{_pct(diff['measured_share_after'])} ({diff['delta'] * 100:+.1f} pp)")
        for c in diff["closed"]:
            lines.append(f"    closes {c['segment'].split(':', 1)[1]}: {', '.join(c['firm_names'])}")
    return "\n".join(lines)


def register_cli(sub) -> None:
    from .cli import _inputs

    p = sub.add_parser("coverage", help="score chain coverage of a region against the share the texts state")
    _inputs(p)
    p.add_argument("--region", default="Zhangjiang", help="region id or name in any language (default Zhangjiang)")
    p.add_argument("--weights", metavar="FILE", help="per-segment weights (YAML mapping or CSV segment,weight)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_coverage)


def _cmd_coverage(args) -> int:
    import sys

    from .build import build_graph

    weights = load_weights(args.weights) if args.weights else None
    G = build_graph(docs=args.doc, rosters=args.roster, bundled=not args.no_bundled)
    try:
        card = chain_coverage(G, args.region, weights)
    except UnknownRegion as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    diff = None
    if args.roster:
        base = chain_coverage(build_graph(docs=args.doc, bundled=not args.no_bundled), args.region, weights)
        diff = coverage_diff(base, card)
    if args.json:
        out = {k: card[k] for k in JSON_KEYS}
        out.update({k: v for k, v in card.items() if k not in out})
        if diff:
            out["what_if"] = diff
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        print(format_scorecard(card, diff))
    return 0
