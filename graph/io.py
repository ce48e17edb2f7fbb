"""Graph files: GraphML, GEXF, node-link JSON, graphology JSON and Cytoscape JSON, as generators plus one writer.

Every format is a generator of text chunks (``generate_graphml(G)``, ``generate_gexf(G)``, ...), modelled on
networkx's ``generate_graphml``/``write_graphml`` pair, so the app's downloads (:func:`graph_bytes`), the CLI, the
export bundle and the tests run the same code; :func:`write_chunks` is the one writer (temporary file beside the
target, renamed at the end; honours the umask; removed on error or SIGTERM; output failures raise
:class:`loaders.errors.OutputError`).

What the files hold:

- GraphML and GEXF hold only scalars: list and dict attributes (``aliases``, ``evidence``...) are JSON strings,
  ``None`` is dropped, keys are typed as data/schema.yaml says. :func:`read_graph` decodes them again.
- The picture: positions from the app's chain-lane layout (:mod:`graph.layout`, force-directed on request), the
  colour of the node type from data/schema.yaml and a size growing with the degree, as ``viz:`` elements in GEXF and
  as ``x``, ``y``, ``size``, ``r``, ``g``, ``b`` node data in GraphML (what Gephi, Gephi Lite and Cytoscape read).
  y grows upwards (Gephi, sigma.js); Cytoscape's JSON has y downwards like the app.
- GraphML node keys for R: ``name`` holds the node id (unique: R igraph makes it the vertex name) and ``label`` the
  display name; ``display_name`` is written only where the node's ``name`` differs from its label.
- Text that XML cannot hold (C0 controls other than tab, LF and CR; U+FFFE, U+FFFF; lone surrogates) is replaced
  by U+FFFD, and JSON never holds NaN or Infinity (written as null); the writers count what they changed in
  ``notes`` (a :class:`collections.Counter`) so callers can say so.
- No absolute local paths: a document's ``path`` and the graph's ``rosters`` are written as file names.
"""

from __future__ import annotations

import errno
import gc
import json
import math
import os
import re
import secrets
import signal
import threading
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import networkx as nx

from loaders.catalogue import load_catalogue
from loaders.errors import InputError, OutputError

# name -> (file suffix, MIME type, what opens it). The suffix picks the format in write_graph and read_graph.
FORMATS = {
    "graphml": (".graphml", "application/xml", "Gephi, Gephi Lite, Cytoscape, yEd, igraph (Python, R), graph-tool"),
    "gexf": (".gexf", "application/xml", "Gephi, Gephi Lite, sigma.js (graphology-gexf)"),
    "json": (".json", "application/json", "networkx node-link JSON, lossless, with document texts"),
    "graphology": (".graphology.json", "application/json", "graphology / sigma.js / Gephi Lite (Graph.from)"),
    "cytoscape": (".cyjs", "application/json", "Cytoscape.js (cy.json) and Cytoscape desktop (.cyjs)"),
}
LAYOUT_NAMES = ("chain lanes", "force-directed")
DRAWING_ATTRIBUTES = ("x", "y", "size", "r", "g", "b", "color")  # added for the picture; read_graph drops them
GENERATOR = "Ecosystem Graph Explorer"
_PY_TYPES = {"string": str, "int": int, "double": float, "boolean": bool}

