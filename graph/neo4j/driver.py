"""Connecting to a Bolt server with the official ``neo4j`` driver, with plain errors and a time limit per query.

Every failure to reach or use the server becomes :class:`loaders.errors.ConnectionFailure` (the CLI exits 4) with a
message that says what to do, never a driver traceback: a refused connection, a wrong scheme, bad credentials, a
connection dropped or a server killed mid-way, a server that does not answer in time.
"""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

from loaders.errors import ConnectionFailure

# Schemes of the Bolt protocol; the driver also takes http(s):// (its preview Query API, which needs aiohttp), not us.
BOLT_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
RETRIES = 5
DEFAULT_TIMEOUT = 60.0


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
                self.driver.close()
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
        self.driver.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _reason(exc) -> str:
    text = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
    return text[:200]


def connect(uri: str, auth: tuple[str, str] | None, database: str | None = None,
            timeout: float = DEFAULT_TIMEOUT, attempts: int = 4) -> Connection:
    """A verified :class:`Connection`; ``auth=None`` for a server without authentication.

    Raises :class:`ConnectionFailure` with a plain message for a wrong scheme, a refused connection, bad
    credentials or no answer. A handshake that times out is tried again (FalkorDB's Bolt listener sometimes drops
    a new connection).
    """
    from neo4j import GraphDatabase
    from neo4j.exceptions import (AuthError, ConfigurationError, DatabaseError, DriverError, ServiceUnavailable,
                                  SessionExpired)

    _check_uri(uri)
    for attempt in range(attempts):
        try:
            driver = GraphDatabase.driver(uri, auth=auth, max_transaction_retry_time=5, connection_timeout=5,
                                          connection_acquisition_timeout=timeout, max_connection_pool_size=1)
        except (ValueError, ConfigurationError) as exc:
            raise ConnectionFailure(f"invalid URI ({_reason(exc)}); use bolt://HOST:PORT or neo4j://HOST:PORT",
                                    path=uri) from None
        try:
            driver.verify_connectivity()
            return Connection(driver, uri, database, timeout)
        except (AuthError, DatabaseError):
            # Neo4j answers bad credentials with AuthError; FalkorDB's Bolt bridge with a general DatabaseError.
            driver.close()
            who = f"user {auth[0]!r}" if auth else "no credentials (--no-auth)"
            raise ConnectionFailure(f"authentication failed for {who}; check the user and the password variable"
                                    + ("" if auth else ", or drop --no-auth"), path=uri) from None
        except SessionExpired as exc:
            driver.close()
            raise ConnectionFailure(f"the server does not route ({_reason(exc)}); use bolt://HOST:PORT for a single "
                                    "server", path=uri) from None
        except (ServiceUnavailable, OSError) as exc:
            driver.close()
            refused = "refused" in str(exc).lower() or "Errno 111" in str(exc)
            if refused or attempt == attempts - 1:
                raise ConnectionFailure("cannot connect: the server " + ("refused the connection" if refused
                                        else "did not answer") + "; is it running and is the port right?",
                                        path=uri) from None
            time.sleep(0.5 * (attempt + 1))
        except DriverError as exc:
            driver.close()
            raise ConnectionFailure(f"cannot connect ({_reason(exc)})", path=uri) from None


class opened:
    """``with opened(uri, auth, database, conn=None) as conn``: use ``conn`` (left open), or connect and close."""

    def __init__(self, uri, auth, database=None, conn: Connection | None = None, timeout: float = DEFAULT_TIMEOUT):
        self.args, self.given = (uri, auth, database, timeout), conn

    def __enter__(self) -> Connection:
        uri, auth, database, timeout = self.args
        if self.given is not None:
            self.conn = self.given if database is None else self.given.with_database(database)
        else:
            self.conn = connect(uri, auth, database, timeout)
        return self.conn

    def __exit__(self, *exc):
        if self.given is None:
            self.conn.close()
