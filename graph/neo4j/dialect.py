"""What a Bolt server does with our queries, found by trying, and how to send values it mishandles.

Everything here is detected by harmless round trips, never by the agent string (FalkorDB announces ``Neo4j/5.13.0``):

* string and float parameters are echoed back (``RETURN $p``): FalkorDB's Bolt bridge pastes parameters into the
  query text, strings unescaped and floats with six decimals, into a 4096-byte buffer (a larger message aborts the
  server). Against such a server strings are escaped on our side, floats that would lose digits travel as JSON text
  (listed in ``_json``), messages stay under :data:`INLINE_MESSAGE_BYTES` and longer values are appended in pieces;
* a marker written under the database name asked for is looked for under another name: FalkorDB puts every named
  database into one graph, so a push to ``alpha`` and one to ``beta`` would mix. Such a server is refused a
  database name instead.

The same bridge never delivers a result record over 64 KiB (one Bolt chunk; the connection and then the listener
hang). That cannot be tried safely, so it is assumed for a server that inlines parameters and pull reads long values
of such a server in pieces (:mod:`graph.neo4j.pull`).
"""

from __future__ import annotations

import json
import math
import secrets
from dataclasses import dataclass, field

from loaders.errors import ConnectionFailure

from .files import JSON_PROP

# The parameter buffer of a server that inlines them is 4096 bytes (query text included): keep a margin for the
# "CYPHER rows=" prefix and for our size estimate.
INLINE_MESSAGE_BYTES = 3600
_PROBE = "a'b\\c\"d`e 中"
PROBE_LABEL = "_EcoProbe"


@dataclass
class BoltDialect:
    """How parameters must be sent to a server and how results must be read, found by :func:`detect_dialect`."""

    escape_strings: bool = False
    floats_as_json: bool = False
    max_message_bytes: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def inlines_parameters(self) -> bool:
        """True for a server that pastes parameters into the query text (FalkorDB's Bolt bridge)."""
        return self.max_message_bytes is not None

    def encode(self, value):
        """A parameter value as this server needs it."""
        if not self.escape_strings:
            return value
        if isinstance(value, str):
            return value.replace("\\", "\\\\").replace("'", "\\'") if ("\\" in value or "'" in value) else value
        if isinstance(value, list):
            return [self.encode(v) for v in value]
        if isinstance(value, dict):
            return {k: self.encode(v) for k, v in value.items()}
        return value

    def as_dict(self) -> dict:
        return {"escape_strings": self.escape_strings, "floats_as_json": self.floats_as_json,
                "max_message_bytes": self.max_message_bytes}


def detect_dialect(conn) -> BoltDialect:
    """Find out whether string and float parameters survive a round trip, and how to send them if not."""
    from neo4j.exceptions import Neo4jError as ServerError

    dialect = BoltDialect()

    def echo(v):
        try:
            return conn.run("RETURN $p AS p", p=v)[0]["p"]
        except ServerError:
            return None

    if echo(_PROBE) != _PROBE:
        dialect.escape_strings = True
        if echo(dialect.encode(_PROBE)) != _PROBE:
            raise ConnectionFailure("the server does not return string parameters as sent, even escaped; refusing "
                                    "to write to it", path=conn.uri)
        dialect.max_message_bytes = INLINE_MESSAGE_BYTES
        dialect.notes.append("the server pastes string parameters into the query text unescaped (FalkorDB's Bolt "
                             "bridge): strings are escaped here, messages kept under "
                             f"{INLINE_MESSAGE_BYTES} bytes and long values read back in pieces")
    third = 1 / 3
    if echo(third) != third:
        dialect.floats_as_json = True
        dialect.notes.append("the server rounds float parameters; floats that would lose digits are stored as JSON "
                             "text (listed in the _json property; pull decodes them)")
    return dialect