# --------------------------------------------------------------------------------------------------- text hygiene
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TEXT_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ATTR_SPECIAL = re.compile("[&<>\"\t\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def xml_safe(text: str, notes: Counter | None = None) -> str:
    """``text`` with the characters XML 1.0 cannot hold replaced by U+FFFD (counted in ``notes``).

    Examples
    --------
    >>> xml_safe("a\\x00b\\ufffe\\tc")
    'a\\ufffdb\\ufffd\\tc'
    """
    if _XML_BAD.search(text) is None:
        return text
    if notes is not None:
        notes["characters XML cannot hold, replaced by U+FFFD"] += len(_XML_BAD.findall(text))
    return _XML_BAD.sub(REPLACEMENT, text)


def _text(s: str, notes) -> str:
    """Element content: & < > escaped, CR as a reference (parsers turn a literal CR into LF)."""
    if _TEXT_SPECIAL.search(s) is None:
        return s
    s = xml_safe(s, notes)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _attr(s: str, notes) -> str:
    """Attribute value in double quotes: tab, LF and CR as references (parsers turn them into spaces)."""
    if _ATTR_SPECIAL.search(s) is None:
        return s
    s = xml_safe(s, notes)
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;"))


def json_safe(value, notes: Counter | None = None):
    """``value`` with NaN/Infinity as None and lone surrogates as U+FFFD, so it encodes as strict UTF-8 JSON.

    Examples
    --------
    >>> json_safe({"a": [float("nan"), 1.5, "x\\ud800"]})
    {'a': [None, 1.5, 'x\\ufffd']}
    """
    if isinstance(value, str):
        if _SURROGATE.search(value) is None:
            return value
        if notes is not None:
            notes["lone surrogates, replaced by U+FFFD"] += len(_SURROGATE.findall(value))
        return _SURROGATE.sub(REPLACEMENT, value)
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        if notes is not None:
            notes["NaN or infinite numbers, written as null"] += 1
        return None
    if isinstance(value, dict):
        return {json_safe(str(k), notes): json_safe(v, notes) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [json_safe(v, notes) for v in value]
    if value is None or isinstance(value, (bool, int)):
        return value
    return json_safe(str(value), notes)


_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, allow_nan=False)  # one encoder for every value


def public_path(value) -> str:
    """Only the file name of a local path (exports never carry this machine's folders).

    Examples
    --------
    >>> public_path("/home/me/press/2025-03.txt"), public_path("")
    ('2025-03.txt', '')
    """
    if not value:
        return "" if value is None else value
    return Path(str(value)).name


def public_graph_attributes(G: nx.MultiDiGraph, texts: bool = False) -> dict:
    """Graph attributes as exported: roster paths as file names; ``document_texts`` only when ``texts``."""
    out = {}
    for k, v in G.graph.items():
        if (k == "document_texts" and not texts) or k == "data_dir":  # data_dir: a folder on this machine
            continue
        if k == "rosters" and isinstance(v, (list, tuple)):
            v = [public_path(r) for r in v]
        out[k] = v
    return out


def _public_node_attributes(d: dict) -> dict:
    if d.get("type") == "Document" and d.get("path"):
        d = {**d, "path": public_path(d["path"])}
    return d


# ------------------------------------------------------------------------------------------------------- drawing
def node_drawing(G: nx.MultiDiGraph, layout: str | None = "chain lanes", positions: dict | None = None) -> dict:
    """``{node: (x, y, size, "#rrggbb")}``: the app's layout (y upwards), size by degree, colour by type.

    Parameters
    ----------
    layout : "chain lanes", "force-directed" or None
        None draws nothing (positions 0, 0) unless ``positions`` is given.
    positions : dict, optional
        ``{node: (x, y)}`` in screen orientation (y downwards), e.g. a layout computed already.

    Examples
    --------
    >>> from graph import build_graph
    >>> G = build_graph()
    >>> x, y, size, color = node_drawing(G)["agibot"]
    >>> color == load_catalogue().schema["node_types"]["Company"]["color"]
    True
    """
    from .layout import LAYOUTS, chain_lanes, node_sizes
    from .render import type_colors

    sizes = node_sizes(G, "degree")  # the app's sizes and layout: the files show the picture the app draws
    if positions is None:
        if layout is None:
            positions = {}
        elif layout not in LAYOUTS:
            raise InputError(f"unknown layout {layout!r}; use one of {', '.join(LAYOUTS)}")
        elif LAYOUTS[layout] is chain_lanes:
            positions = chain_lanes(G, sizes)
        else:
            positions = LAYOUTS[layout](G)
    colors = type_colors()
    out = {}
    for n, d in G.nodes(data=True):
        x, y = positions.get(n, (0.0, 0.0))
        out[n] = (round(float(x), 2), round(-float(y), 2), round(sizes[n], 2), colors.get(d.get("type"), "#999999"))
    return out


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


# ---------------------------------------------------------------------------------------------- attribute typing
def _attribute_kinds(G: nx.MultiDiGraph | None = None) -> tuple[dict, dict]:
    """Node and edge attribute kinds from the schema ``G`` was built with (data/schema.yaml by default)."""
    if G is not None:
        from .model import catalogue_of

        schema = catalogue_of(G).schema
    else:
        schema = load_catalogue().schema
    return schema["node_attributes"], schema["edge_attributes"]


def _kind_of_value(v) -> str:
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "double"
    if isinstance(v, (list, dict, tuple, set)):
        return "json"
    return "string"


def _collect_kinds(items, declared: dict) -> dict:
    """Attribute name -> kind for every attribute present, in first-seen order; the schema's kind when declared."""
    names: dict = {}
    for d in items:
        names.update(dict.fromkeys(d))
    kinds = {}
    undeclared = [k for k in names if k not in declared]
    for k in names:
        if k in declared:
            kinds[k] = declared[k]
    if undeclared:
        seen: dict[str, set] = {k: set() for k in undeclared}
        for d in items:
            for k in undeclared:
                if k in d and d[k] is not None:
                    seen[k].add(_kind_of_value(d[k]))
        for k in undeclared:
            s = seen[k]
            kinds[k] = (s.pop() if len(s) == 1 else "double" if s <= {"int", "double"} else "json" if "json" in s
                        else "string") if s else "string"
    return kinds


def _scalar(value, kind: str, notes=None):
    """A value as the scalar its kind declares (str/int/float/bool), or None when there is nothing to write."""
    if value is None:
        return None
    if kind == "json" or isinstance(value, (list, dict, tuple, set)):
        if isinstance(value, (set, tuple)):
            value = list(value)
        return _json_text(value, notes)
    if kind == "string":
        return value if isinstance(value, str) else str(value)
    if kind == "boolean":
        return bool(value)
    try:
        v = _PY_TYPES[kind](value)
    except (TypeError, ValueError, KeyError):
        return str(value)
    if isinstance(v, float) and not math.isfinite(v):
        if notes is not None:
            notes["NaN or infinite numbers, left out"] += 1
        return None
    return v


def _json_text(value, notes=None) -> str:
    """JSON text of a list or dict: encoded as is when it can be (the common case), else after :func:`json_safe`."""
    try:
        text = _JSON.encode(value)
    except (ValueError, TypeError):  # NaN or infinity; a set or another type JSON has no name for
        return _JSON.encode(json_safe(value, notes))
    if _SURROGATE.search(text) is not None:
        return _JSON.encode(json_safe(value, notes))
    return text


def _xml_value(v, kind: str, notes, escape) -> str | None:
    """``v`` as the escaped text of its declared kind, or None when there is nothing to write."""
    t = type(v)
    if t is str and kind == "string":
        return escape(v, notes)
    if t is list or t is dict or t is tuple or t is set or kind == "json":
        return escape(_json_text(v if t is not set and t is not tuple else list(v), notes), notes)
    v = _scalar(v, kind, notes)
    if v is None:
        return None
    return escape(v, notes) if isinstance(v, str) else _lexical(v)


def _in_chunks(pieces, size: int = 256):
    """Strings joined ``size`` at a time: few, large writes instead of one per element."""
    buf = []
    for piece in pieces:
        buf.append(piece)
        if len(buf) >= size:
            yield "".join(buf)
            buf = []
    if buf:
        yield "".join(buf)


def _escaped_edges(G: nx.MultiDiGraph, ident, notes):
    """``(index, source, target, key, attributes)`` for every edge, endpoints as escaped XML attribute text of
    ``ident(node)``; the index gives the unique edge ids ``e0, e1, …`` both XML formats write."""
    i = 0
    for u, nbrs in G._adj.items():
        su = _attr(ident(u), notes)
        for v, kd in nbrs.items():
            sv = _attr(ident(v), notes)
            for key, d in kd.items():
                yield i, su, sv, key, d
                i += 1


def _append_values(parts: list, d: dict, info: dict, notes, escape, close: str) -> None:
    """One XML element per declared attribute of ``d`` (GraphML ``<data>``, GEXF ``<attvalue>``): ``info[k]`` is
    the element's opening text and the attribute's kind, ``close`` what ends it."""
    for k, v in d.items():
        spec = info.get(k)
        if spec is None or v is None:
            continue
        text = _xml_value(v, spec[1], notes, escape)
        if text is not None:
            parts.append(f"{spec[0]}{text}{close}")


def _lexical(v) -> str:
    if v is True:
        return "true"
    if v is False:
        return "false"
    return repr(v) if isinstance(v, float) else str(v)


# --------------------------------------------------------------------------------------------------------- GraphML
_NMTOKEN_SAFE = re.compile(r"^[A-Za-z0-9._:\-]+$")


def xml_node_ids(G: nx.MultiDiGraph) -> dict:
    """``{node: id in the GraphML file}``: the node id itself when it is a valid XML NMTOKEN, else an escaped form.

    GraphML ids must be NMTOKENs (no spaces, no '|'); the real id is always in the ``name`` data of the node.

    Examples
    --------
    >>> G = nx.MultiDiGraph(); G.add_nodes_from(["agibot", "doc:my file"])
    >>> xml_node_ids(G)
    {'agibot': 'agibot', 'doc:my file': 'doc:my_x20_file'}
    """
    out, taken = {}, set()
    unsafe = []
    for n in G.nodes:
        s = str(n)
        if _NMTOKEN_SAFE.match(s):
            out[n] = s
            taken.add(s)
        else:
            unsafe.append(n)
    for n in unsafe:
        base = "".join(c if _NMTOKEN_SAFE.match(c) else f"_x{ord(c):x}_" for c in str(n)) or "_x_"
        cand, i = base, 2
        while cand in taken:
            cand, i = f"{base}_{i}", i + 1
        out[n] = cand
        taken.add(cand)
    return out


def _key_id(domain: str, name: str, i: int) -> str:
    return f"d{domain[0]}{i}"  # dg0, dn0, de0...: short (one per data element) and unique across domains


_GRAPHML_TYPES = {"string": "string", "int": "int", "double": "double", "boolean": "boolean", "json": "string"}


def generate_graphml(G: nx.MultiDiGraph, layout: str | None = "chain lanes", positions: dict | None = None,
                     notes: Counter | None = None):
    """GraphML text of ``G``, in chunks (valid against the GraphML 1.0 XSD).

    Edge ids are ``e0, e1, ...`` (unique in the file); the multigraph key is the edge data ``edge_key``; key ids are
    ``dg0``, ``dn0``, ``de0``... (unique across domains); graph data comes first. Nodes carry ``name``
    (the node id), ``label`` (display name), ``x``, ``y``, ``size``, ``r``, ``g``, ``b``.

    Examples
    --------
    >>> G = nx.MultiDiGraph(); G.add_edge("a", "b", key="K:rule", type="PART_OF")
    'K:rule'
    >>> text = "".join(generate_graphml(G, layout=None))
    >>> '<edge id="e0" source="a" target="b">' in text and '<data key="de0">K:rule</data>' in text
    True
    """
    node_kinds, edge_kinds = _attribute_kinds(G)
    draw = node_drawing(G, layout, positions) if (layout or positions) else None
    graph_attrs = {k: _scalar(v, "json" if isinstance(v, (list, dict, tuple)) else _kind_of_value(v), notes)
                   for k, v in public_graph_attributes(G).items()}
    graph_attrs["node_key"] = "name"  # tells read_graph (and people) which node data holds the graph's node id
    graph_attrs = {k: v for k, v in graph_attrs.items() if v is not None}
    nkinds = {"name": "string", "label": "string", "display_name": "string"}
    nkinds.update({k: v for k, v in _collect_kinds(G._node.values(), node_kinds).items() if k not in ("name", "label")})
    if draw is not None:
        nkinds.update({"x": "double", "y": "double", "size": "double", "r": "int", "g": "int", "b": "int"})
    ekinds = {"edge_key": "string", **_collect_kinds((d for _, nbrs in G._adj.items() for kd in nbrs.values()
                                                  for d in kd.values()), edge_kinds)}
    yield ('<?xml version="1.0" encoding="UTF-8"?>\n'
           '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
           'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
           'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
    gids, nids, eids = {}, {}, {}
    lines = []
    for domain, kinds, ids in (("graph", {k: _kind_of_value(v) for k, v in graph_attrs.items()}, gids),
                               ("node", nkinds, nids), ("edge", ekinds, eids)):
        for i, (name, kind) in enumerate(kinds.items()):
            kid = ids[name] = _key_id(domain, name, i)
            if kind == "json":
                kind = "string"
            lines.append(f'  <key id="{kid}" for="{domain}" attr.name="{_attr(_safe_name(name), notes)}" '
                         f'attr.type="{_GRAPHML_TYPES.get(kind, "string")}"/>\n')
    yield "".join(lines)
    yield '  <graph id="G" edgedefault="directed">\n'
    yield "".join(f'    <data key="{gids[k]}">{_text(_lexical(v) if not isinstance(v, str) else v, notes)}</data>\n'
                  for k, v in graph_attrs.items())
    xid = xml_node_ids(G)
    special = {"name", "label", "display_name"} | (set(DRAWING_ATTRIBUTES) if draw is not None else set())
    node_info = {k: (f'      <data key="{nids[k]}">', kind) for k, kind in nkinds.items() if k not in special}
    k_name, k_label, k_display = nids["name"], nids["label"], nids["display_name"]
    if draw is not None:
        k_x, k_y, k_size, k_r, k_g, k_b = (nids[k] for k in ("x", "y", "size", "r", "g", "b"))
    def node_elements():
        for n, d in G._node.items():
            d = _public_node_attributes(d)
            sid = str(n)
            label = d.get("label")
            name = d.get("name")
            if label is None:
                label = name if name is not None else sid
            parts = [f'    <node id="{_attr(xid[n], notes)}">\n      <data key="{k_name}">{_text(sid, notes)}</data>\n'
                     f'      <data key="{k_label}">{_text(str(label), notes)}</data>\n']
            if name is not None and name != label:
                parts.append(f'      <data key="{k_display}">{_text(str(name), notes)}</data>\n')
            _append_values(parts, d, node_info, notes, _text, "</data>\n")
            if draw is not None:
                x, y, size, color = draw[n]
                r, g, b = _rgb(color)
                parts.append(f'      <data key="{k_x}">{x!r}</data>\n      <data key="{k_y}">{y!r}</data>\n'
                             f'      <data key="{k_size}">{size!r}</data>\n      <data key="{k_r}">{r}</data>\n'
                             f'      <data key="{k_g}">{g}</data>\n      <data key="{k_b}">{b}</data>\n')
            parts.append("    </node>\n")
            yield "".join(parts)

    yield from _in_chunks(node_elements())
    edge_info = {k: (f'      <data key="{eids[k]}">', kind) for k, kind in ekinds.items() if k != "edge_key"}
    k_key = eids["edge_key"]
    def edge_elements():
        for i, su, sv, key, d in _escaped_edges(G, xid.__getitem__, notes):
            parts = [f'    <edge id="e{i}" source="{su}" target="{sv}">\n'
                     f'      <data key="{k_key}">{_text(str(key), notes)}</data>\n']
            _append_values(parts, d, edge_info, notes, _text, "</data>\n")
            parts.append("    </edge>\n")
            yield "".join(parts)

    yield from _in_chunks(edge_elements())
    yield "  </graph>\n</graphml>\n"


def _safe_name(name: str) -> str:
    """attr.name is an NMTOKEN in the GraphML XSD: characters outside it become '_'."""
    s = str(name)
    return s if _NMTOKEN_SAFE.match(s) else re.sub(r"[^A-Za-z0-9._:\-]", "_", s) or "_"


# ------------------------------------------------------------------------------------------------------------ GEXF
_GEXF_TYPES = {"string": "string", "int": "integer", "double": "double", "boolean": "boolean", "json": "string"}


def generate_gexf(G: nx.MultiDiGraph, layout: str | None = "chain lanes", positions: dict | None = None,
                  notes: Counter | None = None):
    """GEXF 1.2 text of ``G`` with ``viz:`` position, colour and size, in chunks.

    The node label is the display name; edges carry ``label`` and ``relation`` (GEXF reserves an edge's ``type`` for
    directed/undirected), the multigraph key ``edge_key`` and the ``weight``. Graph attributes go into ``<meta>``:
    ``<description>`` holds them as a JSON object (GEXF 1.2 has no graph attributes).

    Examples
    --------
    >>> G = nx.MultiDiGraph(); G.add_edge("a", "b", key="K:rule", type="PART_OF", weight=2.0)
    'K:rule'
    >>> text = "".join(generate_gexf(G, layout=None))
    >>> '<edge id="e0" source="a" target="b" label="PART_OF" weight="2.0">' in text
    True
    """
    node_kinds, edge_kinds = _attribute_kinds(G)
    draw = node_drawing(G, layout, positions) if (layout or positions) else None
    meta = json_safe(public_graph_attributes(G), notes)
    nkinds = {k: v for k, v in _collect_kinds(G._node.values(), node_kinds).items() if k != "label"}
    ekinds = _collect_kinds((d for _, nbrs in G._adj.items() for kd in nbrs.values() for d in kd.values()),
                            edge_kinds)
    ekinds.pop("weight", None)
    ekinds = {"relation" if k == "type" else k: v for k, v in ekinds.items()}
    ekinds = {"edge_key": "string", **ekinds}
    yield ('<?xml version="1.0" encoding="UTF-8"?>\n'
           '<gexf xmlns="http://www.gexf.net/1.2draft" xmlns:viz="http://www.gexf.net/1.2draft/viz" '
           'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xsi:schemaLocation="http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd" version="1.2">\n'
           f'  <meta>\n    <creator>{GENERATOR}</creator>\n'
           f'    <description>{_text(_JSON.encode(meta), notes)}</description>\n  </meta>\n'
           '  <graph defaultedgetype="directed" mode="static">\n')
    for cls, kinds in (("node", nkinds), ("edge", ekinds)):
        yield (f'    <attributes class="{cls}" mode="static">\n'
               + "".join(f'      <attribute id="{_attr(k, notes)}" title="{_attr(k, notes)}" '
                         f'type="{_GEXF_TYPES[kind]}"/>\n' for k, kind in kinds.items())
               + "    </attributes>\n")
    yield f'    <nodes count="{G.number_of_nodes()}">\n'
    node_info = {k: (f'          <attvalue for="{_attr(k, notes)}" value="', kind) for k, kind in nkinds.items()}
    def node_elements():
        for n, d in G._node.items():
            d = _public_node_attributes(d)
            label = d.get("label", d.get("name", n))
            parts = [f'      <node id="{_attr(str(n), notes)}" label="{_attr(str(label), notes)}">\n        <attvalues>\n']
            _append_values(parts, d, node_info, notes, _attr, '"/>\n')
            parts.append("        </attvalues>\n")
            if draw is not None:
                x, y, size, color = draw[n]
                r, g, b = _rgb(color)
                parts.append(f'        <viz:size value="{size!r}"/>\n        <viz:position x="{x!r}" y="{y!r}" z="0.0"/>\n'
                             f'        <viz:color r="{r}" g="{g}" b="{b}"/>\n')
            parts.append("      </node>\n")
            yield "".join(parts)

    yield from _in_chunks(node_elements())
    yield "    </nodes>\n"
    yield f'    <edges count="{G.number_of_edges()}">\n'
    edge_info = {("type" if k == "relation" else k): (f'          <attvalue for="{_attr(k, notes)}" value="', kind)
                 for k, kind in ekinds.items() if k != "edge_key"}
    def edge_elements():
        for i, su, sv, key, d in _escaped_edges(G, str, notes):
            relation = d.get("type")
            head = f'      <edge id="e{i}" source="{su}" target="{sv}"'
            if relation is not None:
                head += f' label="{_attr(str(relation), notes)}"'
            w = _scalar(d.get("weight"), "double", notes)
            if isinstance(w, float):
                head += f' weight="{w!r}"'
            parts = [head, '>\n        <attvalues>\n',
                     f'          <attvalue for="edge_key" value="{_attr(str(key), notes)}"/>\n']
            _append_values(parts, d, edge_info, notes, _attr, '"/>\n')
            parts.append("        </attvalues>\n      </edge>\n")
            yield "".join(parts)

    yield from _in_chunks(edge_elements())
    yield "    </edges>\n  </graph>\n</gexf>\n"


# ------------------------------------------------------------------------------------------------------------ JSON
def _json_chunks(data, notes):
    """Strict JSON (no NaN, no lone surrogates) in chunks."""
    enc = json.JSONEncoder(ensure_ascii=False, allow_nan=False)
    yield from _in_chunks(enc.iterencode(json_safe(data, notes)), 4096)
    yield "\n"


def generate_node_link_json(G: nx.MultiDiGraph, notes: Counter | None = None):
    """networkx node-link JSON (``nx.node_link_graph(data, edges="edges")``), lossless, with document texts."""
    data = nx.node_link_data(G, edges="edges")
    data["graph"] = public_graph_attributes(G, texts=True)
    data["nodes"] = [_public_node_attributes(d) for d in data["nodes"]]
    yield from _json_chunks(data, notes)


def _flat(d: dict, notes) -> dict:
    """Attributes as scalars for the JavaScript tools: lists and dicts as JSON text (what Gephi Lite can show)."""
    return {k: (_JSON.encode(json_safe(v, notes)) if isinstance(v, (list, dict, tuple, set)) else v)
            for k, v in d.items() if v is not None}


def generate_graphology_json(G: nx.MultiDiGraph, layout: str | None = "chain lanes", positions: dict | None = None,
                             notes: Counter | None = None):
    """graphology's serialised graph (``Graph.from(data)``; sigma.js, Gephi Lite), in chunks.

    ``{attributes, options: {type: 'directed', multi: true, allowSelfLoops: true}, nodes: [{key, attributes}],
    edges: [{key, source, target, attributes}]}``. Node attributes hold ``label``, ``x``, ``y``, ``size`` and
    ``color`` as sigma.js reads them. sigma.js takes ``type`` as the name of its renderer, so the node type is
    ``node_type`` and the edge type ``relation`` (as in GEXF); the multigraph key is ``edge_key``, lists are JSON text.
    """
    draw = node_drawing(G, layout, positions) if (layout or positions) else None
    nodes = []
    for n, d in G._node.items():
        a = _flat(_public_node_attributes(d), notes)
        if "type" in a:
            a["node_type"] = a.pop("type")
        a.setdefault("label", a.get("name", str(n)))
        if draw is not None:
            a["x"], a["y"], a["size"], a["color"] = draw[n]
        nodes.append({"key": str(n), "attributes": a})
    edges = []
    for i, (u, v, k, d) in enumerate(G.edges(keys=True, data=True)):
        a = _flat(d, notes)
        if "type" in a:
            a["relation"] = a.pop("type")
            a.setdefault("label", a["relation"])
        a["edge_key"] = str(k)
        edges.append({"key": f"e{i}", "source": str(u), "target": str(v), "attributes": a})
    data = {"attributes": _flat(public_graph_attributes(G), notes),
            "options": {"type": "directed", "multi": True, "allowSelfLoops": True}, "nodes": nodes, "edges": edges}
    yield from _json_chunks(data, notes)


CYTOSCAPE_STYLE = [
    {"selector": "node", "style": {"background-color": "data(color)", "width": "data(size)",
                                   "height": "data(size)", "label": "data(label)", "font-size": 10}},
    {"selector": "edge", "style": {"curve-style": "bezier", "target-arrow-shape": "triangle", "width": 1,
                                   "line-color": "#b8b8b8", "target-arrow-color": "#b8b8b8"}},
]


def generate_cytoscape_json(G: nx.MultiDiGraph, layout: str | None = "chain lanes", positions: dict | None = None,
                            notes: Counter | None = None):
    """Cytoscape.js JSON (``cy.json(data)``; Cytoscape desktop imports it as ``.cyjs``), in chunks.

    ``{data, elements: {nodes: [{data: {id, label, ...}, position: {x, y}}], edges: [{data: {id, source, target,
    edge_key, ...}}]}, style}``. Everything the graph says is inside ``data``, never beside it (``group``, ``classes``
    and ``position`` are Cytoscape's own fields); attribute names Cytoscape gives a meaning inside ``data``
    (``id``, ``parent``, ``source``, ``target``) are written with a trailing underscore. y grows downwards.
    """
    draw = node_drawing(G, layout, positions) if (layout or positions) else None
    reserved_node, reserved_edge = {"id", "parent", "source", "target"}, {"id", "parent", "source", "target"}
    nodes = []
    for n, d in G._node.items():
        a = {(k + "_" if k in reserved_node else k): v for k, v in _flat(_public_node_attributes(d), notes).items()}
        a = {"id": str(n), **a}
        a.setdefault("label", a.get("name", str(n)))
        el = {"data": a}
        if draw is not None:
            x, y, size, color = draw[n]
            a["size"], a["color"] = size, color
            el["position"] = {"x": x, "y": -y}
        nodes.append(el)
    edges = []
    for i, (u, v, k, d) in enumerate(G.edges(keys=True, data=True)):
        a = {(key + "_" if key in reserved_edge else key): val for key, val in _flat(d, notes).items()}
        edges.append({"data": {"id": f"e{i}", "source": str(u), "target": str(v), "edge_key": str(k), **a}})
    data = {"format_version": "1.0", "generated_by": GENERATOR, "target_cytoscapejs_version": "~3",
            "data": _flat(public_graph_attributes(G), notes), "elements": {"nodes": nodes, "edges": edges},
            "style": CYTOSCAPE_STYLE}
    yield from _json_chunks(data, notes)


GENERATORS = {"graphml": generate_graphml, "gexf": generate_gexf, "json": generate_node_link_json,
              "graphology": generate_graphology_json, "cytoscape": generate_cytoscape_json}


def generate_graph(G: nx.MultiDiGraph, fmt: str, layout: str | None = "chain lanes", notes: Counter | None = None):
    """The chunks of ``fmt`` ('graphml', 'gexf', 'json', 'graphology' or 'cytoscape')."""
    if fmt not in GENERATORS:
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(GENERATORS)}")
    if fmt == "json":
        return generate_node_link_json(G, notes=notes)
    return GENERATORS[fmt](G, layout=layout, notes=notes)


# -------------------------------------------------------------------------------------------------- atomic writer
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector: reading or writing a large graph makes millions of small objects, and
    every full collection would walk all of them again (the build pauses it for the same reason)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@contextmanager
def _terminate_cleanly():
    """In the main thread, turn SIGTERM into SystemExit for the duration, so ``finally`` removes temporary files."""
    installed = False
    if threading.current_thread() is threading.main_thread():
        try:
            if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
                def _raise(signum, frame):
                    raise SystemExit(128 + signum)

                signal.signal(signal.SIGTERM, _raise)
                installed = True
        except ValueError:
            pass
    try:
        yield
    finally:
        if installed:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)


