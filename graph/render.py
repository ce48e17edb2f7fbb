"""HTML: an offline, escaped pyvis page of a graph, and highlighted evidence sentences. No Streamlit here.

pyvis's own ``Network.add_node`` checks every new node against a list of the nodes so far (quadratic); the node and
edge lists are built here in one pass and given to pyvis's page template, which inlines the vis-network script
(``cdn_resources="in_line"``). pyvis's template still links Bootstrap from a CDN; those tags are removed,
so the page makes no request. Every piece of text that becomes a tooltip is HTML-escaped here; the page turns the
escaped tooltip into an element so it shows as text with line breaks whatever vis-network does with strings.
"""

from __future__ import annotations

import html
import json
import math
import re
from functools import lru_cache
from pathlib import Path

import networkx as nx

from loaders.catalogue import load_catalogue

from .layout import LAYOUTS, chain_plan, node_sizes
from .model import catalogue_of

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
    return _tooltip(G, G.nodes[node], node)


def _tooltip(G: nx.MultiDiGraph, d: dict, node) -> str:
    """:func:`tooltip_html` of the node ``node`` with attributes ``d`` (vis_data has them at hand)."""
    e = html.escape
    lines = [f"<b>{e(str(d.get('name', node)))}</b>"]
    names = " / ".join(x for x in (d.get("name_zh"), d.get("name_ja")) if x)
    if names:
        lines.append(e(names))
    lines.append(e(d.get("type", "")) + (f" · {d['mentions']} mentions" if d.get("mentions") else ""))
    segments = d.get("segments")
    if segments:
        segs = [G.nodes[s].get("name", s) if s in G else s for s in segments]
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
    """vis-network node and edge dicts in one pass over the edges and one over the nodes (linear).

    Keys are in sorted order, so the page's JSON (which pyvis's template writes with sorted keys) comes out the same
    from a plain ``json.dumps``, without sorting 30,000 small dicts again (:func:`to_pyvis_html`)."""
    # Edges share a few types, methods and weights: their title and width are computed once per distinct value. The
    # degrees are counted on the way (as G.degree() counts them: in + out, a loop twice) instead of a second pass.
    titles, widths = {}, {}
    degree = dict.fromkeys(G, 0)
    edges = []
    for u, v, d in G.edges(data=True):
        degree[u] += 1
        degree[v] += 1
        kind, method = d.get("type"), d.get("method")
        try:
            title = titles[kind, method]
        except KeyError:
            title = titles[kind, method] = html.escape(f"{kind} ({method})")
        except TypeError:  # a list read back from a file, say: written as it is, not kept
            title = html.escape(f"{kind} ({method})")
        weight = d.get("weight") or 1
        width = widths.get(weight)
        if width is None:
            width = widths[weight] = min(6.0, 0.5 + math.log1p(weight))
        edges.append({"arrows": "" if kind == "CO_MENTIONED" else "to",
                      "color": "#d62728" if d.get("conflict") else "#b8b8b8", "from": u, "title": title, "to": v,
                      "width": width})
    colors = type_colors()
    by_degree = size_by == "degree"
    sqrt = math.sqrt
    nodes = []
    for n, d in G.nodes(data=True):
        value = degree[n] if by_degree else d.get("mentions", 0)
        x, y = positions.get(n, (0.0, 0.0))
        nodes.append({"color": colors.get(d.get("type"), "#999999"), "group": d.get("type", ""), "id": n,
                      "label": node_label(d, language)[:40],
                      "shape": "diamond" if d.get("folded") else "dot",  # a folded group of nodes stands out
                      "size": 8 + 4 * sqrt(value or 0), "title": _tooltip(G, d, n), "x": float(x), "y": float(y)})
    return nodes, edges


def legend_html(G: nx.MultiDiGraph) -> str:
    """A colour legend of the node types present (escaped)."""
    colors = type_colors()
    present = sorted({d.get("type") for _, d in G.nodes(data=True)} - {None})
    items = "".join(f'<span style="display:inline-block;margin:0 10px 4px 0"><span style="display:inline-block;'
                    f'width:11px;height:11px;border-radius:6px;background:{colors.get(t, "#999")}"></span> '
                    f'{html.escape(t)}</span>' for t in present)
    return f'<div id="legend" style="font:12px sans-serif;padding:4px 8px">{items}</div>'


