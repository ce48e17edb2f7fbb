"""The one Neo4j model of the graph, and the two file routes to it: a cypher-shell script and neo4j-admin CSVs.

:func:`grouped_for_neo4j` turns the graph into rows: labels and relationship types from data/schema.yaml only,
properties as Neo4j can store them (scalars and lists of strings native, everything else JSON text listed in
``_json``) and a content hash ``_hash`` per node and relationship. Push (over Bolt), :func:`write_cypher` and
:func:`write_admin_import` all write exactly these rows, so every route builds the same database and ``pull`` gives
the same graph after any of them.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from pathlib import Path

import networkx as nx
import orjson
import xxhash

from loaders.catalogue import load_catalogue

from ..io import atomic_path

IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# neo4j-admin splits typed array cells on this character (``--array-delimiter=U+001F``); a list with an element that
# contains it is stored as JSON text instead, on every route.
ARRAY_DELIMITER = "\x1f"
# Properties of our own, next to the graph's attributes: which values are JSON text, which are empty lists (neo4j-admin
# cannot write an empty array, so no route stores one), and the row's content hash.
JSON_PROP, EMPTY_PROP, HASH_PROP = "_json", "_empty", "_hash"
OWN_PROPS = (JSON_PROP, EMPTY_PROP, HASH_PROP)

# The label of push's digest markers (graph/neo4j/digests.py): bookkeeping nodes without an ``id``, never data.
DIGEST_LABEL = "_EcoDigest"
DELETE_DIGESTS = f"MATCH (d:`{DIGEST_LABEL}`) DELETE d"

CONSTRAINT = "CREATE CONSTRAINT `eco_{lower}_id` IF NOT EXISTS FOR (n:`{label}`) REQUIRE n.id IS UNIQUE"
INDEX = "CREATE INDEX FOR (n:`{label}`) ON (n.id)"


def check_label(name: str, allowed) -> str:
    """``name`` if it is a node or edge type of the schema; Neo4j labels and types never come from anywhere else."""
    if name not in allowed or not IDENT.match(name):
        raise ValueError(f"{name!r} is not a type of data/schema.yaml; refusing to use it as a label")
    return name


def neo4j_value(value):
    """A property value Neo4j can store: scalars and non-empty lists of strings as they are, the rest as JSON text.

    Returns ``(value, encoded)`` where ``encoded`` says the value was JSON-encoded; ``(None, False)`` for a value
    not stored (None, NaN, infinity) and ``([], False)`` for an empty list, which is not stored either but listed in
    ``_empty`` by :func:`neo4j_properties`.

    Examples
    --------
    >>> neo4j_value(["a", "b"]), neo4j_value({"k": 1}), neo4j_value(float("nan")), neo4j_value(())
    ((['a', 'b'], False), ('{"k": 1}', True), (None, False), ([], False))
    """
    if value is None:
        return None, False
    if isinstance(value, (str, bool, int)):
        return value, False
    if isinstance(value, float):
        return (value, False) if math.isfinite(value) else (None, False)
    if isinstance(value, (list, tuple)):
        if not value:
            return [], False
        if all(isinstance(x, str) and ARRAY_DELIMITER not in x for x in value):
            return list(value), False
    return _json_text(value), True


# json.dumps(value, ensure_ascii=False, sort_keys=True) without building an encoder per call
_json_text = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


_ident_ok: dict[str, bool] = {}


def neo4j_properties(attrs: dict, **fixed) -> dict:
    """Attributes as Neo4j properties: JSON-encoded names listed in ``_json`` and empty lists in ``_empty``, so a pull
    can restore exactly them.

    Examples
    --------
    >>> neo4j_properties({"name": "A", "evidence": [{"doc": "d"}], "aliases": [], "bad key": 1}, id="a")
    {'id': 'a', 'name': 'A', 'evidence': '[{"doc": "d"}]', '_json': ['evidence'], '_empty': ['aliases']}
    """
    props = dict(fixed)
    encoded, empty = [], []
    for k, v in attrs.items():
        ok = _ident_ok.get(k)
        if ok is None:
            ok = _ident_ok[k] = bool(IDENT.match(k)) and k not in OWN_PROPS
        if not ok:
            continue
        tv = type(v)  # exact types first, the common cases of neo4j_value without its calls
        if tv is str or tv is int or tv is bool or (tv is float and -math.inf < v < math.inf):
            props[k] = v
            continue
        if tv is list and v and type(v[0]) is not dict and all(type(x) is str for x in v) \
                and not any(ARRAY_DELIMITER in x for x in v):
            props[k] = v
            continue
        val, enc = neo4j_value(v)
        if val is None:
            continue
        if val == []:
            empty.append(k)
            continue
        props[k] = val
        if enc:
            encoded.append(k)
    if encoded:
        props[JSON_PROP] = sorted(encoded)
    if empty:
        props[EMPTY_PROP] = sorted(empty)
    return props


def _kind(value) -> str:
    return "number" if isinstance(value, (int, float)) and not isinstance(value, bool) else type(value).__name__


def _one_type_per_property(rows: list[dict]) -> None:
    """Give every property one type across ``rows`` (neo4j-admin has one typed column per name): numbers that mix
    ints and floats become floats, any other mix becomes JSON text (listed in ``_json``)."""
    types = defaultdict(set)  # the Python types of each property (type() per value: the cheap pass over all rows)
    for r in rows:
        for k, v in r["props"].items():
            types[k].add(type(v))
    kinds = {k: {"number" if issubclass(t, (int, float)) and not issubclass(t, bool) else t.__name__ for t in ts}
             for k, ts in types.items()}  # as _kind names them
    mixed = {k for k, ks in kinds.items() if len(ks) > 1 and k not in OWN_PROPS + ("id", "key")}
    floats = {k for k, ts in types.items() if float in ts and kinds[k] == {"number"}}
    if not floats and not mixed:
        return
    for r in rows:
        props = r["props"]
        for k in floats & props.keys():
            if isinstance(props[k], int):
                props[k] = float(props[k])
        hit = mixed & props.keys()
        if hit:
            for k in hit:
                if k not in props.get(JSON_PROP, ()):
                    props[k] = json.dumps(props[k], ensure_ascii=False, sort_keys=True)
            props[JSON_PROP] = sorted(set(props.get(JSON_PROP, ())) | hit)


def row_hash(group, ends, attrs: dict) -> str:
    """A short stable hash of a node or relationship: its label or (type, source label, target label), its id or
    (source, target, key), and its attributes. Stored as ``_hash`` so a re-push can skip what the server holds.

    Examples
    --------
    >>> row_hash("Company", "a", {"name": "A"}) == row_hash("Company", "a", {"name": "A"})
    True
    >>> row_hash("Company", "a", {"name": "A"}) == row_hash("Company", "a", {"name": "B"}), len(row_hash(1, 2, {}))
    (False, 16)
    """
    item = [MODEL_VERSION, group, ends, attrs]
    try:
        data = orjson.dumps(item, option=_HASH_OPTIONS, default=str)
    except TypeError:  # what orjson cannot write (an int over 64 bits): the slower standard encoder
        data = json.dumps(item, ensure_ascii=False, sort_keys=True, default=str, separators=(",", ":")).encode()
    return xxhash.xxh3_64_hexdigest(data)


# Part of every row hash: change it when the way attributes become properties changes, so the next push rewrites all.
# (2: the hash is taken over orjson's bytes, six times faster than json's; a re-push reads every hash it computes.
# 3: xxh3-64 instead of 64-bit BLAKE2b, 5x faster over the 100 MB of rows of a 100,000-firm graph: a re-push is
# mostly hashing.)
MODEL_VERSION = 3
_HASH_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def grouped_for_neo4j(G: nx.MultiDiGraph, skip=frozenset()):
    """Nodes by label and edges by (type, source label, target label), as rows, labels whitelisted.

    Node rows are ``{"id", "props"}`` and edge rows ``{"s", "t", "key", "props"}``; ``props`` holds every property
    to store, including ``_hash`` (:func:`row_hash`). Rows whose hash is in ``skip`` (what a server already holds)
    are left out, without the cost of building their properties. ``skip`` may be a ``concurrent.futures.Future``
    of that set: it is waited for once every hash is computed, so the server can read its hashes meanwhile. Or a
    callable, given the list of ``(group, node or (u, v, k), attributes, hash)`` of every row (nodes first) once
    all are hashed, that returns one truth value per row: True for a row the server holds.
    """
    parts = grouped_in_steps(G, skip)
    next(parts)  # the number of rows skipped
    return next(parts), next(parts)


def grouped_in_steps(G: nx.MultiDiGraph, skip=frozenset()):
    """:func:`grouped_for_neo4j` as a generator of three steps: the number of rows skipped (once every hash is
    computed), the node groups, then the edge groups, built only when asked for, so that nodes can be sent while
    the edges are built."""
    schema = load_catalogue().schema
    node_types, edge_types = schema["node_types"], schema["edge_types"]
    hashed = []  # (group, node or (u, v, k), attributes, hash): the nodes, then the edges
    checked, label_of = {}, {}  # type -> label once checked; node -> its label
    for n, d in G.nodes(data=True):
        t = d.get("type", "")
        label = checked.get(t) or checked.setdefault(t, check_label(t, node_types))
        label_of[n] = label
        hashed.append((label, n, d, row_hash(label, n, d)))
    first_edge = len(hashed)
    checked = {}
    # networkx's adjacency dict walked directly, in G.edges(keys=True, data=True) order: the edge view costs more
    # than the hash of a re-push
    for u, nbrs in G._adj.items():
        lu = label_of[u]
        for v, keyed in nbrs.items():
            lv = label_of[v]
            for k, d in keyed.items():
                t = d.get("type", "")
                group = (checked.get(t) or checked.setdefault(t, check_label(t, edge_types)), lu, lv)
                hashed.append((group, (u, v, k), d, row_hash(group, (u, v, k), d)))
    if callable(skip):
        held = skip(hashed)
        todo_nodes = [item for item, h in zip(hashed[:first_edge], held[:first_edge]) if not h]
        todo_edges = [item for item, h in zip(hashed[first_edge:], held[first_edge:]) if not h]
    else:
        if hasattr(skip, "result"):
            skip = skip.result()
        todo_nodes = [item for item in hashed[:first_edge] if item[3] not in skip]
        todo_edges = [item for item in hashed[first_edge:] if item[3] not in skip]
    yield len(hashed) - len(todo_nodes) - len(todo_edges)
    yield _by_group([(group, {"id": n, "props": neo4j_properties(d, id=n, _hash=h)})
                     for group, n, d, h in todo_nodes])
    yield _by_group([(group, {"s": u, "t": v, "key": k, "props": neo4j_properties(d, key=k, _hash=h)})
                     for group, (u, v, k), d, h in todo_edges])


def _by_group(rows: list[tuple]) -> dict:
    _one_type_per_property([r for _, r in rows])
    out = defaultdict(list)
    for group, r in rows:
        out[group].append(r)
    return out


def columns(rows: list[dict]) -> list[str]:
    """The property names of ``rows`` in a stable order (first seen)."""
    return list(dict.fromkeys(k for r in rows for k in r["props"]))


def row_columns(rows: list[dict]) -> list[str]:
    """The property names a positional row carries after its head (``id``, or source, target and ``key``, which
    are already in the head)."""
    head = "key" if rows and "s" in rows[0] else "id"
    return [c for c in columns(rows) if c != head]


def node_merge(label: str, cols: list[str]) -> str:
    """``UNWIND $rows`` of positional node rows ``[id, value per column...]``: MERGE on id, set exactly these."""
    return (f"UNWIND $rows AS row MERGE (n:`{label}` {{id: row[0]}}) SET n = {{id: row[0]"
            + "".join(f", `{c}`: row[{i + 1}]" for i, c in enumerate(cols)) + "}")


def edge_merge(etype: str, src: str, dst: str, cols: list[str]) -> str:
    """``UNWIND $rows`` of positional relationship rows ``[source id, target id, key, values...]``: MERGE on key."""
    return (f"UNWIND $rows AS row MATCH (a:`{src}` {{id: row[0]}}) MATCH (b:`{dst}` {{id: row[1]}}) "
            f"MERGE (a)-[r:`{etype}` {{key: row[2]}}]->(b) SET r = {{key: row[2]"
            + "".join(f", `{c}`: row[{i + 3}]" for i, c in enumerate(cols)) + "}")


def positional(row: dict, cols: list[str]) -> list:
    """A node or edge row as the list :func:`node_merge` / :func:`edge_merge` unwind (missing values are null)."""
    head = [row["s"], row["t"], row["key"]] if "s" in row else [row["id"]]
    props = row["props"]
    return head + [props.get(c) for c in cols]


def _cypher_literal(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        # JSON string escapes (\" \\ \n \uXXXX) are valid in a double-quoted Cypher string.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_cypher_literal(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as Cypher")


def _batches(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def cypher_statements(G: nx.MultiDiGraph, batch_size: int = 500):
    """The statements of :func:`write_cypher`, one string each (no trailing ``;``), values as literals."""
    nodes, edges = grouped_for_neo4j(G)
    yield DELETE_DIGESTS  # push's digests describe what the database held before this script ran
    for label in sorted(nodes):
        yield CONSTRAINT.format(lower=label.lower(), label=label)
    for label, rows in sorted(nodes.items()):
        cols = row_columns(rows)
        for batch in _batches(rows, batch_size):
            yield node_merge(label, cols).replace("$rows", _cypher_literal([positional(r, cols) for r in batch]))
    for (etype, src, dst), rows in sorted(edges.items()):
        cols = row_columns(rows)
        for batch in _batches(rows, batch_size):
            yield edge_merge(etype, src, dst, cols).replace(
                "$rows", _cypher_literal([positional(r, cols) for r in batch]))


def write_cypher(G: nx.MultiDiGraph, path, batch_size: int = 500) -> Path:
    """A script for ``cypher-shell -f``: uniqueness constraints, then batched ``UNWIND ... MERGE`` with literal values.

    The rows are those push sends (:func:`grouped_for_neo4j`), so the database is the same. Running it twice changes
    nothing (MERGE on id, and on key for relationships).
    """
    with atomic_path(Path(path), "w") as fh:
        fh.write("// Ecosystem Graph Explorer: run with  cypher-shell -u neo4j -p ... -f graph.cypher\n")
        fh.write(f"// {G.number_of_nodes()} nodes, {G.number_of_edges()} relationships\n")
        for statement in cypher_statements(G, batch_size):
            fh.write(statement + ";\n")
    return Path(path)


def _admin_type(values) -> str:
    """The neo4j-admin header type of a column from its values (one type per property: see grouped_for_neo4j)."""
    kinds = {_kind(v) for v in values}
    if kinds == {"bool"}:
        return "boolean"
    if kinds == {"number"}:
        return "double" if any(isinstance(v, float) for v in values) else "long"
    if kinds == {"list"}:
        return "string[]"
    return "string"


def _admin_cell(value) -> str:
    """A CSV field: absent values empty (neo4j-admin: no property), present ones quoted (so "" stays an empty
    string, as push stores it)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, list):
        value = ARRAY_DELIMITER.join(value)
    elif isinstance(value, float):
        value = repr(value)
    return '"' + str(value).replace('"', '""') + '"'


