"""Pushing the graph to Neo4j (or another Bolt server) and pulling it back, with the official ``neo4j`` driver.

* Labels and relationship types are node and edge types of data/schema.yaml, checked against it; every value goes as a
  query parameter.
* Nodes are merged on ``id`` and relationships on ``key``, in ``UNWIND`` batches: a second push changes nothing.
* Uniqueness constraints are created where the server supports them; where it does not (FalkorDB answers
  ``CREATE CONSTRAINT`` with an error although it announces itself as Neo4j 5), an index on ``id`` is created
  instead and the report says so. Features are detected by trying them, never by the agent string.
* Batches run as auto-commit queries retried on transient errors (some Bolt servers ignore the database in explicit
  transactions).
* Parameters are checked by a round trip before anything is written (:func:`detect_dialect`). FalkorDB's Bolt bridge
  (4.x) pastes parameters into the query text: strings unescaped, floats with six decimals, into a 4096-byte buffer.
  Against such a server strings are escaped on our side, floats that would lose digits travel as JSON text (listed in
  ``_json`` and decoded by :func:`pull`), messages stay under ``max_message_bytes`` and longer values are sent in
  appended pieces. Neo4j gets plain parameters and large batches.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import networkx as nx

from loaders.errors import InputError

from .export import CONSTRAINT, EDGE_MERGE, INDEX, NODE_MERGE, grouped_for_neo4j

# Appending one piece of a long value (only for servers with a small message budget); {prop} is a checked identifier.
NODE_APPEND = "MATCH (n:`{label}` {{id: $id}}) SET n.`{{prop}}` = n.`{{prop}}` + $piece"
EDGE_APPEND = ("MATCH (a:`{src}` {{id: $s}})-[r:`{type}` {{key: $key}}]->(b:`{dst}` {{id: $t}}) "
               "SET r.`{{prop}}` = r.`{{prop}}` + $piece")

RETRIES = 5
# Parameters of a server that inlines them go into a 4096-byte buffer (FalkorDB 4.x src/bolt); keep a margin.
INLINE_MESSAGE_BYTES = 3000
_PROBE = "a'b\\c\"d`e 中"


class Neo4jError(InputError):
    """Connection or authentication failure, reported as bad input (exit code 2)."""


def connect(uri: str, auth: tuple[str, str], attempts: int = 4):
    """A verified driver with a single pooled connection (all our work is sequential).

    Raises :class:`Neo4jError` with a plain message when the server refuses the connection or the credentials. A
    handshake that times out is tried again (FalkorDB's Bolt listener sometimes drops a new connection).
    """
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError, ConfigurationError, DatabaseError, ServiceUnavailable

    for attempt in range(attempts):
        try:
            driver = GraphDatabase.driver(uri, auth=auth, max_transaction_retry_time=5, connection_timeout=5,
                                          connection_acquisition_timeout=8, max_connection_pool_size=1)
        except (ValueError, ConfigurationError) as exc:
            raise Neo4jError(f"invalid URI {uri!r}: {exc}; use bolt://HOST:PORT or neo4j://HOST:PORT") from exc
        try:
            driver.verify_connectivity()
            return driver
        except (AuthError, DatabaseError) as exc:
            # Neo4j answers bad credentials with AuthError; FalkorDB's Bolt bridge with a general DatabaseError.
            driver.close()
            raise Neo4jError(f"authentication failed for user {auth[0]!r} at {uri}; check the user and the "
                             "password variable") from exc
        except (ServiceUnavailable, OSError) as exc:
            driver.close()
            refused = "refused" in str(exc).lower() or "Errno 111" in str(exc)
            if refused or attempt == attempts - 1:
                raise Neo4jError(f"cannot connect to {uri}: the server " + ("refused the connection" if refused
                                 else "did not answer") + "; is it running and is the port right?") from exc
            time.sleep(0.5 * (attempt + 1))


class _Session:
    """Use a given driver, or connect and close afterwards."""

    def __init__(self, uri, auth, driver=None):
        self.uri, self.auth, self.given = uri, auth, driver

    def __enter__(self):
        self.driver = self.given or connect(self.uri, self.auth)
        return self.driver

    def __exit__(self, *exc):
        if self.given is None:
            self.driver.close()


def _run(driver, database, query: str, **params):
    """Run an auto-commit query, retrying transient failures with backoff."""
    from neo4j.exceptions import ServiceUnavailable, SessionExpired, TransientError

    delay = 0.2
    for attempt in range(RETRIES):
        try:
            with driver.session(database=database) as session:
                return session.run(query, **params).data()
        except (TransientError, ServiceUnavailable, SessionExpired):
            if attempt == RETRIES - 1:
                raise
            time.sleep(delay)
            delay *= 2


@dataclass
class BoltDialect:
    """How parameters must be sent to a server, found by :func:`detect_dialect`."""

    escape_strings: bool = False
    floats_as_json: bool = False
    max_message_bytes: int | None = None
    notes: list[str] = field(default_factory=list)

    def encode(self, value):
        """A parameter value as this server needs it."""
        if isinstance(value, str):
            return value.replace("\\", "\\\\").replace("'", "\\'") if self.escape_strings else value
        if isinstance(value, list):
            return [self.encode(v) for v in value]
        if isinstance(value, dict):
            return {k: self.encode(v) for k, v in value.items()}
        return value


def detect_dialect(driver, database) -> BoltDialect:
    """Find out whether string and float parameters survive a round trip, and how to send them if not."""
    from neo4j.exceptions import Neo4jError as DriverError

    dialect = BoltDialect()

    def echo(v):
        try:
            return _run(driver, database, "RETURN $p AS p", p=v)[0]["p"]
        except DriverError:
            return None

    if echo(_PROBE) != _PROBE:
        dialect.escape_strings = True
        if echo(dialect.encode(_PROBE)) != _PROBE:
            raise Neo4jError("the server does not return string parameters as sent, even escaped; refusing to "
                             "write to it")
        dialect.max_message_bytes = INLINE_MESSAGE_BYTES
        dialect.notes.append("the server pastes string parameters into the query text unescaped (FalkorDB's Bolt "
                             "bridge): strings are escaped here and messages kept under "
                             f"{INLINE_MESSAGE_BYTES} bytes")
    third = 1 / 3
    if echo(third) != third:
        dialect.floats_as_json = True
        dialect.notes.append("the server rounds float parameters; floats that would lose digits are stored as JSON "
                             "text (listed in the _json property; pull decodes them)")
    return dialect


def _nbytes(value) -> int:
    return len(json.dumps(value, ensure_ascii=False, default=str).encode("utf-8"))


def _adapt_props(props: dict, dialect: BoltDialect) -> dict:
    if not dialect.floats_as_json:
        return props
    out = dict(props)
    encoded = set(out.get("_json", []))
    for k, v in props.items():
        if isinstance(v, float) and math.isfinite(v) and float(f"{v:f}") != v:
            out[k] = json.dumps(v)
            encoded.add(k)
    if encoded:
        out["_json"] = sorted(encoded)
    return out


def _split_text(text: str, limit: int, dialect: BoltDialect) -> list[str]:
    pieces, start = [], 0
    while start < len(text):
        end = start + 1
        step = max(1, limit // 4)
        while end < len(text) and _nbytes(dialect.encode(text[start:min(len(text), end + step)])) <= limit:
            end = min(len(text), end + step)
        while end < len(text) and _nbytes(dialect.encode(text[start:end + 1])) <= limit:
            end += 1
        pieces.append(text[start:end])
        start = end
    return pieces


def _shrink(row: dict, limit: int, dialect: BoltDialect) -> tuple[dict, list[tuple[str, list[str]]]]:
    """A row small enough for one message, and the pieces of the values taken out of it, to append afterwards."""
    props = dict(row["props"])
    encoded = set(props.get("_json", []))
    appends = []
    while _nbytes(dialect.encode({**row, "props": props})) > limit:
        key = max((k for k in props if k not in ("id", "key", "_json")), key=lambda k: _nbytes(props[k]), default=None)
        if key is None or props[key] == "":
            raise Neo4jError(f"row {row.get('id') or row.get('key')!r} does not fit in a message of {limit} bytes")
        value = props[key]
        if not isinstance(value, str):
            value = json.dumps(value, ensure_ascii=False, sort_keys=True)
            encoded.add(key)
        appends.append((key, _split_text(value, max(200, limit // 2), dialect)))
        props[key] = ""
    if encoded:
        props["_json"] = sorted(encoded)
    return {**row, "props": props}, appends


def _write_rows(driver, database, query: str, append_query: str, rows: list[dict], batch_size: int,
                dialect: BoltDialect, progress=None) -> int:
    """Send rows in batches that respect both ``batch_size`` and the dialect's message budget."""
    rows = [{**r, "props": _adapt_props(r["props"], dialect)} for r in rows]
    budget = dialect.max_message_bytes
    done = 0

    def send(batch):
        nonlocal done
        _run(driver, database, query, rows=dialect.encode(batch))
        done += len(batch)
        if progress:
            progress(len(batch))

    if budget is None:
        for i in range(0, len(rows), batch_size):
            send(rows[i:i + batch_size])
        return done
    limit = budget - len(query.encode("utf-8")) - 32
    batch, size = [], 0
    for row in rows:
        rsize = _nbytes(dialect.encode(row)) + 1
        if rsize > limit:
            small, appends = _shrink(row, limit, dialect)
            send([small])
            for key, pieces in appends:
                q = append_query.replace("{prop}", key)
                for piece in pieces:
                    _run(driver, database, q, **dialect.encode({**{k: v for k, v in small.items() if k != "props"},
                                                                "piece": piece}))
            continue
        if batch and (size + rsize > limit or len(batch) >= batch_size):
            send(batch)
            batch, size = [], 0
        batch.append(row)
        size += rsize
    if batch:
        send(batch)
    return done


def ensure_schema(driver, database, labels) -> dict:
    """Uniqueness constraints on ``id`` per label, or indexes where the server has no constraints."""
    from neo4j.exceptions import Neo4jError as DriverError

    report = {"constraints": [], "indexes": [], "notes": []}
    labels = sorted(labels)
    constraints_supported = True
    for label in labels:
        if constraints_supported:
            try:
                _run(driver, database, CONSTRAINT.format(lower=label.lower(), label=label))
                report["constraints"].append(label)
                continue
            except DriverError as exc:
                constraints_supported = False
                report["notes"].append("the server does not accept CREATE CONSTRAINT (" + (exc.message or str(exc))[:80]
                                       + "); created indexes on id instead, so uniqueness is kept by MERGE only")
        try:
            _run(driver, database, INDEX.format(label=label))
            report["indexes"].append(label)
        except DriverError:
            report["indexes"].append(label + " (exists)")
    return report


def push(G: nx.MultiDiGraph, uri: str | None, auth: tuple[str, str] | None = None, database: str | None = None,
         batch_size: int = 1000, progress: Callable[[int, int], None] | None = None, driver=None) -> dict:
    """Write ``G`` to a Bolt server; idempotent.

    Parameters
    ----------
    progress : callable, optional
        Called with ``(done, total)`` items after each batch.
    driver : neo4j.Driver, optional
        An open driver to use (and leave open) instead of connecting to ``uri``.

    Returns
    -------
    dict
        Server agent, schema report, node and relationship counts by label and type, seconds.
    """
    if batch_size < 1:
        raise InputError("batch size must be at least 1", field="batch-size")
    nodes, edges = grouped_for_neo4j(G)
    total = G.number_of_nodes() + G.number_of_edges()
    t0 = time.perf_counter()
    done = 0

    def tick(n):
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    with _Session(uri, auth, driver) as driver:
        dialect = detect_dialect(driver, database)
        schema = ensure_schema(driver, database, nodes)
        schema["notes"] = dialect.notes + schema["notes"]
        for label, rows in sorted(nodes.items()):
            _write_rows(driver, database, NODE_MERGE.format(label=label), NODE_APPEND.format(label=label), rows,
                        batch_size, dialect, tick)
        for (etype, src, dst), rows in sorted(edges.items()):
            _write_rows(driver, database, EDGE_MERGE.format(src=src, dst=dst, type=etype),
                        EDGE_APPEND.format(src=src, dst=dst, type=etype), rows, batch_size, dialect, tick)
        agent = driver.get_server_info().agent
    return {"uri": uri, "database": database, "server": agent, "schema": schema,
            "dialect": {"escape_strings": dialect.escape_strings, "floats_as_json": dialect.floats_as_json,
                        "max_message_bytes": dialect.max_message_bytes},
            "nodes": {k: len(v) for k, v in sorted(nodes.items())},
            "relationships": dict(sorted({t: sum(len(r) for (et, _, _), r in edges.items() if et == t)
                                          for t in {k[0] for k in edges}}.items())),
            "seconds": time.perf_counter() - t0}


def push_row_by_row(G: nx.MultiDiGraph, uri: str | None, auth=None, database=None, driver=None) -> float:
    """The naive baseline for benchmarks: one MERGE query per node and per relationship. Returns seconds."""
    nodes, edges = grouped_for_neo4j(G)
    t0 = time.perf_counter()
    with _Session(uri, auth, driver) as driver:
        dialect = detect_dialect(driver, database)
        for label, rows in nodes.items():
            _write_rows(driver, database, NODE_MERGE.format(label=label), NODE_APPEND.format(label=label), rows, 1,
                        dialect)
        for (etype, src, dst), rows in edges.items():
            _write_rows(driver, database, EDGE_MERGE.format(src=src, dst=dst, type=etype),
                        EDGE_APPEND.format(src=src, dst=dst, type=etype), rows, 1, dialect)
    return time.perf_counter() - t0


def _decode(props: dict, *drop: str) -> dict:
    props = dict(props)
    encoded = props.pop("_json", []) or []
    for k in drop:
        props.pop(k, None)
    for k in encoded:
        if isinstance(props.get(k), str):
            props[k] = json.loads(props[k])
    return props


def pull(uri: str | None, auth: tuple[str, str] | None = None, database: str | None = None,
         driver=None) -> nx.MultiDiGraph:
    """Read the graph back from a Bolt server into a MultiDiGraph equal to the one pushed.

    Graph-level attributes (document texts) are not stored in Neo4j and come back empty.
    """
    with _Session(uri, auth, driver) as driver:
        node_rows = _run(driver, database, "MATCH (n) WHERE n.id IS NOT NULL RETURN properties(n) AS p")
        edge_rows = _run(driver, database, "MATCH (a)-[r]->(b) WHERE r.key IS NOT NULL "
                                           "RETURN a.id AS s, b.id AS t, properties(r) AS p")
    G = nx.MultiDiGraph(source=uri or "")
    for row in node_rows:
        p = row["p"]
        G.add_node(p["id"], **_decode(p, "id"))
    for row in edge_rows:
        p = row["p"]
        G.add_edge(row["s"], row["t"], key=p["key"], **_decode(p, "key"))
    return G


def counts(uri: str | None, auth=None, database=None, driver=None) -> dict:
    """Node counts by label and relationship counts by type, as the server sees them."""
    with _Session(uri, auth, driver) as driver:
        n = _run(driver, database, "MATCH (n) RETURN labels(n)[0] AS label, count(n) AS c")
        r = _run(driver, database, "MATCH ()-[r]->() RETURN type(r) AS type, count(r) AS c")
    return {"nodes": {x["label"]: x["c"] for x in n}, "relationships": {x["type"]: x["c"] for x in r}}
