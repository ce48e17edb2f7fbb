"""Readers and writers: GraphML, GEXF and node-link JSON, chosen by file extension; writes are atomic.

GraphML and GEXF hold only scalars, so list and dict attributes (``aliases``, ``evidence``, ``sources``...) are
written as JSON strings, ``None`` is dropped, and every key is declared with the type data/schema.yaml gives it.
:func:`read_graph` decodes them again, so a round trip gives back equal attributes.
"""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import networkx as nx

from loaders.catalogue import load_catalogue
from loaders.errors import InputError

FORMATS = {".graphml": "graphml", ".gexf": "gexf", ".json": "json"}
_PY_TYPES = {"string": str, "int": int, "double": float, "boolean": bool}


@contextmanager
def atomic_path(path: Path, mode: str = "wb"):
    """Yield a file object on a temporary file beside ``path``; rename it over ``path`` only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": ""})) as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def format_of(path) -> str:
    """'graphml', 'gexf' or 'json' from the extension; :class:`InputError` otherwise."""
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise InputError(f"unknown output format {Path(path).suffix or '(no extension)'!r}; use one of "
                         + ", ".join(FORMATS), path=path)
    return fmt


def _attribute_kinds() -> tuple[dict, dict]:
    schema = load_catalogue().schema
    return schema["node_attributes"], schema["edge_attributes"]


_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True)  # one encoder: json.dumps(**kw) makes one per call


def _scalar(value, kind: str | None):
    if value is None:
        return None
    if kind == "json" or isinstance(value, (list, dict, tuple, set)):
        if not value and isinstance(value, (list, tuple, set)):
            return "[]"
        if isinstance(value, (set, tuple)):
            value = list(value)
        return _JSON.encode(value)
    if kind in _PY_TYPES:
        try:
            return _PY_TYPES[kind](value)
        except (TypeError, ValueError):
            return str(value)
    return value


def to_scalar_graph(G: nx.MultiDiGraph, fmt: str = "graphml") -> nx.MultiDiGraph:
    """A copy of ``G`` with only typed scalar attributes, for GraphML and GEXF.

    ``label`` falls back to ``name`` so Gephi shows names. Graph-level document texts are left out (they are in the
    JSON export); other graph attributes become JSON strings. GEXF reserves an edge's ``type`` (directed or
    undirected), so there the relation type travels as ``relation`` and as the edge label.
    """
    node_kinds, edge_kinds = _attribute_kinds()
    H = nx.MultiDiGraph()
    for k, v in G.graph.items():
        if k == "document_texts":
            continue
        s = _scalar(v, "json" if isinstance(v, (list, dict)) else None)
        if s is not None:
            H.graph[k] = s
    for n, d in G.nodes(data=True):
        attrs = {k: _scalar(v, node_kinds.get(k)) for k, v in d.items()}
        attrs.setdefault("label", d.get("name", str(n)))
        H.add_node(n, **{k: v for k, v in attrs.items() if v is not None})
    for u, v, key, d in G.edges(keys=True, data=True):
        attrs = {k: _scalar(val, edge_kinds.get(k)) for k, val in d.items()}
        if fmt == "gexf":
            attrs["relation"] = attrs.pop("type", None)
            attrs["label"] = attrs["relation"]
        H.add_edge(u, v, key=key, **{k: x for k, x in attrs.items() if x is not None})
    return H


def _write_graphml(H: nx.MultiDiGraph, fh) -> None:
    # networkx declares Python ints as GraphML "long"; schema ints are declared "int" (igraph, Gephi, yEd read both).
    writer = nx.readwrite.graphml.GraphMLWriter(encoding="utf-8", prettyprint=True, named_key_ids=True)
    writer.xml_type[int] = "int"
    writer.add_graph_element(H)
    writer.dump(fh)


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


def write_graph(G: nx.MultiDiGraph, path) -> Path:
    """Write ``G`` as GraphML, GEXF or node-link JSON, picked by the extension of ``path``; atomically.

    Examples
    --------
    >>> import tempfile, os
    >>> from graph import build_graph
    >>> out = write_graph(build_graph(), os.path.join(tempfile.mkdtemp(), "g.graphml"))
    >>> out.suffix
    '.graphml'
    """
    path = Path(path)
    fmt = format_of(path)
    if fmt == "json":
        data = nx.node_link_data(G, edges="edges")
        with atomic_path(path, "w") as fh:
            json.dump(data, fh, ensure_ascii=False, default=str)
        return path
    H = to_scalar_graph(G, fmt)
    with atomic_path(path, "wb") as fh:
        if fmt == "graphml":
            _write_graphml(H, fh)
        else:
            nx.write_gexf(H, fh)
    return path


def graph_bytes(G: nx.MultiDiGraph, fmt: str) -> bytes:
    """The file :func:`write_graph` would write for ``fmt`` ('graphml', 'gexf' or 'json'), as bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        path = write_graph(G, Path(tmp) / f"graph.{fmt}")
        return path.read_bytes()


def read_graph(path) -> nx.MultiDiGraph:
    """Read a graph written by :func:`write_graph` (or any GraphML/GEXF/node-link JSON) as a MultiDiGraph."""
    path = Path(path)
    fmt = format_of(path)
    try:
        if fmt == "json":
            data = json.loads(path.read_text(encoding="utf-8"))
            return nx.node_link_graph(data, directed=True, multigraph=True, edges="edges")
        if fmt == "graphml":
            G = nx.read_graphml(path, force_multigraph=True)
        else:
            G = nx.MultiDiGraph(nx.read_gexf(path))
            for _, _, d in G.edges(data=True):
                if "relation" in d:
                    d["type"] = d.pop("relation")
                    d.pop("label", None)
                d.pop("id", None)
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(f"cannot read the graph: {exc}", path=path) from exc
    if not (isinstance(G, nx.MultiDiGraph) and G.is_directed()):
        G = nx.MultiDiGraph(G)
    return decode_attributes(G)