class _PyvisTemplates:
    """pyvis's page template in one jinja2 Environment per process, its scripts and styles included as text.

    pyvis builds a new Environment per ``Network``, so every page compiled the template again, with the 700 kB of
    vis-network script and style it includes, which jinja2 compiles as templates too (0.15 s). Here the template is
    compiled once, and a file under ``lib/`` without template syntax is given to it as its text with jinja2's own
    newline handling (newlines as ``\\n``, one trailing newline dropped): what rendering it as a template writes.
    """

    def __init__(self):
        import importlib.util

        import jinja2

        folder = Path(importlib.util.find_spec("pyvis").submodule_search_locations[0]) / "templates"
        texts: dict[str, str] = {}

        class Loader(jinja2.FileSystemLoader):
            def get_source(self, environment, template):
                source, filename, uptodate = super().get_source(environment, template)
                if template.startswith("lib/") and not any(tag in source for tag in ("{{", "{%", "{#")):
                    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
                    texts[template] = "\n".join(lines[:-1] if lines[-1] == "" else lines)
                    source = "{{ pyvis_lib[%r] }}" % template
                return source, filename, uptodate

        self.env = jinja2.Environment(loader=Loader(str(folder)))
        self.env.globals["pyvis_lib"] = texts
        # vis_data builds every dict with its keys in sorted order, so unsorted JSON is byte for byte jinja2's
        # default tojson (sorted keys; <, >, &, ' as \\u escapes) without sorting 30,000 small dicts again.
        self.env.policies["json.dumps_kwargs"] = {}


@lru_cache(maxsize=1)
def _pyvis_templates() -> _PyvisTemplates:
    return _PyvisTemplates()


def _pyvis_page(nodes: list, edges: list, options: dict, height: str) -> str:
    """pyvis's page for these vis-network lists and options: its template given the values
    ``Network.generate_html`` gives it for a directed network with in-line scripts and no menus (``tooltip_link`` is
    on when a title contains "href", as there), without building a ``pyvis.network.Network`` (importing that module
    imports IPython: 0.5 s or more)."""
    return _pyvis_templates().env.get_template("template.html").render(
        height=height, width="100%", nodes=nodes, edges=edges, heading="", options=json.dumps(options),
        physics_enabled=bool(options["physics"]["enabled"]), use_DOT=False, dot_lang="", widget=False,
        bgcolor="#ffffff", conf=False, tooltip_link=any("href" in n["title"] for n in nodes if n.get("title")),
        neighborhood_highlight=False, select_menu=False, filter_menu=False, notebook=False, cdn_resources="in_line")


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
    pos = positions if positions is not None else LAYOUTS[layout](G)
    nodes, edges = vis_data(G, pos, language, size_by)
    options = {
        "physics": {"enabled": bool(physics), "stabilization": {"iterations": 200}},
        "edges": {"smooth": False, "arrows": {"to": {"scaleFactor": 0.4}}},
        "nodes": {"font": {"size": 12}},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": True},
        "layout": {"improvedLayout": False},
    }
    page = _pyvis_page(nodes, edges, options, height)
    page = _CDN_TAG.sub("", page)
    page = page.replace("network = new vis.Network(container, data, options);", _TITLES_TO_ELEMENTS, 1)
    head = (f'<h3 style="font:16px sans-serif;margin:6px 8px">{html.escape(heading)}</h3>' if heading else "")
    if positions is None and layout == "chain lanes":
        head += ('<div style="font:12px sans-serif;padding:0 8px;color:#555">Lanes, left to right: '
                 + html.escape(" → ".join(lane["name_en"] for lane in catalogue_of(G).lanes())) + "</div>")
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


# ------------------------------------------------------------------------------------------------- words of the page
LANGUAGE_CODES = {"English": "en", "中文": "zh", "日本語": "ja"}
UI_FILE = Path(__file__).resolve().parent.parent / "data" / "ui.yaml"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@lru_cache(maxsize=4)
def ui_strings(path: str | None = None) -> dict:
    """The page's words (data/ui.yaml), checked: every entry in en, zh and ja with the same ``{placeholders}``.

    Raises :class:`loaders.errors.InputError` naming the file, the entry and what is missing.

    Examples
    --------
    >>> ui_strings()["strings"]["view_chain"]["zh"]
    '产业链图谱'
    """
    import yaml

    from loaders.errors import InputError

    file = Path(path) if path else UI_FILE
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read the page's words: {exc}", path=file) from exc
    langs = set(LANGUAGE_CODES.values())

    def check(where: str, entry) -> None:
        if not isinstance(entry, dict) or set(entry) != langs or not all(isinstance(v, str) for v in entry.values()):
            raise InputError(f"{where} must give a text for each of en, zh, ja (found {entry!r})", path=file,
                             field=where)
        slots = {lang: sorted(set(_PLACEHOLDER.findall(v))) for lang, v in entry.items()}
        if len({tuple(v) for v in slots.values()}) > 1:
            raise InputError(f"{where}: the languages use different placeholders {slots}", path=file, field=where)

    for section in ("strings", "types", "methods", "metrics"):
        for key, entry in (data.get(section) or {}).items():
            check(f"{section}.{key}", entry)
    for key, entry in (data.get("relations") or {}).items():
        if not isinstance(entry, dict) or set(entry) != {"out", "in"}:
            raise InputError(f"relations.{key} needs `out` and `in`", path=file, field=f"relations.{key}")
        check(f"relations.{key}.out", entry["out"])
        check(f"relations.{key}.in", entry["in"])
    return data


