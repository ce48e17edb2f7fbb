"""Pushing the graph to Neo4j (or another Bolt server): batched, idempotent, and skipping what the server holds.

* Labels and relationship types are node and edge types of data/schema.yaml, checked against it; every value goes as a
  query parameter, in positional rows (``[id, value, value...]``: the property names are in the query, once).
* Nodes are merged on ``id`` and relationships on ``key`` in ``UNWIND`` batches; every row carries ``_hash``, a hash
  of its content. A push sends only new and changed rows; which rows the server holds is known from per-bucket
  digests kept on marker nodes, reading stored hashes only for buckets that differ (:mod:`graph.neo4j.digests`), so
  pushing unchanged data again costs two small reads and our own hashing.
* On FalkorDB, given its Redis address (``falkordb_redis``), hashes are read and rows written over that port in
  full batches (:mod:`graph.neo4j.native`); its Bolt bridge takes about ten rows a message.
* Uniqueness constraints are created where the server supports them; where it does not (FalkorDB answers
  ``CREATE CONSTRAINT`` with an error), an index on ``id`` is created instead and the report says so.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import networkx as nx

from loaders.errors import InputError

from ..io import gc_paused
from .dialect import BoltDialect, adapt_props, check_database_names, detect_dialect, nbytes, shrink
from .digests import WRITE_MARKERS, HeldRows, read_state, server_counts
from .driver import CONNECT_TIMEOUT, DEFAULT_TIMEOUT, Connection, opened
from .files import (CONSTRAINT, DELETE_DIGESTS, HASH_PROP, INDEX, JSON_PROP, edge_merge, grouped_in_steps, node_merge,
                    positional, row_columns)
from .native import check_same_server, redis_graph, write_jobs

# Appending one piece of a long value and, once all pieces are in, the row's hash (a server with a small message
# budget only); {prop} is a checked identifier.
NODE_APPEND = "MATCH (n:`{label}` {{id: $id}}) SET n.`{{prop}}` = coalesce(n.`{{prop}}`, '') + $piece"
EDGE_APPEND = ("MATCH (a:`{src}` {{id: $s}})-[r:`{type}` {{key: $key}}]->(b:`{dst}` {{id: $t}}) "
               "SET r.`{{prop}}` = coalesce(r.`{{prop}}`, '') + $piece")
def ensure_schema(conn: Connection, labels) -> dict:
    """Uniqueness constraints on ``id`` per label, or indexes where the server has no constraints."""
    from neo4j.exceptions import Neo4jError as ServerError

    report = {"constraints": [], "indexes": [], "notes": []}
    constraints_supported = True
    for label in sorted(labels):
        if constraints_supported:
            try:
                conn.run(CONSTRAINT.format(lower=label.lower(), label=label))
                report["constraints"].append(label)
                continue
            except ServerError as exc:
                constraints_supported = False
                report["notes"].append("the server does not accept CREATE CONSTRAINT (" + (exc.message or str(exc))[:80]
                                       + "); created indexes on id instead, so uniqueness is kept by MERGE only")
        try:
            conn.run(INDEX.format(label=label))
            report["indexes"].append(label)
        except ServerError:
            report["indexes"].append(label + " (exists)")
    return report


def write_rows(conn: Connection, query: str, append_query: str, rows: list[dict], cols: list[str], batch_size: int,
               dialect: BoltDialect, progress: Callable[[int], None] | None = None) -> int:
    """Send dict rows as positional rows, in batches that respect ``batch_size`` and the dialect's message budget.

    Returns the number of rows sent. A row too large for one message is sent with its largest values empty, then
    the values in appended pieces, then its ``_hash`` (so an interrupted push never leaves a hash over half a row).
    """
    done = 0

    def send(encoded_rows):
        nonlocal done
        conn.run(query, rows=encoded_rows)
        done += len(encoded_rows)
        if progress:
            progress(len(encoded_rows))

    if not dialect.inlines_parameters:
        for i in range(0, len(rows), batch_size):
            send(dialect.encode([positional(r, cols) for r in rows[i:i + batch_size]]))
        return done
    limit = dialect.max_message_bytes - len(query.encode("utf-8")) - 32
    batch, size = [], 0
    for row in rows:
        if dialect.floats_as_json:
            row = {**row, "props": adapt_props(row["props"], dialect)}
        encoded = dialect.encode(positional(row, cols))
        rsize = nbytes(encoded) + 1
        if rsize > limit:
            props = dict(row["props"])
            digest = props.pop(HASH_PROP, None)
            small, appends = shrink({**row, "props": props}, lambda r: nbytes(dialect.encode(positional(r, cols))),
                                    limit, dialect)
            send(dialect.encode([positional(small, cols)]))
            ident = {k: v for k, v in small.items() if k != "props"}
            for key, pieces in appends + ([(HASH_PROP, [digest])] if digest else []):
                q = append_query.replace("{prop}", key)
                for piece in pieces:
                    conn.run(q, **dialect.encode({**ident, "piece": piece}))
            continue
        if batch and (size + rsize > limit or len(batch) >= batch_size):
            send(batch)
            batch, size = [], 0
        batch.append(encoded)
        size += rsize
    if batch:
        send(batch)
    return done


def _columns(rows: list[dict], dialect: BoltDialect) -> list[str]:
    cols = row_columns(rows)
    if dialect.inlines_parameters and JSON_PROP not in cols:
        cols.append(JSON_PROP)  # floats and shrunk values may become JSON text on the way
    return cols


def _write_digests(server, held: HeldRows, dialect: BoltDialect, sent: int) -> None:
    """Markers saying what the server holds now (:mod:`graph.neo4j.digests`), unless those it had already say so."""
    if not held.keys:
        return
    if not sent and held.markers:
        counts = held.counts  # read at the start, and nothing was written since
    else:
        counts = server_counts(server, held.keys)
    rows = held.marker_rows(counts)
    if not sent and held.unchanged(rows):
        return
    server.run(DELETE_DIGESTS)
    if not dialect.inlines_parameters:
        server.run(WRITE_MARKERS, rows=rows)
        return
    limit = dialect.max_message_bytes - len(WRITE_MARKERS.encode("utf-8")) - 32
    batch, size = [], 0
    for row in rows:
        encoded = dialect.encode(row)
        rsize = nbytes(encoded) + 1
        if batch and size + rsize > limit:
            server.run(WRITE_MARKERS, rows=batch)
            batch, size = [], 0
        batch.append(encoded)
        size += rsize
    server.run(WRITE_MARKERS, rows=batch)


def push(G: nx.MultiDiGraph, uri: str | None, auth: tuple[str, str] | None = None, database: str | None = None,
         batch_size: int = 1000, progress: Callable[[int, int], None] | None = None, conn: Connection | None = None,
         skip_unchanged: bool = True, timeout: float = DEFAULT_TIMEOUT, falkordb_redis: str | None = None,
         connect_timeout: float = CONNECT_TIMEOUT) -> dict:
    """Write ``G`` to a Bolt server; idempotent, and a re-push sends only what changed.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The graph (node and edge ``type`` attributes must be types of data/schema.yaml).
    uri, auth, database
        ``bolt://HOST:PORT``, ``(user, password)`` or None for a server without authentication, and the database
        (default: the server's default).
    batch_size : int
        Rows per ``UNWIND`` message where the server allows (a server that inlines parameters gets fewer).
    progress : callable, optional
        Called with ``(done, total)`` items after each batch.
    conn : Connection, optional
        An open :class:`~graph.neo4j.driver.Connection` to use (and leave open) instead of connecting to ``uri``.
    skip_unchanged : bool
        Read the content hashes the server holds and send only new or changed rows (False: send everything).
    falkordb_redis : str, optional
        ``redis://HOST:PORT`` of the same FalkorDB: hashes are read and rows written there with ``GRAPH.QUERY`` in
        ``batch_size``-row batches (:mod:`graph.neo4j.native`), instead of the ~10 rows a Bolt message of FalkorDB
        can carry. Checked to be the server behind ``uri`` first.
    timeout, connect_timeout : float
        Seconds to wait for one query's answer, and to open a connection (handshake and login).

    Returns
    -------
    dict
        Server agent, dialect, schema report with notes, node and relationship counts by label and type, rows
        ``sent`` and ``skipped``, seconds.

    Examples
    --------
    >>> report = push(build_graph(), "bolt://localhost:7687", ("neo4j", "secret"))   # doctest: +SKIP
    >>> report["sent"], report["skipped"]                                             # doctest: +SKIP
    (702, 0)
    """
    if batch_size < 1:
        raise InputError("batch size must be at least 1", field="batch-size")
    t0 = time.perf_counter()
    total = done = 0

    def tick(n):
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    # the cyclic collector paused: hashing and building rows makes millions of small objects, and each full
    # collection would walk them and the graph again (a third of the CPU of a 100,000-firm push)
    with gc_paused(), opened(uri, auth, database, conn, timeout, connect_timeout) as conn, ExitStack() as stack:
        dialect = detect_dialect(conn)
        check_database_names(conn)
        native = None
        if falkordb_redis:
            native = stack.enter_context(redis_graph(falkordb_redis, timeout, auth[1] if auth else None,
                                                             connect_timeout))
            check_same_server(native, conn)
            dialect = BoltDialect(notes=[f"rows written over FalkorDB's Redis port ({native.shown}), "
                                         f"{batch_size} per GRAPH.QUERY"])
        elif dialect.inlines_parameters:
            dialect.notes.append("this looks like FalkorDB: give its Redis port (--falkordb-redis redis://HOST:PORT) "
                                 "for 1,000-row batches instead of ~10 per Bolt message")
        server = native or conn  # where hashes and digests are read and written
        with ThreadPoolExecutor(1) as reader:  # the server reads its markers (or hashes) while ours are computed
            held = HeldRows(server, reader.submit(read_state, server)) if skip_unchanged else None
            steps = grouped_in_steps(G, skip=held or frozenset())
            skipped = next(steps)
        if held is not None:
            node_counts, edge_counts = held.type_counts()
        else:  # by type, walking networkx's dicts once (the edge view of a multigraph costs more)
            node_counts = Counter(d.get("type") for d in G._node.values())
            edge_counts = Counter(d.get("type") for nbrs in G._adj.values() for keyed in nbrs.values()
                                  for d in keyed.values())
        total = sum(node_counts.values()) + sum(edge_counts.values())
        tick(skipped)
        if skipped < total or not skip_unchanged:
            server.run(DELETE_DIGESTS)  # before any write: a push killed half way leaves no digests to trust
        nodes = next(steps)
        # only labels with rows to write (re-creating an existing index is an error on some servers, and a slow one)
        schema = ensure_schema(conn, nodes)
        schema["notes"] = dialect.notes + schema["notes"]

        def jobs():
            """Nodes first (relationships MATCH them); the edge rows are built while the nodes are being sent."""
            for label, rows in sorted(nodes.items()):
                cols = _columns(rows, dialect)
                yield node_merge(label, cols), NODE_APPEND.format(label=label), rows, cols
            for (etype, src, dst), rows in sorted(next(steps).items()):
                cols = _columns(rows, dialect)
                yield (edge_merge(etype, src, dst, cols), EDGE_APPEND.format(src=src, dst=dst, type=etype), rows,
                       cols)

        if native is not None:
            write_jobs(native, ((query, (positional(r, cols) for r in rows)) for query, _, rows, cols in jobs()),
                       batch_size, tick)
        else:
            # One Bolt connection: two writing at once ran 2-3x faster on FalkorDB for 10,000 rows, but with
            # 100,000 its Bolt bridge stopped reading one of them (and once the server died): not a safe path.
            for query, append_query, rows, cols in jobs():
                write_rows(conn, query, append_query, rows, cols, batch_size, dialect, tick)
        if held is not None:
            _write_digests(server, held, dialect, sent=total - skipped)
        agent = conn.agent
    return {"uri": uri, "database": database, "server": agent, "schema": schema, "dialect": dialect.as_dict(),
            "nodes": dict(sorted(node_counts.items())), "relationships": dict(sorted(edge_counts.items())),
            "sent": total - skipped, "skipped": skipped, "seconds": time.perf_counter() - t0}
