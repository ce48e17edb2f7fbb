"""What a server already holds, known without reading every stored hash: per-bucket digests kept on marker nodes.

Every node and relationship push writes carries ``_hash`` (:func:`~graph.neo4j.files.row_hash`). Reading all of
them back costs a scan of the whole database on every push. Instead, each push ends by writing one marker node per
node label and relationship type of its graph (label :data:`DIGEST_LABEL`, no ``id``, so pull, counts and the file
routes never take it for data) that holds:

* ``count``: how many nodes with that label (relationships of that type) the server holds, and
* ``buckets``: for each of :data:`BUCKETS` buckets (the first hex digit of ``_hash``), the number of hashes the
  server holds there and their sum modulo 2**64, or ``-`` where the server holds hashes the graph does not (rows
  deleted from the graph stay on the server, as push never deletes): such a bucket is always read.

A push compares the digests of its own rows with the marker and reads from the server only the hashes of buckets
that differ (one query per label or type, filtered to those buckets); the other buckets hold exactly the graph's
rows. So pushing unchanged data again reads two small queries, and a change reads a sixteenth of its label.

Staying right:

* a marker is trusted only when, for its label or type, the server's count equals the one stored (a count of one
  label or type is kept by both Neo4j and FalkorDB, so it costs no scan): rows deleted or added by anyone else make
  the whole label be read again;
* the markers are deleted before anything is written and written again only after every row is in, so a push
  killed half way leaves no marker and the next push reads everything, as without digests;
* the Cypher script deletes the markers first (its rows may differ from what they describe).

What this cannot see: someone else changing a row's values but not its ``_hash`` (as before), or deleting and
creating the same number of rows of one label. ``push(skip_unchanged=False)`` sends everything and leaves no marker.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np

from .files import DIGEST_LABEL, HASH_PROP, MODEL_VERSION

BUCKETS = 16  # the first hex digit of a hash
# Part of every marker: change it when what a digest covers changes (MODEL_VERSION changes every hash anyway).
DIGEST_VERSION = f"{MODEL_VERSION}.1"
DIRTY = "-"

# (``n`` for the count: FalkorDB stores a map key named ``count`` as null)
READ_MARKERS = f"MATCH (d:`{DIGEST_LABEL}`) RETURN d.key AS key, d.v AS v, d.n AS count, d.buckets AS buckets"
WRITE_MARKERS = (f"UNWIND $rows AS row CREATE (:`{DIGEST_LABEL}` {{key: row[0], v: row[1], n: row[2], "
                 "buckets: row[3]})")


def node_key(label: str) -> str:
    """The digest key of a node label (labels and types are checked identifiers of data/schema.yaml)."""
    return "n:" + label


def edge_key(etype: str) -> str:
    """The digest key of a relationship type."""
    return "r:" + etype


def _pattern(key: str) -> tuple[str, str]:
    kind, name = key.split(":", 1)
    return (f"(x:`{name}`)", "x") if kind == "n" else (f"(a)-[x:`{name}`]->(b)", "x")


STATS = "CALL db.meta.stats() YIELD labels, relTypes RETURN labels, relTypes"


def server_counts(conn, keys: list[str]) -> dict[str, int]:
    """Per key, the number of nodes of that label or relationships of that type the server holds, from its
    statistics (no scan): FalkorDB's ``db.meta.stats()`` in one query, else (Neo4j) one count query per key, which
    Neo4j answers from its count store. (FalkorDB scans every relationship for ``MATCH ()-[r:T]->() RETURN
    count(r)``, 0.15 s per type at 100,000 firms.)"""
    from loaders.errors import InputError

    if not keys:
        return {}
    try:
        stats = conn.run(STATS)[0]
    except InputError:
        raise  # ConnectionFailure: the connection, not the procedure
    except Exception:  # noqa: BLE001 - no such procedure (Neo4j): count per key below
        stats = None
    if stats is not None:
        labels, types = dict(stats.get("labels") or {}), dict(stats.get("relTypes") or {})
        return {key: (labels if key.startswith("n:") else types).get(key.split(":", 1)[1], 0) for key in keys}
    out = {}
    for key in keys:
        pattern, v = _pattern(key)
        out[key] = conn.run(f"MATCH {pattern} RETURN count({v}) AS c")[0]["c"]
    return out


def _hashes_cypher(pattern: str, v: str, joined: bool, also: str = "") -> str:
    """Every ``_hash`` of ``pattern`` (variable ``v``, optionally filtered by ``also``), a thousand per record (17 kB:
    FalkorDB's Bolt bridge never delivers a record over 64 KiB) or, ``joined`` (FalkorDB's Redis port), ten thousand
    per record joined into one string (hashes are hex: no commas)."""
    head = f"MATCH {pattern} WHERE {v}.`{HASH_PROP}` IS NOT NULL{also} WITH collect({v}.`{HASH_PROP}`) AS h "
    if joined:
        return head + "UNWIND range(0, size(h) - 1, 10000) AS i RETURN string.join(h[i..i + 10000], ',') AS chunk"
    return head + "UNWIND range(0, size(h) - 1, 1000) AS i RETURN h[i..i + 1000] AS chunk"


def hashes_query(key: str, buckets: list[int] | None, joined: bool) -> str:
    """The stored hashes of one label or type (only those in ``buckets``, given as ``$b``, when not None)."""
    pattern, v = _pattern(key)
    return _hashes_cypher(pattern, v, joined, "" if buckets is None else f" AND left({v}.`{HASH_PROP}`, 1) IN $b")


def bucket_names(buckets) -> list[str]:
    return [f"{b:x}" for b in buckets]


@dataclass
class Digests:
    """The graph's rows by key and bucket: which key each row belongs to, its bucket, and per (key, bucket) the
    number of rows and the sum of their hashes modulo 2**64."""

    keys: list[str]
    row_key: np.ndarray  # per row, the index of its key in ``keys``
    row_bucket: np.ndarray  # per row, its bucket
    count: np.ndarray  # (keys, BUCKETS) int
    total: np.ndarray  # (keys, BUCKETS) uint64

    def text(self, k: int, dirty=()) -> str:
        """The ``buckets`` property of key ``k``: ``count:sum`` per bucket, ``-`` for the buckets in ``dirty``."""
        return ",".join(DIRTY if b in dirty else f"{self.count[k, b]}:{int(self.total[k, b]):x}"
                        for b in range(BUCKETS))


def digests_of(keys: list[str], row_keys: list[int], hashes: list[str]) -> Digests:
    """:class:`Digests` of rows given by their key index and 16-hex-digit hash.

    Examples
    --------
    >>> d = digests_of(["n:Company"], [0, 0], ["1000000000000001", "1000000000000002"])
    >>> d.text(0).split(",")[1]
    '2:2000000000000003'
    """
    values = np.frombuffer(bytes.fromhex("".join(hashes)), dtype=">u8").astype(np.uint64)
    row_key = np.asarray(row_keys, dtype=np.int64)
    row_bucket = (values >> np.uint64(60)).astype(np.int64)
    code = row_key * BUCKETS + row_bucket
    size = len(keys) * BUCKETS
    count = np.bincount(code, minlength=size).reshape(len(keys), BUCKETS)
    total = np.zeros(size, dtype=np.uint64)
    np.add.at(total, code, values)  # uint64 sums wrap: modulo 2**64
    return Digests(keys, row_key, row_bucket, count, total.reshape(len(keys), BUCKETS))


@dataclass
class Marker:
    """What the markers on the server say, per key: the stored count and the bucket texts."""

    count: int
    buckets: list[str]


def parse_markers(records: list[dict]) -> dict[str, Marker]:
    """Markers of this version, by key; anything malformed is left out (its key is then read in full)."""
    out = {}
    for r in records:
        buckets = str(r.get("buckets") or "").split(",")
        if r.get("v") != DIGEST_VERSION or not isinstance(r.get("count"), int) or len(buckets) != BUCKETS:
            continue
        out[str(r.get("key"))] = Marker(r["count"], buckets)
    return out


def buckets_to_read(digests: Digests, markers: dict[str, Marker], counts: dict[str, int]) -> dict[int, list[int]]:
    """Per key index, the buckets whose stored hashes must be read: all of them where the key has no marker or the
    server's count differs from the marker's; else those whose digest differs or that are marked dirty."""
    out = {}
    for k, key in enumerate(digests.keys):
        marker = markers.get(key)
        if marker is None or counts.get(key, 0) != marker.count:
            out[k] = list(range(BUCKETS))
            continue
        ours = digests.text(k).split(",")
        differ = [b for b in range(BUCKETS) if marker.buckets[b] == DIRTY or marker.buckets[b] != ours[b]]
        if differ:
            out[k] = differ
    return out


# ------------------------------------------------------------------------------------------------ with the server
_EVERYTHING = (("(n)", "n"), ("()-[r]->()", "r"))  # every node, every relationship
ALL_HASHES = tuple(_hashes_cypher(p, v, joined=False) for p, v in _EVERYTHING)
ALL_HASHES_JOINED = tuple(_hashes_cypher(p, v, joined=True) for p, v in _EVERYTHING)


def _joined(conn) -> bool:
    from .native import RedisGraph

    return isinstance(conn, RedisGraph)


def _read_chunks(conn, query: str, **params) -> set[str]:
    if _joined(conn):
        return {h for r in conn.run(query, **params) if r["chunk"] for h in r["chunk"].split(",")}
    return {h for r in conn.run(query, **params) for h in r["chunk"]}


def stored_hashes(conn) -> set[str]:
    """The ``_hash`` of every node and relationship the server holds (a hash covers the row's identity and content:
    :func:`~graph.neo4j.files.row_hash`). ``conn``: a Bolt :class:`~graph.neo4j.driver.Connection` or a
    :class:`~graph.neo4j.native.RedisGraph` (which joins them: 33 replies to parse instead of 334,000)."""
    return set().union(*(_read_chunks(conn, q) for q in (ALL_HASHES_JOINED if _joined(conn) else ALL_HASHES)))


def read_state(conn) -> tuple[dict[str, Marker], set[str] | None]:
    """The markers and, when there are none, every stored hash (read here, so that a caller running this in a
    thread reads them while it hashes its rows)."""
    markers = parse_markers(conn.run(READ_MARKERS))
    return (markers, None) if markers else ({}, stored_hashes(conn))


class HeldRows:
    """``grouped_in_steps(G, skip=HeldRows(conn, state))``: which rows the server holds, reading only the buckets
    whose digest differs; then :meth:`marker_rows` for the markers to write once every row is in.

    ``state`` is :func:`read_state`'s result or a Future of it; ``conn`` a Bolt Connection or a RedisGraph.
    """

    def __init__(self, conn, state):
        self.conn, self.state = conn, state
        self.keys: list[str] = []
        self.digests: Digests | None = None
        self.dirty: dict[int, set[int]] = {}
        self.markers: dict[str, Marker] = {}
        self.counts: dict[str, int] = {}  # the server's, per key, when read at the start
        self.read = 0  # buckets read (a full read counts all)

    def __call__(self, hashed: list[tuple]) -> list[bool]:
        # the groups of grouped_in_steps (a label, or (type, source label, target label): checked names) -> key
        by_group, index, row_keys = {}, {}, []
        for item in hashed:
            k = by_group.get(item[0])
            if k is None:
                group = item[0]
                key = node_key(group) if isinstance(group, str) else edge_key(group[0])
                k = by_group[group] = index.setdefault(key, len(index))
            row_keys.append(k)
        self.keys = keys = list(index)
        hashes = [item[3] for item in hashed]
        d = self.digests = digests_of(keys, row_keys, hashes)
        markers, everything = self.state.result() if isinstance(self.state, Future) else self.state
        self.markers = markers
        if everything is not None:
            # no markers: every stored hash was read; a hash the graph does not have is of no known key, so its
            # bucket is marked dirty in every key (the next push reads those buckets by key and knows better)
            held = [h in everything for h in hashes]
            extra = everything.difference(hashes)
            dirty = {int(h[0], 16) for h in extra if h}
            self.dirty = {k: dirty for k in range(len(keys))} if dirty else {}
            self.read = len(keys) * BUCKETS
            return held
        counts = self.counts = server_counts(self.conn, keys)
        to_read = buckets_to_read(d, markers, counts)
        need = np.zeros((len(keys), BUCKETS), dtype=bool)
        for k, buckets in to_read.items():
            need[k, buckets] = True
        row_need = need[d.row_key, d.row_bucket]
        held = (~row_need).tolist()
        rows = np.flatnonzero(row_need)
        for k, buckets in to_read.items():
            stored = _read_chunks(self.conn, hashes_query(keys[k], None if len(buckets) == BUCKETS else buckets,
                                                          _joined(self.conn)),
                                  **({} if len(buckets) == BUCKETS else {"b": bucket_names(buckets)}))
            mine = rows[d.row_key[rows] == k]
            ours = {hashes[i] for i in mine}
            for i in mine:
                held[i] = hashes[i] in stored
            extra = stored - ours
            if extra:
                self.dirty[k] = {int(h[0], 16) for h in extra if h}
            self.read += len(buckets)
        return held

    def type_counts(self) -> tuple[dict[str, int], dict[str, int]]:
        """Nodes by label and relationships by type, of the graph hashed."""
        n = self.digests.count.sum(axis=1)
        nodes = {key[2:]: int(c) for key, c in zip(self.keys, n) if key.startswith("n:")}
        return nodes, {key[2:]: int(c) for key, c in zip(self.keys, n) if key.startswith("r:")}

    def marker_rows(self, counts: dict[str, int]) -> list[list]:
        """``[key, version, count, buckets]`` per key, as the server holds the graph now."""
        d = self.digests
        return [[key, DIGEST_VERSION, counts.get(key, 0), d.text(k, self.dirty.get(k, ()))]
                for k, key in enumerate(self.keys)]

    def unchanged(self, rows: list[list]) -> bool:
        """True when the markers read at the start already say what ``rows`` say."""
        return len(self.markers) == len(rows) and all(
            (m := self.markers.get(r[0])) is not None and m.count == r[2] and ",".join(m.buckets) == r[3]
            for r in rows)