def ui(key: str, language: str = "English", section: str = "strings", **values) -> str:
    """A word of the page in ``language`` (English, 中文 or 日本語), with ``values`` filled in.

    Outside ``strings``, a missing entry falls back to the id made readable (``firm_count`` -> ``firm count``), so a
    metric or type added to the model shows before it is translated.

    Examples
    --------
    >>> ui("more", "English", n=12), ui("Company", "中文", section="types")
    ('+12 more', '企业')
    """
    lang = LANGUAGE_CODES.get(language, "en")
    entry = ui_strings().get(section, {}).get(key)
    if entry is None:
        if section == "strings":
            raise KeyError(f"data/ui.yaml has no string {key!r}")
        return str(key).replace("_", " ")
    text = entry[lang]
    return text.format(**values) if values else text


def relation_name(edge_type: str, outgoing: bool, language: str = "English") -> str:
    """An edge type read from one end: ``LOCATED_IN`` is "located in" from the firm and "hosts" from the place."""
    entry = ui_strings().get("relations", {}).get(edge_type)
    if entry is None:
        return edge_type.replace("_", " ").lower()
    return entry["out" if outgoing else "in"][LANGUAGE_CODES.get(language, "en")]


_WIDE = re.compile(r"[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]")


def short_label(text: str, width: int = 26) -> str:
    """``text`` cut to about ``width`` Latin characters (a CJK character counts two), at a word boundary, with "…".

    Examples
    --------
    >>> short_label("National and Local Co-built Humanoid Robot Innovation Center", 26)
    'National and Local…'
    >>> short_label("国家地方共建人形机器人创新中心", 16)
    '国家地方共建人…'
    """
    text = " ".join(str(text).split())
    if len(text) + len(_WIDE.findall(text)) <= width:  # fits: most labels, without a look at every character
        return text
    units = [2 if _WIDE.match(ch) else 1 for ch in text]
    used, cut = 0, 0
    for i, u in enumerate(units):
        if used + u > width - 1:
            break
        used += u
        cut = i + 1
    head = text[:cut]
    space = head.rfind(" ")
    if space >= len(head) // 2:  # a word boundary not too far back
        head = head[:space]
    return head.rstrip(" ,;:-–(") + "…"


def highlight_spans(sentence: str, spans) -> str:
    """A sentence with every ``(start, end)`` span marked (overlaps merged); all text escaped.

    Examples
    --------
    >>> highlight_spans("AgiBot and <AgiBot>", [(0, 6), (12, 18)])
    '<mark>AgiBot</mark> and &lt;<mark>AgiBot</mark>&gt;'
    """
    e = html.escape
    merged: list[list[int]] = []
    for s, t in sorted((max(0, a), min(len(sentence), b)) for a, b in spans):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], t)
        elif t > s:
            merged.append([s, t])
    out, at = [], 0
    for s, t in merged:
        out.append(e(sentence[at:s]) + "<mark>" + e(sentence[s:t]) + "</mark>")
        at = t
    return "".join(out) + e(sentence[at:])


# ------------------------------------------------------------------------------------- the explorer's drawing (spec)
WEB_DIR = Path(__file__).resolve().parent / "web"


def type_legend(G: nx.MultiDiGraph, language: str = "English") -> list[dict]:
    """Legend items (colour, type name in ``language``) for the node types present, in schema order."""
    colors = type_colors()
    present = {d.get("type") for _, d in G.nodes(data=True)}
    return [{"color": c, "text": ui(t, language, "types")} for t, c in colors.items() if t in present]


def tooltip_lines(G: nx.MultiDiGraph, node, language: str = "English") -> list[str]:
    """Plain-text tooltip lines (the page sets them as text): names, type, mentions, segments, first evidence."""
    return _tooltip_lines(G, node, G.nodes[node], language, {})


