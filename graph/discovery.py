"""Reviewing discovered entities: list them, and turn a reviewed selection into roster rows (discover → review →
confirm).

Discovery (``loaders.discover``) adds organisations, products and policies that no catalogue or roster lists, each a
node with ``origin="discovered"``, a ``confidence`` (0–1), ``found_by`` (the patterns of ``data/discovery.yaml`` that
found it) and its evidence. A reviewer confirms some of them; :func:`roster_rows` writes those as rows of the roster
CSV (README, "Roster CSV"), and loaded back with ``--roster`` they are roster entities like any other.

Examples
--------
>>> from graph import build_graph
>>> from loaders.text import document_from_text
>>> G = build_graph(docs=[document_from_text("深圳集聚了优必选科技、乐聚机器人等企业。", "d")], bundled=False)
>>> [r["name"] for r in discovered_entities(G)]
['乐聚机器人', '优必选科技']
>>> roster_csv(roster_rows(G, [r["id"] for r in discovered_entities(G)])).splitlines()[0]
'name,name_zh,name_en,name_ja,type,segments,region,aliases,source,uncertain,note,quote'
"""

from __future__ import annotations

import csv
import io

import networkx as nx

from .export import neutralise_cell
from .model import types_with

# Discovered entities at least this sure go into a roster as certain; below it their rows say uncertain.
CERTAIN_CONFIDENCE = 0.9


def confirmable_types(G: nx.MultiDiGraph) -> tuple[str, ...]:
    """Types a reviewer can confirm into a roster: organisations a roster row may have (schema roles)."""
    return tuple(t for t in types_with(G, "organisation") if t in types_with(G, "roster"))
ROSTER_FIELDS = ["name", "name_zh", "name_en", "name_ja", "type", "segments", "region", "aliases", "source",
                 "uncertain", "note", "quote"]


def discovered_entities(G: nx.MultiDiGraph, types=None, min_confidence: float = 0.0) -> list[dict]:
    """Discovered entities for review, most confident first.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A graph from :func:`graph.build_graph`.
    types : iterable of str, optional
        Only these node types (``Company``, ``Institution``, ``Product``, ``Policy``).
    min_confidence : float
        Leave out entities below this confidence.

    Returns
    -------
    list of dict
        ``id``, ``type``, ``name``, ``name_zh``, ``name_en``, ``name_ja``, ``aliases``, ``confidence``,
        ``found_by`` (pattern ids), ``mentions``, ``segments`` (ids from ``IN_SEGMENT`` edges), ``relations``
        (``{type, direction, other, other_name}`` of the typed relations it has) and ``evidence`` (every mention:
        ``doc``, ``sentence``, ``start``, ``end``, ``quote``).

    Examples
    --------
    >>> from graph import build_graph
    >>> from loaders.text import document_from_text
    >>> G = build_graph(docs=[document_from_text("The startup Galbot (银河通用) unveiled its G1 robot.", "d")],
    ...                 bundled=False)
    >>> [(r["name"], r["type"], r["found_by"]) for r in discovered_entities(G)]
    [('Galbot', 'Company', ['apposition_latin', 'parenthetical']), ('G1', 'Product', ['model_number'])]
    """
    wanted = set(types) if types else None
    rows = []
    for n, d in G.nodes(data=True):
        if d.get("origin") != "discovered":
            continue
        if wanted and d.get("type") not in wanted:
            continue
        if float(d.get("confidence") or 0) < min_confidence:
            continue
        relations = []
        for _, v, k, e in G.out_edges(n, keys=True, data=True):
            if e.get("type") not in ("MENTIONED_IN", "CO_MENTIONED", "IN_SEGMENT"):
                relations.append({"type": e["type"], "direction": "out", "other": v,
                                  "other_name": G.nodes[v].get("name", v), "method": e.get("method")})
        for u, _, k, e in G.in_edges(n, keys=True, data=True):
            if e.get("type") not in ("MENTIONED_IN", "CO_MENTIONED", "ABOUT"):
                relations.append({"type": e["type"], "direction": "in", "other": u,
                                  "other_name": G.nodes[u].get("name", u), "method": e.get("method")})
        segments = sorted({v for _, v, e in G.out_edges(n, data=True) if e.get("type") == "IN_SEGMENT"})
        rows.append({"id": n, "type": d.get("type"), "name": d.get("name", n), "name_zh": d.get("name_zh", ""),
                     "name_en": d.get("name_en", ""), "name_ja": d.get("name_ja", ""),
                     "aliases": list(d.get("aliases") or []), "confidence": float(d.get("confidence") or 0),
                     "found_by": list(d.get("found_by") or []), "mentions": d.get("mentions", 0),
                     "segments": segments, "relations": relations, "evidence": list(d.get("evidence") or [])})
    rows.sort(key=lambda r: (-r["confidence"], -r["mentions"], r["type"], r["name"]))
    return rows


