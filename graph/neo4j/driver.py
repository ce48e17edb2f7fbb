"""Connecting to a Bolt server with the official ``neo4j`` driver, with plain errors and a time limit per query.

Every failure to reach or use the server becomes :class:`loaders.errors.ConnectionFailure` (the CLI exits 4) with a
message that says what to do, never a driver traceback: a refused connection, a wrong scheme, bad credentials, a
connection dropped or a server killed mid-way, a server that does not answer in time.

Two time limits: ``connect_timeout`` (:data:`CONNECT_TIMEOUT`, ``--connect-timeout``) for opening a connection (TCP,
Bolt handshake, login), tried :data:`CONNECT_ATTEMPTS` times, so a server that takes the connection but never
answers is reported within seconds; and ``timeout`` (``--timeout``) for the answer to one query.

Connections end without Bolt's GOODBYE message (:func:`close_driver`): FalkorDB's Bolt bridge frees a client that
says GOODBYE but leaves its socket registered for reading in Redis's event loop, so the next connection that gets the
same file descriptor number is never read, and its handshake is never answered (the socket then sits in CLOSE-WAIT
with the handshake unread). A closed socket instead makes the bridge unregister and free the client cleanly. Neo4j
ends a session on a closed socket just as on GOODBYE.
"""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

from loaders.errors import ConnectionFailure, InputError

# Schemes of the Bolt protocol; the driver also takes http(s):// (its preview Query API, which needs aiohttp), not us.
BOLT_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
RETRIES = 5
DEFAULT_TIMEOUT = 60.0
# Seconds to open a connection (TCP connect, Bolt handshake and login) and how many times to try: a second try gets a
# new socket, which is what a Bolt listener that lost one connection needs.
CONNECT_TIMEOUT = 5.0
CONNECT_ATTEMPTS = 2


def _check_uri(uri: str) -> None:
    scheme = urlsplit(uri).scheme.lower() if "://" in uri else ""
    if scheme not in BOLT_SCHEMES:
        raise ConnectionFailure(f"unsupported scheme {scheme + '://' if scheme else '(none)'}; use bolt://HOST:PORT "
                                "(one server) or neo4j://HOST:PORT (a Neo4j cluster), +s for TLS", path=uri)