_HINTS = {errno.EACCES: "the folder is not writable by you; choose another place",
          errno.EPERM: "the folder is not writable by you; choose another place",
          errno.EROFS: "the file system is read-only; choose another place",
          errno.EISDIR: "it is a directory; give a file name",
          errno.ENOTDIR: "a part of the path is a file, not a folder",
          errno.ENAMETOOLONG: "the name is too long; choose a shorter one",
          errno.ENOSPC: "the disk is full; free some space or write elsewhere",
          errno.EDQUOT: "the disk quota is exhausted; free some space or write elsewhere"}


def output_error(exc: OSError, path) -> OutputError:
    """An :class:`OutputError` that says what went wrong writing ``path`` and what to do."""
    what = exc.strerror or str(exc)
    hint = _HINTS.get(exc.errno)
    return OutputError(f"cannot write: {what}" + (f" ({hint})" if hint else ""), path=path)


def _temp_beside(path: Path, directory: bool = False) -> Path:
    for _ in range(100):
        tmp = path.parent / f".{path.name[:100]}.{secrets.token_hex(4)}.tmp"
        try:
            if directory:
                os.mkdir(tmp, 0o777)  # the umask applies, as for any file the user makes
            else:
                os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return tmp
        except FileExistsError:
            continue
    raise OutputError("cannot make a temporary name", path=path)