def roster_rows(G: nx.MultiDiGraph, ids, source: str | None = None) -> list[dict]:
    """Roster CSV rows for the confirmed organisations ``ids`` (discovered Company and Institution nodes).

    Each row keeps the names in three scripts, the aliases, the segments (``IN_SEGMENT`` edges), the place when a
    text locates it (``LOCATED_IN``), and as ``source`` and ``quote`` the document and sentence it was found in, so
    the roster row names its source like any other. Rows of entities below confidence 0.9 are marked ``uncertain``.

    Parameters
    ----------
    G : networkx.MultiDiGraph
    ids : iterable of str
        Node ids the reviewer confirmed.
    source : str, optional
        The ``source`` column; default: the document and sentence of the first evidence.

    Returns
    -------
    list of dict
        One dict per id, keys :data:`ROSTER_FIELDS`.

    Raises
    ------
    ValueError
        For an id that is not in the graph, not discovered, or not an organisation (a roster lists organisations).
    """
    roster_types = confirmable_types(G)
    rows = []
    for n in ids:
        if n not in G:
            raise ValueError(f"{n!r} is not a node of the graph")
        d = G.nodes[n]
        if d.get("origin") != "discovered":
            raise ValueError(f"{n!r} was not discovered (origin {d.get('origin', 'catalogue')!r}); nothing to confirm")
        if d.get("type") not in roster_types:
            raise ValueError(f"{n!r} is a {d.get('type')}; a roster lists organisations ({', '.join(roster_types)})")
        ev = (d.get("evidence") or [{}])[0]
        doc = G.nodes.get(f"doc:{ev.get('doc')}", {}) if ev else {}
        where = doc.get("source") or doc.get("title") or ev.get("doc", "")
        segments = sorted({v.split(":", 1)[1] for _, v, e in G.out_edges(n, data=True)
                           if e.get("type") == "IN_SEGMENT" and ":" in v})
        places = [v for _, v, e in G.out_edges(n, data=True) if e.get("type") == "LOCATED_IN"]
        names = {d.get("name_zh"), d.get("name_en"), d.get("name_ja")}
        name = d.get("name") or n
        confidence = float(d.get("confidence") or 0)
        rows.append({
            "name": name, "name_zh": d.get("name_zh", ""), "name_en": d.get("name_en", ""),
            "name_ja": d.get("name_ja", ""), "type": d["type"], "segments": ";".join(segments),
            "region": places[0] if places else "",
            "aliases": ";".join(a for a in (d.get("aliases") or []) if a not in names and a != name and ";" not in a),
            "source": source or (f"{where} (sentence {ev.get('sentence')})" if ev else "discovery"),
            "uncertain": "true" if confidence < CERTAIN_CONFIDENCE else "false",
            "note": f"discovered by {', '.join(d.get('found_by') or [])} (confidence {confidence:.2f}); reviewed",
            "quote": ev.get("quote", "") if ev else ""})
    return rows


def roster_csv(rows: list[dict]) -> str:
    """The rows as roster CSV text (header first; formula-like cells neutralised for spreadsheets)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=ROSTER_FIELDS, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: neutralise_cell(r.get(k, "")) for k in ROSTER_FIELDS})
    return out.getvalue()
