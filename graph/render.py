"""HTML: an offline, escaped pyvis page of a graph, and highlighted evidence sentences. No Streamlit here.

pyvis's own ``Network.add_node`` checks every new node against a list of the nodes so far (quadratic); the node and
edge lists are built here in one pass and handed to pyvis, which only renders its template with the vis-network
script inlined (``cdn_resources="in_line"``). pyvis's template still links Bootstrap from a CDN; those tags are removed,
so the page makes no request. Every piece of text that becomes a tooltip is HTML-escaped here; the page turns the
escaped tooltip into an element so it shows as text with line breaks whatever vis-network does with strings.
"""

from __future__ import annotations

import html
import json
import math
import re

import networkx as nx

from loaders.catalogue import load_catalogue

from .layout import LANE_TITLES, LAYOUTS

LANGUAGES = {"English": "name_en", "中文": "name_zh", "日本語": "name_ja"}
_CDN_TAG = re.compile(r"<(?:link|script)\b[^>]*\b(?:href|src)=\"https?://[^\"]*\"[^>]*>(?:\s*</script>)?", re.S)
_TITLES_TO_ELEMENTS = """
                  // tooltips arrive as escaped HTML; parse them into elements so they show as text
                  nodes.update(nodes.get().filter(function (n) { return typeof n.title === "string"; })
                    .map(function (n) { var d = document.createElement("div"); d.innerHTML = n.title;
                                        return {id: n.id, title: d}; }));
                  network = new vis.Network(container, data, options);"""


def type_colors() -> dict[str, str]:
    return {t: spec["color"] for t, spec in load_catalogue().schema["node_types"].items()}


def node_label(d: dict, language: str = "English") -> str:
    return d.get(LANGUAGES.get(language, "name_en")) or d.get("name") or ""


def tooltip_html(G: nx.MultiDiGraph, node) -> str:
    """Escaped tooltip: names in three languages, type, segments, first evidence quote (or source)."""
    d = G.nodes[node]
    e = html.escape
    lines = [f"<b>{e(str(d.get('name', node)))}</b>"]
    names = " / ".join(x for x in (d.get("name_zh"), d.get("name_ja")) if x)
    if names:
        lines.append(e(names))
    lines.append(e(d.get("type", "")) + (f" · {d['mentions']} mentions" if d.get("mentions") else ""))
    segs = [G.nodes[s].get("name", s) if s in G else s for s in d.get("segments", [])]
    if segs:
        lines.append("Segments: " + e(", ".join(map(str, segs[:5]))))
    if d.get("type") == "Claim" and d.get("text"):
        lines.append("Claim: " + e(str(d["text"])))
    ev = (d.get("evidence") or [None])[0]
    if ev:
        lines.append("“" + e(ev["quote"]) + "” (" + e(ev["doc"]) + " #" + e(str(ev["sentence"])) + ")")
    elif d.get("sources"):
        lines.append("Source: " + e(str(d["sources"][0].get("source", "")))[:200])
    if d.get("conflicts"):
        lines.append("⚠ conflicting locations")
    return "<br>".join(lines)


def vis_data(G: nx.MultiDiGraph, positions: dict, language: str = "English", size_by: str = "degree") -> tuple[list, list]:
    """vis-network node and edge dicts in one pass over the graph (linear)."""
    colors = type_colors()
    degree = dict(G.degree()) if size_by == "degree" else None
    nodes = []
    for n, d in G.nodes(data=True):
        value = degree[n] if degree is not None else d.get("mentions", 0)
        x, y = positions.get(n, (0.0, 0.0))
        nodes.append({"id": n, "label": node_label(d, language)[:40], "title": tooltip_html(G, n),
                      "color": colors.get(d.get("type"), "#999999"), "x": float(x), "y": float(y),
                      "size": 8 + 4 * math.sqrt(value or 0), "group": d.get("type", ""),
                      "shape": "diamond" if d.get("folded") else "dot"})  # a folded group of nodes stands out
    edges = []
    for u, v, d in G.edges(data=True):
        edges.append({"from": u, "to": v, "title": html.escape(f"{d.get('type')} ({d.get('method')})"),
                      "color": "#d62728" if d.get("conflict") else "#b8b8b8",
                      "width": min(6.0, 0.5 + math.log1p(d.get("weight") or 1)),
                      "arrows": "" if d.get("type") == "CO_MENTIONED" else "to"})
    return nodes, edges