class Connection:
    """A driver with one pooled connection, the database to use, and a watchdog that ends a query taking longer than
    ``timeout`` seconds.

    The neo4j driver has no client-side read timeout (it waits for the server as long as the socket lives), so the
    watchdog closes the driver when a query overruns; the blocked read then fails and :meth:`run` reports it.

    Examples
    --------
    >>> with connect("bolt://127.0.0.1:7687", None) as conn:   # doctest: +SKIP
    ...     conn.run("RETURN 1 AS x")
    [{'x': 1}]
    """

    def __init__(self, driver, uri: str, database: str | None = None, timeout: float = DEFAULT_TIMEOUT):
        self.driver, self.uri, self.database, self.timeout = driver, uri, database, timeout
        self._session = None  # one session for all queries (auto-commit each); a new one after a failure
        self._state = {"busy_since": None, "timed_out": False}  # shared with with_database() copies
        self._closed = threading.Event()
        self._watchdog = threading.Thread(target=self._watch, daemon=True, name="bolt-watchdog")
        self._watchdog.start()

    def _watch(self) -> None:
        while not self._closed.wait(0.2):
            since = self._state["busy_since"]
            if since is not None and time.monotonic() - since > self.timeout:
                self._state["timed_out"] = True
                close_driver(self.driver)
                return

    @property
    def agent(self) -> str:
        return self.driver.get_server_info().agent

    def with_database(self, database: str | None) -> Connection:
        """The same driver, another database (for probing)."""
        other = Connection.__new__(Connection)
        other.__dict__.update(self.__dict__)
        other.database, other._session = database, None
        return other

    def run(self, query: str, **params) -> list[dict]:
        """Run an auto-commit query and return its records as dicts, retrying transient failures with backoff.

        Auto-commit, not explicit transactions: some Bolt servers ignore the database inside those. A server error
        in the query (``neo4j.exceptions.Neo4jError``: a syntax error, a missing database) is raised as it is, for
        the caller to judge; everything about the connection becomes :class:`ConnectionFailure`.
        """
        from neo4j.exceptions import DriverError, ServiceUnavailable, SessionExpired, TransientError

        delay = 0.2
        for attempt in range(RETRIES):
            self._state["busy_since"] = time.monotonic()
            try:
                if self._session is None:
                    self._session = self.driver.session(database=self.database)
                return self._session.run(query, **params).data()
            except TransientError:
                self._drop_session()
                if attempt == RETRIES - 1:
                    raise
            except (ServiceUnavailable, SessionExpired, OSError) as exc:
                self._drop_session()
                if self._state["timed_out"]:
                    raise ConnectionFailure(f"the server did not answer within {self.timeout:g} s; it may be stuck "
                                            "or overloaded (raise the time limit with --timeout)",
                                            path=self.uri) from None
                if attempt == RETRIES - 1:
                    raise ConnectionFailure(f"the connection was lost and could not be made again ({_reason(exc)}); "
                                            "is the server still running? Nothing is half-written: run the same "
                                            "command again", path=self.uri) from None
            except DriverError as exc:
                self._drop_session()
                if self._state["timed_out"]:
                    raise ConnectionFailure(f"the server did not answer within {self.timeout:g} s",
                                            path=self.uri) from None
                raise ConnectionFailure(f"the driver failed: {_reason(exc)}", path=self.uri) from None
            except BaseException:
                self._drop_session()
                raise
            finally:
                self._state["busy_since"] = None
            time.sleep(delay)
            delay *= 2

    def _drop_session(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            try:
                session.close()
            except Exception:  # noqa: BLE001 - the connection is already broken; the caller reports the first error
                pass

    def close(self) -> None:
        self._closed.set()
        self._drop_session()
        close_driver(self.driver)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _reason(exc) -> str:
    text = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
    return text[:200]


def close_driver(driver) -> None:
    """Close ``driver``'s connections without Bolt's GOODBYE message (see the module docstring: FalkorDB's Bolt
    bridge stops answering the next new connection after a GOODBYE), then the driver itself.

    The pool's connections are a private attribute of the neo4j driver (6.x); where it is missing this is a plain
    ``driver.close()``.
    """
    pool = getattr(driver, "_pool", None)
    connections = getattr(pool, "connections", None)
    if isinstance(connections, dict):
        try:
            with pool.lock:
                held = [c for group in list(connections.values()) for c in list(group)]
        except Exception:  # noqa: BLE001 - a driver of another shape: its own close() below
            held = []
        for connection in held:
            kill = getattr(connection, "kill", None)
            if kill is not None:
                try:
                    kill()  # shutdown and close of the socket; a reader blocked on it wakes with an error
                except Exception:  # noqa: BLE001 - closing what is already broken
                    pass
    driver.close()


def connect(uri: str, auth: tuple[str, str] | None, database: str | None = None,
            timeout: float = DEFAULT_TIMEOUT, connect_timeout: float = CONNECT_TIMEOUT,
            attempts: int = CONNECT_ATTEMPTS) -> Connection:
    """A verified :class:`Connection`; ``auth=None`` for a server without authentication.

    ``connect_timeout`` bounds opening a connection (TCP, Bolt handshake, login; also a reconnection during a
    query), tried ``attempts`` times; ``timeout`` bounds the answer to each query (:meth:`Connection.run`).

    Raises :class:`ConnectionFailure` with a plain message for a wrong scheme, a refused connection, bad
    credentials or no answer (a server that takes the connection and never answers the handshake is reported after
    about ``attempts`` x ``connect_timeout`` seconds).
    """
    from neo4j import GraphDatabase
    from neo4j.exceptions import (AuthError, ConfigurationError, DatabaseError, DriverError, ServiceUnavailable,
                                  SessionExpired)

    _check_uri(uri)
    if not connect_timeout > 0:
        raise InputError(f"the connect time limit must be a positive number of seconds, not {connect_timeout}",
                         field="connect-timeout")
    for attempt in range(attempts):
        try:
            # connection_acquisition_timeout is the driver's deadline for a new connection's handshake and login
            driver = GraphDatabase.driver(uri, auth=auth, max_transaction_retry_time=5,
                                          connection_timeout=connect_timeout,
                                          connection_acquisition_timeout=connect_timeout, max_connection_pool_size=1)
        except (ValueError, ConfigurationError) as exc:
            raise ConnectionFailure(f"invalid URI ({_reason(exc)}); use bolt://HOST:PORT or neo4j://HOST:PORT",
                                    path=uri) from None
        try:
            driver.verify_connectivity()
            return Connection(driver, uri, database, timeout)
        except (AuthError, DatabaseError):
            # Neo4j answers bad credentials with AuthError; FalkorDB's Bolt bridge with a general DatabaseError.
            close_driver(driver)
            who = f"user {auth[0]!r}" if auth else "no credentials (--no-auth)"
            raise ConnectionFailure(f"authentication failed for {who}; check the user and the password variable"
                                    + ("" if auth else ", or drop --no-auth"), path=uri) from None
        except SessionExpired as exc:
            close_driver(driver)
            raise ConnectionFailure(f"the server does not route ({_reason(exc)}); use bolt://HOST:PORT for a single "
                                    "server", path=uri) from None
        except (ServiceUnavailable, OSError) as exc:
            close_driver(driver)
            refused = "refused" in str(exc).lower() or "Errno 111" in str(exc)
            if refused:
                raise ConnectionFailure("cannot connect: the server refused the connection; is it running and is the "
                                        "port right?", path=uri) from None
            if attempt == attempts - 1:
                raise ConnectionFailure(
                    f"cannot connect: no Bolt answer within {connect_timeout:g} s ({attempts} tries); is the port a "
                    "Bolt port, and is the server running and not stuck? (A FalkorDB whose Bolt bridge stopped "
                    "answering needs a restart.) Raise the limit with --connect-timeout", path=uri) from None
            time.sleep(0.2)
        except DriverError as exc:
            close_driver(driver)
            raise ConnectionFailure(f"cannot connect ({_reason(exc)})", path=uri) from None


class opened:
    """``with opened(uri, auth, database, conn=None) as conn``: use ``conn`` (left open), or connect and close."""

    def __init__(self, uri, auth, database=None, conn: Connection | None = None, timeout: float = DEFAULT_TIMEOUT,
                 connect_timeout: float = CONNECT_TIMEOUT):
        self.args, self.given = (uri, auth, database, timeout, connect_timeout), conn

    def __enter__(self) -> Connection:
        uri, auth, database, timeout, connect_timeout = self.args
        if self.given is not None:
            self.conn = self.given if database is None else self.given.with_database(database)
        else:
            self.conn = connect(uri, auth, database, timeout, connect_timeout)
        return self.conn

    def __exit__(self, *exc):
        if self.given is None:
            self.conn.close()
