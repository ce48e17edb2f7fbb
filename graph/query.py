"""Plain-data views of the graph used by the CLI, the app and notebooks."""

from __future__ import annotations

import networkx as nx

from .display import format_value, sentence_text
from .model import types_with



def found_entities(G: nx.MultiDiGraph, include_unmentioned: bool = False) -> list[dict]:
    """Entities with their names, mention count and evidence, most mentioned first.

    Examples
    --------
    >>> from graph import build_graph
    >>> rows = found_entities(build_graph())
    >>> any(r["id"] == "agibot" for r in rows)
    True
    """
    rows = []
    matchable = set(types_with(G, "matchable"))
    for n, d in G.nodes(data=True):
        if d.get("type") not in matchable:
            continue
        if not include_unmentioned and not d.get("mentions"):
            continue
        rows.append({"id": n, "type": d["type"], "name": d.get("name", n), "name_en": d.get("name_en", ""),
                     "name_zh": d.get("name_zh", ""), "name_ja": d.get("name_ja", ""),
                     "mentions": d.get("mentions", 0), "segments": d.get("segments", []),
                     "evidence": d.get("evidence", [])})
    rows.sort(key=lambda r: (-r["mentions"], r["type"], r["id"]))
    return rows


def claim_rows(G: nx.MultiDiGraph, include_disputes: bool = True) -> list[dict]:
    """Every claim: metric, value in base units, unit, qualifier, subject names, evidence and its sentence."""
    rows = []
    claim_types = set(types_with(G, "claim"))
    for n, d in G.nodes(data=True):
        if d.get("type") not in claim_types:
            continue
        if not include_disputes and not d.get("evidence"):
            continue
        subjects = [s for s in (d.get("subject") or "").split(";") if s]
        ev = (d.get("evidence") or [None])[0]
        disputed_by = [u for u, _, k in G.in_edges(n, keys=True) if k.startswith("DISPUTES")]
        rows.append({
            "id": n, "metric": d.get("metric"), "value": d.get("value"), "unit": d.get("unit"),
            "qualifier": d.get("qualifier"), "text": d.get("text"), "date": d.get("date") or None,
            "display_value": format_value(d.get("value"), d.get("unit"), d.get("date")),
            "subjects": subjects, "subject_names": [G.nodes[s].get("name", s) for s in subjects if s in G],
            "subject_from": d.get("subject_from"), "reconciliation": d.get("reconciliation") or None,
            "doc": d.get("doc"), "sentence": ev["sentence"] if ev else None,
            "sentence_text": sentence_text(G, ev["doc"], ev["sentence"]) if ev else None,
            "evidence": d.get("evidence", []), "sources": d.get("sources", []), "disputed_by": disputed_by,
        })
    rows.sort(key=lambda r: (r["doc"] is None, r["doc"] or "", r["sentence"] if r["sentence"] is not None else 1e9,
                             r["evidence"][0]["start"] if r["evidence"] else 0))
    return rows