def legend_html(G: nx.MultiDiGraph) -> str:
    """A colour legend of the node types present (escaped)."""
    colors = type_colors()
    present = sorted({d.get("type") for _, d in G.nodes(data=True)} - {None})
    items = "".join(f'<span style="display:inline-block;margin:0 10px 4px 0"><span style="display:inline-block;'
                    f'width:11px;height:11px;border-radius:6px;background:{colors.get(t, "#999")}"></span> '
                    f'{html.escape(t)}</span>' for t in present)
    return f'<div id="legend" style="font:12px sans-serif;padding:4px 8px">{items}</div>'


def to_pyvis_html(G: nx.MultiDiGraph, layout: str = "chain lanes", language: str = "English",
                  size_by: str = "degree", physics: bool = False, height: str = "680px",
                  positions: dict | None = None, heading: str = "") -> str:
    """A standalone, offline HTML page drawing ``G`` with pyvis / vis-network.

    Parameters
    ----------
    layout : {"chain lanes", "force-directed"}
        Positions computed in Python; ignored when ``positions`` is given.
    physics : bool
        Let vis-network move the nodes (off by default: fixed positions draw fast even for 10,000 nodes).

    Examples
    --------
    >>> from graph import build_graph
    >>> page = to_pyvis_html(build_graph())
    >>> 'src="http' in page, 'href="http' in page, "new vis.Network" in page
    (False, False, True)
    """
    from pyvis.network import Network

    pos = positions if positions is not None else LAYOUTS[layout](G)
    nodes, edges = vis_data(G, pos, language, size_by)
    net = Network(height=height, width="100%", directed=True, cdn_resources="in_line", heading="")
    net.nodes, net.edges = nodes, edges
    net.node_ids = [n["id"] for n in nodes]
    net.node_map = {n["id"]: n for n in nodes}
    options = {
        "physics": {"enabled": bool(physics), "stabilization": {"iterations": 200}},
        "edges": {"smooth": False, "arrows": {"to": {"scaleFactor": 0.4}}},
        "nodes": {"font": {"size": 12}},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": True},
        "layout": {"improvedLayout": False},
    }
    net.set_options(json.dumps(options))
    page = net.generate_html(notebook=False)
    page = _CDN_TAG.sub("", page)
    page = page.replace("network = new vis.Network(container, data, options);", _TITLES_TO_ELEMENTS, 1)
    head = (f'<h3 style="font:16px sans-serif;margin:6px 8px">{html.escape(heading)}</h3>' if heading else "")
    if positions is None and layout == "chain lanes":
        head += ('<div style="font:12px sans-serif;padding:0 8px;color:#555">Lanes, left to right: '
                 + " → ".join(LANE_TITLES) + "</div>")
    page = page.replace("<body>", "<body>" + head + legend_html(G), 1)
    return page


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def markdown_text(text) -> str:
    r"""``text`` with every Markdown special character backslash-escaped, so names and quotes show as written.

    Examples
    --------
    >>> print(markdown_text("data_corpus *x* [a](javascript:1) $5"))
    data\_corpus \*x\* \[a\]\(javascript\:1\) \$5
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def highlight_html(sentence: str, start: int, end: int) -> str:
    """A sentence with ``[start, end)`` marked; all text escaped.

    Examples
    --------
    >>> highlight_html("a <b> c", 2, 5)
    'a <mark>&lt;b&gt;</mark> c'
    """
    e = html.escape
    return e(sentence[:start]) + "<mark>" + e(sentence[start:end]) + "</mark>" + e(sentence[end:])