def check_database_names(conn) -> None:
    """Refuse a database name the server ignores: write a marker under ``conn.database``, look for it under another
    name. Nothing to check without a name (the server's default database is meant)."""
    from neo4j.exceptions import Neo4jError as ServerError

    if conn.database is None:
        return
    token = secrets.token_hex(8)
    other = conn.with_database(f"eco_probe_{token}")
    conn.run(f"CREATE (:`{PROBE_LABEL}` {{token: $t}})", t=token)
    try:
        try:
            seen = other.run(f"MATCH (p:`{PROBE_LABEL}` {{token: $t}}) RETURN count(p) AS c", t=token)[0]["c"]
        except ServerError:
            seen = 0  # Neo4j: no such database, so names are honoured
    finally:
        conn.run(f"MATCH (p:`{PROBE_LABEL}` {{token: $t}}) DELETE p", t=token)
    if seen:
        raise ConnectionFailure(f"the server ignores the database name: what is written to {conn.database!r} is "
                                "also what every other name reads (FalkorDB's Bolt bridge keeps all names in one "
                                "graph), so graphs would mix; leave out --database and use one server per graph",
                                path=conn.uri)


# ----------------------------------------------------------------------------------------------- message shrinking
def nbytes(value) -> int:
    """An upper estimate of the bytes ``value`` takes pasted into a query: its JSON, with floats at the width
    FalkorDB prints them (``%f``: six decimals, no exponent)."""
    floats = 0
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, float):
            floats += max(0, len(f"{v:f}") - len(repr(v))) + 2
        elif isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list) and v and not isinstance(v[0], str):
            stack.extend(v)
        elif isinstance(v, list):  # a row, or a list of strings: only its non-string items can hold floats
            stack.extend(x for x in v if not isinstance(x, str))
    return len(_dumps(value).encode("utf-8")) + floats


_dumps = json.JSONEncoder(ensure_ascii=False, default=str).encode


def adapt_props(props: dict, dialect: BoltDialect) -> dict:
    """Floats the server would round, as JSON text listed in ``_json``."""
    if not dialect.floats_as_json:
        return props
    out = dict(props)
    encoded = set(out.get(JSON_PROP, []))
    for k, v in props.items():
        if isinstance(v, float) and math.isfinite(v) and float(f"{v:f}") != v:
            out[k] = json.dumps(v)
            encoded.add(k)
    if encoded:
        out[JSON_PROP] = sorted(encoded)
    return out


def split_text(text: str, limit: int, dialect: BoltDialect) -> list[str]:
    """``text`` in consecutive pieces whose encoded size stays under ``limit`` bytes."""
    pieces, start = [], 0
    while start < len(text):
        end = start + 1
        step = max(1, limit // 4)
        while end < len(text) and nbytes(dialect.encode(text[start:min(len(text), end + step)])) <= limit:
            end = min(len(text), end + step)
        while end < len(text) and nbytes(dialect.encode(text[start:end + 1])) <= limit:
            end += 1
        pieces.append(text[start:end])
        start = end
    return pieces


def shrink(row: dict, size, limit: int, dialect: BoltDialect) -> tuple[dict, list[tuple[str, list[str]]]]:
    """A row whose ``size(row)`` fits ``limit``, and the pieces of the values taken out of it, to append afterwards.

    Values taken out are set to ``""`` (lists and other values become JSON text, listed in ``_json``).
    """
    props = dict(row["props"])
    encoded = set(props.get(JSON_PROP, []))
    appends = []
    while size({**row, "props": props}) > limit:
        key = max((k for k in props if k not in ("id", "key", JSON_PROP)), key=lambda k: nbytes(props[k]),
                  default=None)
        if key is None or props[key] == "":
            raise ConnectionFailure(f"row {row.get('id') or row.get('key')!r} does not fit in a message of {limit} "
                                    "bytes")
        value = props[key]
        if not isinstance(value, str):
            value = json.dumps(value, ensure_ascii=False, sort_keys=True)
            encoded.add(key)
        appends.append((key, split_text(value, max(200, limit // 2), dialect)))
        props[key] = ""
        if encoded:
            props[JSON_PROP] = sorted(encoded)
    return {**row, "props": props}, appends
