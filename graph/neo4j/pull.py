"""Reading the graph back from a Bolt server into a MultiDiGraph equal to the one pushed (after any route).

From a server that inlines parameters (FalkorDB's Bolt bridge, see :mod:`graph.neo4j.dialect`) a result record over
64 KiB never arrives and the listener hangs, so there every record is kept small: string values longer than
:data:`LONG_CHARS` characters come back as null with their length and are then read in pieces of
:data:`PIECE_CHARS` characters with ``substring``.
"""

from __future__ import annotations

import json

import networkx as nx

from loaders.catalogue import load_catalogue

from .dialect import check_database_names, detect_dialect
from .driver import CONNECT_TIMEOUT, DEFAULT_TIMEOUT, Connection, opened
from .files import DIGEST_LABEL, EMPTY_PROP, HASH_PROP, JSON_PROP, check_label

# At most 3 bytes per character in UTF-8: 20 short values of a record stay under 64 KiB, and so does one piece.
LONG_CHARS = 1000
PIECE_CHARS = 2000

NODES = "MATCH (n) WHERE n.id IS NOT NULL RETURN labels(n)[0] AS label, properties(n) AS p"
EDGES = ("MATCH (a)-[r]->(b) WHERE r.key IS NOT NULL AND a.id IS NOT NULL AND b.id IS NOT NULL "
         "RETURN a.id AS s, b.id AS t, properties(r) AS p")
# Bounded records: the keys and values of the short properties, and [key, length] of the long strings. (FalkorDB
# evaluates both branches of a CASE, so the long keys are found by a filter, where AND short-circuits.)
_LONG = "[k IN keys({v}) WHERE typeOf({v}[k]) = 'String' AND size({v}[k]) > $cut] AS long"
_SHORT = ("[k IN keys({v}) WHERE NOT k IN long] AS k, [k IN keys({v}) WHERE NOT k IN long | {v}[k]] AS v, "
          "[k IN long | [k, size({v}[k])]] AS long")
NODES_BOUNDED = ("MATCH (n) WHERE n.id IS NOT NULL WITH n, " + _LONG.format(v="n")
                 + " RETURN labels(n)[0] AS label, " + _SHORT.format(v="n"))
EDGES_BOUNDED = ("MATCH (a)-[r]->(b) WHERE r.key IS NOT NULL AND a.id IS NOT NULL AND b.id IS NOT NULL "
                 "WITH a, r, b, " + _LONG.format(v="r") + " RETURN a.id AS s, b.id AS t, labels(a)[0] AS sl, "
                 "labels(b)[0] AS tl, type(r) AS type, " + _SHORT.format(v="r"))
NODE_PIECE = "MATCH (n:`{label}` {{id: $id}}) RETURN substring(n[$k], $i, $n) AS piece"
EDGE_PIECE = ("MATCH (a:`{src}` {{id: $s}})-[r:`{type}` {{key: $key}}]->(b:`{dst}` {{id: $t}}) "
              "RETURN substring(r[$k], $i, $n) AS piece")


def _decode(props: dict, *drop: str) -> dict:
    props = dict(props)
    encoded = props.pop(JSON_PROP, []) or []
    empty = props.pop(EMPTY_PROP, []) or []
    props.pop(HASH_PROP, None)
    for k in drop:
        props.pop(k, None)
    for k in encoded:
        if isinstance(props.get(k), str):
            props[k] = json.loads(props[k])
    for k in empty:
        props[k] = []
    return props


def _long_value(conn: Connection, query: str, ident: dict, key: str, length: int) -> str:
    return "".join(conn.run(query, **ident, k=key, i=i, n=PIECE_CHARS)[0]["piece"]
                   for i in range(0, length, PIECE_CHARS))


def _bounded_rows(conn: Connection):
    """Node and edge property dicts read with small records, long strings fetched in pieces."""
    schema = load_catalogue().schema
    node_rows = []
    for row in conn.run(NODES_BOUNDED, cut=LONG_CHARS):
        props = dict(zip(row["k"], row["v"]))
        if row["long"]:
            query = NODE_PIECE.format(label=check_label(row["label"], schema["node_types"]))
            for key, length in row["long"]:
                props[key] = _long_value(conn, query, {"id": props["id"]}, key, length)
        node_rows.append({"p": props})
    edge_rows = []
    for row in conn.run(EDGES_BOUNDED, cut=LONG_CHARS):
        props = dict(zip(row["k"], row["v"]))
        if row["long"]:
            query = EDGE_PIECE.format(type=check_label(row["type"], schema["edge_types"]),
                                      src=check_label(row["sl"], schema["node_types"]),
                                      dst=check_label(row["tl"], schema["node_types"]))
            for key, length in row["long"]:
                props[key] = _long_value(conn, query, {"s": row["s"], "t": row["t"], "key": props["key"]}, key,
                                         length)
        edge_rows.append({"s": row["s"], "t": row["t"], "p": props})
    return node_rows, edge_rows


def pull(uri: str | None, auth: tuple[str, str] | None = None, database: str | None = None,
         conn: Connection | None = None, timeout: float = DEFAULT_TIMEOUT,
         connect_timeout: float = CONNECT_TIMEOUT) -> nx.MultiDiGraph:
    """Read the graph back from a Bolt server into a MultiDiGraph equal to the one pushed.

    Reads every node with an ``id`` and every relationship with a ``key`` between such nodes; ``_json`` values are
    decoded and ``_hash`` dropped. Graph-level attributes (document texts) are not stored in Neo4j and come back
    empty. ``timeout`` bounds each query's answer and ``connect_timeout`` opening the connection (seconds).

    Examples
    --------
    >>> G = pull("bolt://localhost:7687", ("neo4j", "secret"))   # doctest: +SKIP
    """
    with opened(uri, auth, database, conn, timeout, connect_timeout) as conn:
        check_database_names(conn)
        if detect_dialect(conn).inlines_parameters:
            node_rows, edge_rows = _bounded_rows(conn)
        else:
            node_rows, edge_rows = conn.run(NODES), conn.run(EDGES)
    G = nx.MultiDiGraph(source=uri or "")
    for row in node_rows:
        p = row["p"]
        G.add_node(p["id"], **_decode(p, "id"))
    for row in edge_rows:
        p = row["p"]
        G.add_edge(row["s"], row["t"], key=p["key"], **_decode(p, "key"))
    return G


def counts(uri: str | None, auth=None, database=None, conn: Connection | None = None) -> dict:
    """Node counts by label and relationship counts by type, as the server sees them (push's digest markers,
    bookkeeping nodes of label ``_EcoDigest``, left out)."""
    with opened(uri, auth, database, conn) as conn:
        n = conn.run("MATCH (n) RETURN labels(n)[0] AS label, count(n) AS c")
        r = conn.run("MATCH ()-[r]->() RETURN type(r) AS type, count(r) AS c")
    return {"nodes": {x["label"]: x["c"] for x in n if x["label"] != DIGEST_LABEL},
            "relationships": {x["type"]: x["c"] for x in r}}
