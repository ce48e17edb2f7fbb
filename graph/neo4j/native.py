"""FalkorDB's own protocol for push: ``GRAPH.QUERY`` over its Redis port, 1,000-row batches instead of ~10.

Why: FalkorDB's Bolt bridge pastes the parameters of a message into a 4,096-byte buffer on its stack
(``char prametrize_query[4096]`` in ``get_query`` of src/bolt/bolt_api.c, written with unbounded ``sprintf``), so
a Bolt message carries about ten rows and a larger one crashes the server. That cap is real, not a chunking
artefact. The same server's Redis port takes ``GRAPH.QUERY`` with ``CYPHER rows=[...]`` parameters of any size:
the same ``UNWIND ... MERGE`` queries go there in batches of ``batch_size`` rows.

* Values stay parameters: the ``CYPHER name=value`` header is FalkorDB's parameter syntax (its Bolt bridge builds
  the same header), written by the ``falkordb`` client's own :func:`falkordb.helpers.stringify_param_value`
  (strings quoted and escaped, floats at full precision). Labels and types come from the schema as on every route.
* The graph is ``falkordb``, the one the Bolt bridge serves when no database is named, and a marker written over
  Redis must be seen over Bolt before anything is written: a Redis address of another server is refused.
* Building the next batch's text and the server executing the previous one overlap (a sender thread), so the
  client's and the server's CPU add up less.

>>> with redis_graph("redis://127.0.0.1:6379") as g:       # doctest: +SKIP
...     g.run("RETURN 1 AS x")
[{'x': 1}]
"""

from __future__ import annotations

import queue
import secrets
import threading
from collections.abc import Callable
from urllib.parse import urlsplit

from loaders.errors import ConnectionFailure, InputError

# The graph FalkorDB's Bolt bridge reads and writes when no database is named (``get_graph_name``).
BOLT_DEFAULT_GRAPH = "falkordb"
# A message is closed at batch_size rows or at this many bytes of text, whichever comes first.
MAX_MESSAGE_CHARS = 8 << 20
PROBE_LABEL = "_EcoProbe"
# Batch texts waiting for the sender (at most ~50 MB at 1,000 rows of this graph's size).
QUEUED_BATCHES = 128


class RedisGraph:
    """One FalkorDB graph over the Redis protocol: :meth:`run` like :meth:`Connection.run`, plain errors."""

    def __init__(self, url: str, timeout: float, password: str | None = None, graph: str = BOLT_DEFAULT_GRAPH,
                 connect_timeout: float = 5.0):
        import falkordb

        self.url, self.timeout = url, timeout
        self.shown = _without_password(url)
        try:
            # a password in the URL wins; else the Bolt password (FalkorDB's Bolt login is Redis AUTH)
            self.db = self._plainly(falkordb.FalkorDB.from_url, url, socket_timeout=timeout,
                                    socket_connect_timeout=connect_timeout,
                                    **({"password": password} if password else {}))
        except ValueError as exc:
            raise ConnectionFailure(f"invalid Redis URL ({exc}); use redis://HOST:PORT (redis://:PASSWORD@HOST:PORT "
                                    "with a password)", path=self.shown) from None
        self.graph = self.db.select_graph(graph)

    def query(self, text: str, params: dict | None = None):
        """Run ``text`` (with ``params``, or a ``CYPHER`` header of its own) and return the falkordb result."""
        return self._plainly(self.graph.query, text, params)

    def _plainly(self, call, *args, **kwargs):
        """``call(*args, **kwargs)`` with connection failures as :class:`ConnectionFailure`."""
        import redis

        try:
            return call(*args, **kwargs)
        except redis.exceptions.AuthenticationError:
            raise ConnectionFailure("authentication failed on the Redis port (it takes the Bolt password, or "
                                    "one in the URL: redis://:PASSWORD@HOST:PORT)", path=self.shown) from None
        except redis.exceptions.TimeoutError:
            raise ConnectionFailure(f"the server did not answer within {self.timeout:g} s on the Redis port "
                                    "(raise the time limit with --timeout)", path=self.shown) from None
        except (redis.exceptions.ConnectionError, OSError) as exc:
            refused = "refused" in str(exc).lower() or "Errno 111" in str(exc)
            raise ConnectionFailure(("cannot connect: the Redis port refused the connection; is the port right?"
                                     if refused else f"the Redis connection was lost ({str(exc)[:120]}); is the "
                                     "server still running? Nothing is half-written: run the same command again"),
                                    path=self.shown) from None
        except redis.exceptions.ResponseError as exc:
            text = str(exc)
            if "NOAUTH" in text or "WRONGPASS" in text:
                raise ConnectionFailure("the Redis port needs a password; put it in the URL "
                                        "(redis://:PASSWORD@HOST:PORT)", path=self.shown) from None
            if "unknown command" in text.lower():
                raise ConnectionFailure("this Redis server has no FalkorDB module (GRAPH.QUERY is unknown)",
                                        path=self.shown) from None
            raise

    def run(self, text: str, **params) -> list[dict]:
        """Records as dicts, like :meth:`graph.neo4j.driver.Connection.run`."""
        result = self.query(text, params or None)
        names = [h[1] if isinstance(h, (list, tuple)) else h for h in result.header]
        return [dict(zip(names, row)) for row in result.result_set]

    def close(self) -> None:
        self.db.connection.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return parts._replace(netloc=f"***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")).geturl()