def _tooltip_lines(G: nx.MultiDiGraph, node, d: dict, language: str, words: dict) -> list[str]:
    """:func:`tooltip_lines` of ``node`` with attributes ``d``; ``words`` keeps the page's words (:func:`ui`) looked
    up so far for this drawing, so that 10,000 tooltips look up each type name once."""

    def word(key, section="strings"):
        text = words.get((section, key))
        if text is None:
            text = words[section, key] = ui(key, language, section)
        return text

    lines = [node_label(d, language) or str(node)]
    others = [x for x in dict.fromkeys((d.get("name_en"), d.get("name_zh"), d.get("name_ja"))) if x and x != lines[0]]
    if others:
        lines.append(" / ".join(others))
    kind = word(d.get("type", ""), "types")
    lines.append(kind + (f" · {word('mentions')} {d['mentions']}" if d.get("mentions") else ""))
    segs = [node_label(G.nodes[s], language) if s in G else s for s in d.get("segments", [])]
    if segs:
        lines.append(word("in_segments") + ": " + ", ".join(map(str, segs[:5])))
    if d.get("text"):
        lines.append(str(d["text"]))
    ev = (d.get("evidence") or [None])[0]
    if ev:
        lines.append("“" + str(ev["quote"])[:160] + "”")
    return lines


def network_spec(G: nx.MultiDiGraph, layout: str = "chain lanes", language: str = "English",
                 size_by: str = "degree", physics: bool = False, selected=None, focus=None,
                 height: int = 640, key: str = "", title: str = "") -> dict:
    """What the explorer's network drawing needs, as plain data (the component and the offline page draw it).

    Nodes carry position, size, colour, a short label (cut at a word boundary) and a rank: the page draws labels
    at a constant size on screen, most important first (by size, then name), skipping any that would overlap one
    already drawn. Lanes (id, x, width, title in ``language``) are drawn as headers over the canvas.
    """
    sizes = node_sizes(G, size_by)
    lanes = []
    if layout == "chain lanes":
        pos, drawn = chain_plan(G, sizes)
        names = {lane["id"]: lane for lane in catalogue_of(G).lanes()}
        lang = LANGUAGES.get(language, "name_en")
        lanes = [{"x": lane["x"] - 10.0, "width": lane["width"],
                  "title": names.get(lane["id"], {}).get(lang) or names.get(lane["id"], {}).get("name_en", lane["id"])}
                 for lane in drawn]
    else:
        pos = LAYOUTS[layout](G)
    colors = type_colors()
    order = sorted(G.nodes, key=lambda n: (-sizes[n], str(G.nodes[n].get("name", n))))
    rank = {n: i for i, n in enumerate(order)}
    nodes, words = [], {}
    for n, d in G.nodes(data=True):
        x, y = pos.get(n, (0.0, 0.0))
        nodes.append({"id": n, "x": float(x), "y": float(y), "size": round(sizes[n], 1),
                      "color": colors.get(d.get("type"), "#999999"), "shape": "diamond" if d.get("folded") else "dot",
                      "text": short_label(node_label(d, language) or str(n)), "rank": rank[n],
                      "tooltip": _tooltip_lines(G, n, d, language, words)})
    # Edges share a few types and weights: their title and width are computed once per distinct value.
    titles, widths = {}, {}
    edges = []
    for u, v, d in G.edges(data=True):
        kind = d.get("type", "")
        relation = titles.get(kind)  # (not `title`: that is the drawing's title)
        if relation is None:
            relation = titles[kind] = relation_name(kind, True, language)
        weight = d.get("weight") or 1
        width = widths.get(weight)
        if width is None:
            width = widths[weight] = min(6.0, 0.5 + math.log1p(weight))
        edges.append({"from": u, "to": v, "title": relation, "color": "#d62728" if d.get("conflict") else "#c4c4c4",
                      "width": width, "arrows": "" if kind == "CO_MENTIONED" else "to"})
    return {"mode": "network", "key": key, "title": title, "nodes": nodes, "edges": edges, "lanes": lanes,
            "legend": type_legend(G, language), "physics": bool(physics), "selected": selected, "focus": focus,
            "height": height, "texts": {"fit": ui("fit", language)}}


def standalone_page(spec: dict) -> str:
    """The explorer's drawing as one offline HTML file: the component page with vis-network and ``spec`` inlined.

    Examples
    --------
    >>> page = standalone_page({"mode": "chain", "key": "k", "stages": [], "legend": []})
    >>> "STANDALONE_SPEC" in page and 'src="vis-network' not in page
    True
    """
    page = (WEB_DIR / "index.html").read_text(encoding="utf-8")
    script = (WEB_DIR / "vis-network.min.js").read_text(encoding="utf-8")
    # JSON inside a script element: "<", ">" and "&" as \u escapes so no text can close the element.
    data = json.dumps(spec, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    inline = "<script>" + script.replace("</script", "<\\/script") + "</script>\n<script>window.STANDALONE_SPEC = " \
             + data + ";</script>"
    return page.replace('<script src="vis-network.min.js"></script>', inline, 1)