def _admin_line(fields) -> str:
    return ",".join(fields) + "\n"


ADMIN_IMPORT_COMMAND = ("neo4j-admin database import full --nodes=neo4j-import/nodes.csv "
                        "--relationships=neo4j-import/relationships.csv --array-delimiter=U+001F "
                        "--multiline-fields=true --overwrite-destination=true neo4j")


def write_admin_import(G: nx.MultiDiGraph, directory) -> tuple[Path, Path]:
    """``nodes.csv`` and ``relationships.csv`` for ``neo4j-admin database import full``, the same model as push.

    Headers: ``id:ID``, ``:LABEL``, then every property push sets, typed from its values (``mentions:long``,
    ``value:double``, ``aliases:string[]``, ``_json:string[]``, ``_hash:string``...); relationships get ``:START_ID``,
    ``:END_ID``, ``:TYPE`` and the same properties as push (``key``, ``type``...). Arrays are split on U+001F and
    values may contain line breaks, so import with::

        neo4j-admin database import full --nodes=neo4j-import/nodes.csv \\
            --relationships=neo4j-import/relationships.csv --array-delimiter=U+001F --multiline-fields=true neo4j

    These files are for the importer, not spreadsheets, so cells are written as they are.
    """
    nodes, edges = grouped_for_neo4j(G)
    directory = Path(directory)
    node_rows = [(label, r) for label, rows in sorted(nodes.items()) for r in rows]
    edge_rows = [(etype, r) for (etype, _, _), rows in sorted(edges.items()) for r in rows]

    def typed(rows, skip):
        cols = [c for c in columns([r for _, r in rows]) if c not in skip]
        return cols, [f"{c}:{_admin_type([r['props'][c] for _, r in rows if c in r['props']])}" for c in cols]

    npath, epath = directory / "nodes.csv", directory / "relationships.csv"
    ncols, nheader = typed(node_rows, ())
    with atomic_path(npath, "w") as fh:
        # the ID column is also the ``id`` property, as push stores it
        fh.write(_admin_line(["id:ID", ":LABEL"] + [h for c, h in zip(ncols, nheader) if c != "id"]))
        for label, r in node_rows:
            fh.write(_admin_line([_admin_cell(r["id"]), label]
                                 + [_admin_cell(r["props"].get(c)) for c in ncols if c != "id"]))
    ecols, eheader = typed(edge_rows, ())
    with atomic_path(epath, "w") as fh:
        fh.write(_admin_line([":START_ID", ":END_ID", ":TYPE"] + eheader))
        for etype, r in edge_rows:
            fh.write(_admin_line([_admin_cell(r["s"]), _admin_cell(r["t"]), etype]
                                 + [_admin_cell(r["props"].get(c)) for c in ecols]))
    return npath, epath