def redis_graph(url: str, timeout: float = 60.0, password: str | None = None,
                connect_timeout: float = 5.0) -> RedisGraph:
    """A :class:`RedisGraph` on the graph the Bolt bridge serves by default (``password``: used when the URL has
    none; ``connect_timeout``: seconds to open the connection, ``timeout``: to answer a command)."""
    if urlsplit(url).scheme not in ("redis", "rediss", "falkor", "falkors", "unix"):
        raise ConnectionFailure("the FalkorDB address must be redis://HOST:PORT (its Redis port, not Bolt)",
                                path=_without_password(url))
    return RedisGraph(url, timeout, password, connect_timeout=connect_timeout)


def check_same_server(native: RedisGraph, conn) -> None:
    """Write a marker over Redis and look for it over Bolt; refuse a Redis address of another server (or another
    graph than the one the Bolt URI serves)."""
    token = secrets.token_hex(8)
    native.run(f"CREATE (:`{PROBE_LABEL}` {{token: $t}})", t=token)
    try:
        seen = conn.run(f"MATCH (p:`{PROBE_LABEL}` {{token: $t}}) RETURN count(p) AS c", t=token)[0]["c"]
    finally:
        native.run(f"MATCH (p:`{PROBE_LABEL}` {{token: $t}}) DELETE p", t=token)
    if not seen:
        raise ConnectionFailure(f"{native.shown} is not the server behind {conn.uri}: a marker written over Redis "
                                "is not seen over Bolt; give the Redis port of the same FalkorDB", path=native.shown)


def write_jobs(native: RedisGraph, jobs, batch_size: int, progress: Callable[[int], None] | None = None) -> int:
    """Send ``(query, positional rows)`` jobs in order, ``batch_size`` rows per ``GRAPH.QUERY``; returns rows sent.

    Batch texts are built while the server runs earlier ones (one sender thread). The queue holds up to
    :data:`QUEUED_BATCHES`, so the caller can go on building rows (the edges, while the nodes are sent) and the
    memory stays bounded.
    """
    from falkordb.helpers import stringify_param_value

    pending: queue.Queue = queue.Queue(maxsize=QUEUED_BATCHES)
    failure: list[BaseException] = []
    done = 0

    def sender():
        nonlocal done
        while True:
            item = pending.get()
            if item is None:
                return
            if failure:
                continue  # drain after a failure, so the producer never blocks
            text, n = item
            try:
                native.query(text)
                done += n
                if progress:
                    progress(n)  # a callback that raises stops the push like a failed batch
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread below
                failure.append(exc)

    thread = threading.Thread(target=sender, name="falkordb-sender", daemon=True)
    thread.start()
    try:
        for query, rows in jobs:
            tail = "] " + query
            parts, size = [], 0
            for row in rows:
                text = stringify_param_value(row)
                if "\x00" in text:
                    raise InputError(f"a value of {row[0]!r} holds a NUL character, which FalkorDB's query parser "
                                     "cannot take; remove it from the input", field="value")
                if parts and (len(parts) >= batch_size or size + len(text) > MAX_MESSAGE_CHARS):
                    pending.put(("CYPHER rows=[" + ",".join(parts) + tail, len(parts)))
                    parts, size = [], 0
                    if failure:
                        break
                parts.append(text)
                size += len(text) + 1
            if parts and not failure:
                pending.put(("CYPHER rows=[" + ",".join(parts) + tail, len(parts)))
            if failure:
                break
    finally:
        pending.put(None)
        thread.join()
    if failure:
        raise failure[0]
    return done