@contextmanager
def atomic_path(path, mode: str = "wb"):
    """Yield a file object on a temporary file beside ``path``; rename it over ``path`` only on success.

    The file gets the permissions the umask gives a new file; the temporary file is removed on any error, Ctrl-C or
    SIGTERM; operating-system errors become :class:`OutputError` naming the file and what to do.
    """
    path = Path(path)
    try:
        is_dir = path.is_dir()
    except OSError as exc:  # e.g. a name too long to look up
        raise output_error(exc, path) from exc
    if is_dir:
        raise OutputError("cannot write: it is a directory; give a file name", path=path)
    tmp = None
    with _terminate_cleanly():
        try:
            try:
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                except FileExistsError as exc:  # a part of the path is a file
                    raise OSError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path.parent)) from exc
                tmp = _temp_beside(path)
                fh = open(tmp, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": ""}))
            except OSError as exc:
                raise output_error(exc, path) from exc
            with fh:
                yield fh
                try:
                    fh.flush()
                except OSError as exc:
                    raise output_error(exc, path) from exc
            try:
                os.replace(tmp, path)
            except OSError as exc:
                raise output_error(exc, path) from exc
            tmp = None
        except OSError as exc:  # a write inside the with-block
            if isinstance(exc, OutputError):
                raise
            raise output_error(exc, path) from exc
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass


def write_chunks(chunks, path) -> Path:
    """Write text chunks to ``path`` as UTF-8, atomically (see :func:`atomic_path`); the one writer of every format."""
    path = Path(path)
    with atomic_path(path, "wb") as fh, gc_paused():
        buf, size = [], 0
        for chunk in chunks:
            buf.append(chunk)
            size += len(chunk)
            if size >= 1 << 18:
                fh.write("".join(buf).encode("utf-8"))
                buf, size = [], 0
        fh.write("".join(buf).encode("utf-8"))
    return path


def format_of(path) -> str:
    """The format a file name asks for: '.graphml', '.gexf', '.json', '.graphology.json' or '.cyjs'.

    Examples
    --------
    >>> format_of("g.graphology.json"), format_of("g.json"), format_of("G.GEXF")
    ('graphology', 'json', 'gexf')
    """
    name = Path(path).name.lower()
    for fmt, (suffix, _, _) in sorted(FORMATS.items(), key=lambda kv: -len(kv[1][0])):
        if name.endswith(suffix):
            return fmt
    raise InputError(f"unknown output format {Path(path).suffix or '(no extension)'!r}; use one of "
                     + ", ".join(s for s, _, _ in FORMATS.values()), path=path)


def write_graph(G: nx.MultiDiGraph, path, layout: str | None = "chain lanes", notes: Counter | None = None) -> Path:
    """Write ``G`` in the format the extension of ``path`` picks (see :data:`FORMATS`), atomically.

    Examples
    --------
    >>> import tempfile, os
    >>> from graph import build_graph
    >>> out = write_graph(build_graph(), os.path.join(tempfile.mkdtemp(), "g.graphml"))
    >>> out.suffix
    '.graphml'
    """
    return write_chunks(generate_graph(G, format_of(path), layout, notes), path)


def graph_bytes(G: nx.MultiDiGraph, fmt: str, layout: str | None = "chain lanes") -> bytes:
    """The file :func:`write_graph` writes for ``fmt``, as bytes (for download buttons).

    ``fmt`` is 'graphml', 'gexf', 'json' (node-link), 'graphology' (``graph.graphology.json``) or 'cytoscape'
    (``graph.cyjs``); :data:`FORMATS` gives each one's file suffix and MIME type.

    Examples
    --------
    >>> G = nx.MultiDiGraph(); G.add_node("a", type="Company", name="A")
    >>> json.loads(graph_bytes(G, "graphology"))["nodes"][0]["attributes"]["node_type"]
    'Company'
    """
    with gc_paused():
        return "".join(generate_graph(G, fmt, layout)).encode("utf-8")


# ---------------------------------------------------------------------------------------------------------- read
def decode_attributes(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Decode the JSON-string attributes of a graph read from GraphML or GEXF, in place."""
    node_kinds, edge_kinds = _attribute_kinds()

    def decode(d: dict, kinds: dict):
        for k, v in list(d.items()):
            kind = kinds.get(k)
            if isinstance(v, str) and (kind == "json" or (kind is None and v[:1] in "[{")):
                try:
                    d[k] = json.loads(v)
                except json.JSONDecodeError:
                    pass
            elif kind in _PY_TYPES and v is not None and not isinstance(v, _PY_TYPES[kind]):
                d[k] = _PY_TYPES[kind](v)

    for k, v in list(G.graph.items()):
        if isinstance(v, str) and v[:1] in "[{":
            try:
                G.graph[k] = json.loads(v)
            except json.JSONDecodeError:
                pass
    for _, d in G.nodes(data=True):
        decode(d, node_kinds)
    for _, _, d in G.edges(data=True):
        decode(d, edge_kinds)
    return G


def _from_our_graphml(H: nx.MultiDiGraph, drawing: bool) -> nx.MultiDiGraph:
    """Undo what generate_graphml did for readers: node id from ``name``, display name, edge key from ``key``."""
    for k in ("node_key", "node_default", "edge_default"):  # ours, and what networkx's reader adds
        H.graph.pop(k, None)
    G = nx.MultiDiGraph()
    G.graph.update(H.graph)
    ids = {}
    for n, d in H.nodes(data=True):
        d = dict(d)
        real = d.pop("name", n)
        if "display_name" in d:
            d["name"] = d.pop("display_name")
        elif "label" in d:
            d["name"] = d["label"]
        if not drawing:
            for k in DRAWING_ATTRIBUTES:
                d.pop(k, None)
        ids[n] = real
        G.add_node(real, **d)
    for u, v, k, d in H.edges(keys=True, data=True):
        d = dict(d)
        key = d.pop("edge_key", k)
        d.pop("id", None)
        G.add_edge(ids[u], ids[v], key=key, **d)
    return G


_GRAPHML_NS = "{http://graphml.graphdrawing.org/xmlns}"
_BOOL = {"true": True, "false": False, "1": True, "0": False}
_CASTS = {"int": int, "long": int, "integer": int, "double": float, "float": float,
          "boolean": lambda s: _BOOL[s.strip().lower()], "string": None}


class _NotOurs(Exception):
    """The GraphML file was not written by generate_graphml; read it with networkx instead."""


def _read_our_graphml(path: Path, drawing: bool) -> nx.MultiDiGraph:
    """One streaming pass (lxml iterparse) over a file written by :func:`generate_graphml`, straight into the graph.

    Equal to networkx's reader followed by the renaming and decoding :func:`read_graph` does, without the
    intermediate graph: ids from ``name``, keys from ``edge_key``, JSON kinds decoded, drawing attributes dropped.
    """
    from lxml import etree

    node_kinds, edge_kinds = _attribute_kinds()
    keys: dict[str, tuple] = {}
    G = nx.MultiDiGraph()
    ids: dict[str, object] = {}
    skip = set() if drawing else set(DRAWING_ATTRIBUTES)
    started = False

    def values(el, kinds):
        d = {}
        for child in el:
            spec = keys.get(child.get("key"))
            if spec is None:
                continue
            name, cast = spec
            text = child.text or ""
            if cast is not None:
                d[name] = cast(text)
            elif kinds.get(name) == "json" or (name not in kinds and text[:1] in "[{"):
                try:
                    d[name] = json.loads(text)
                except json.JSONDecodeError:
                    d[name] = text
            else:
                d[name] = text
        return d

    tags = (_GRAPHML_NS + "key", _GRAPHML_NS + "node", _GRAPHML_NS + "edge")
    for _, el in etree.iterparse(str(path), events=("end",), tag=tags, huge_tree=True):
        tag = el.tag[len(_GRAPHML_NS):]
        if tag == "key":
            keys[el.get("id")] = (el.get("attr.name"), _CASTS.get(el.get("attr.type", "string")))
            continue
        if not started:
            started = True
            graph_data = values(el.getparent(), {})
            if graph_data.pop("node_key", None) != "name" or el.getparent().get("edgedefault") != "directed":
                raise _NotOurs
            G.graph.update(graph_data)
        if tag == "node":
            d = values(el, node_kinds)
            real = d.pop("name", el.get("id"))
            if "display_name" in d:
                d["name"] = d.pop("display_name")
            elif "label" in d:
                d["name"] = d["label"]
            for k in skip.intersection(d):
                del d[k]
            ids[el.get("id")] = real
            G.add_node(real, **d)
        else:
            d = values(el, edge_kinds)
            key = d.pop("edge_key", el.get("id"))
            G.add_edge(ids[el.get("source")], ids[el.get("target")], key=key, **d)
        el.clear()
        parent = el.getparent()
        while el.getprevious() is not None:
            del parent[0]
    if not started:
        raise _NotOurs
    return G


def _gexf_meta(path: Path) -> dict:
    from lxml import etree

    for _, el in etree.iterparse(str(path), events=("end",), tag="{*}description"):
        try:
            value = json.loads(el.text or "{}")
        except json.JSONDecodeError:
            return {}
        return value if isinstance(value, dict) else {}
    return {}


def read_graph(path, drawing: bool = False) -> nx.MultiDiGraph:
    """Read a graph written by :func:`write_graph` (or any GraphML/GEXF/node-link JSON) as a MultiDiGraph.

    Our GraphML and GEXF files come back with the node ids, display names, edge keys and graph attributes they
    were written from; the drawing attributes (x, y, size, colour) are dropped unless ``drawing``.
    """
    path = Path(path)
    fmt = format_of(path)
    try:
        if fmt in ("graphology", "cytoscape"):
            raise InputError(f"reading {fmt} JSON is not supported; read the .graphml, .gexf or .json file",
                             path=path)
        if fmt == "json":
            data = json.loads(path.read_text(encoding="utf-8"))
            return nx.node_link_graph(data, directed=True, multigraph=True, edges="edges")
        if fmt == "graphml":
            try:
                with gc_paused():
                    return _read_our_graphml(path, drawing)
            except _NotOurs:
                G = nx.read_graphml(path, force_multigraph=True)
                if G.graph.get("node_key") == "name":
                    G = _from_our_graphml(G, drawing)
        else:
            G = nx.MultiDiGraph(nx.read_gexf(path))
            meta = _gexf_meta(path)
            H = nx.MultiDiGraph()
            H.graph.update(meta)
            for n, d in G.nodes(data=True):
                if not drawing:
                    d.pop("viz", None)
                d.setdefault("label", str(n))
                H.add_node(n, **d)
            for u, v, k, d in G.edges(keys=True, data=True):
                d = dict(d)
                if "relation" in d:
                    d["type"] = d.pop("relation")
                    d.pop("label", None)
                d.pop("id", None)
                key = d.pop("edge_key", k)
                H.add_edge(u, v, key=key, **d)
            G = H
    except (OSError, ValueError, KeyError, SyntaxError) as exc:  # lxml's XMLSyntaxError is a SyntaxError
        if isinstance(exc, InputError):
            raise
        raise InputError(f"cannot read the graph: {exc}", path=path) from exc
    if not (isinstance(G, nx.MultiDiGraph) and G.is_directed()):
        G = nx.MultiDiGraph(G)
    return decode_attributes(G)


def to_scalar_graph(G: nx.MultiDiGraph, fmt: str = "graphml") -> nx.MultiDiGraph:
    """A copy of ``G`` with only typed scalar attributes (what bare ``networkx.write_graphml`` needs).

    Kept for comparisons (the GraphML benchmark times bare networkx on it); our writers do not use it.
    """
    node_kinds, edge_kinds = _attribute_kinds(G)
    H = nx.MultiDiGraph()
    for k, v in public_graph_attributes(G).items():
        s = _scalar(v, "json" if isinstance(v, (list, dict)) else _kind_of_value(v))
        if s is not None:
            H.graph[k] = s
    for n, d in G.nodes(data=True):
        attrs = {k: _scalar(v, node_kinds.get(k, _kind_of_value(v))) for k, v in d.items()}
        attrs.setdefault("label", d.get("name", str(n)))
        H.add_node(n, **{k: v for k, v in attrs.items() if v is not None})
    for u, v, key, d in G.edges(keys=True, data=True):
        attrs = {k: _scalar(val, edge_kinds.get(k, _kind_of_value(val))) for k, val in d.items()}
        if fmt == "gexf":
            attrs["relation"] = attrs.pop("type", None)
            attrs["label"] = attrs["relation"]
        H.add_edge(u, v, key=key, **{k: x for k, x in attrs.items() if x is not None})
    return H
