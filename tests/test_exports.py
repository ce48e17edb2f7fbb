"""Exports opened by real consumers: the XSDs (lxml), graphology's parsers as Gephi Lite calls them and Cytoscape.js
(node, tests/js/), python-igraph and networkx, headless chromium; plus the writer's guarantees (atomic, umask,
SIGTERM, XML-safe text, strict JSON, no local paths) and property-based round trips."""

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from graph import build_graph, read_graph, write_graph
from graph.export import csv_bytes, export_bundle, generate_edges_csv, generate_nodes_csv, neutralise_cell, write_csv
from graph.io import (FORMATS, generate_gexf, generate_graphml, graph_bytes, json_safe, node_drawing, write_chunks,
                      xml_node_ids, xml_safe)
from graph.neo4j import write_admin_import, write_cypher
from loaders.clean import InputWarning
from loaders.errors import OutputError
from loaders.rosters import parse_roster

XSD = Path(__file__).resolve().parent / "xsd"
JS = Path(__file__).resolve().parent / "js"
HOSTILE = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1)"]
# Names a roster may hold that break naive writers: HTML, control characters, CJK, quotes, newlines, Cypher.
HOSTILE_TEXT = ["<script>alert('x')</script> Robotics", "Ctrl\x01\x0bChar\x7f Motion",
                "深圳「測試」ロボット有限公司",
                "Quote \"double\" & 'single' Systems", "'}) DETACH DELETE n //",
                "Tab\there Sensing", "Back`tick \\ slash Actuation"]

MULTILINE_NOTE = "note <b>bold</b>\nsecond line\r\n\tindented: "
MULTILINE_NAME = "Line one\nLine two\r\nDynamics <i>&amp;</i> \x01\x0b controls"


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@pytest.fixture(scope="module")
def hostile_graph(catalogue):
    rows = [(n, "reducers") for n in HOSTILE] + [(n, "sensors") for n in HOSTILE_TEXT]
    text = "name,segments,region,source,note\n" + "".join(
        f"{_csv_cell(n)},{seg},Minhang,https://example.org/{i},{_csv_cell(MULTILINE_NOTE + n)}\n"
        for i, (n, seg) in enumerate(rows))
    with pytest.warns(InputWarning, match="control characters"):  # the roster reader cleans and reports them
        G = build_graph(rosters=[parse_roster(text, catalogue, "hostile.csv")])
    # what a roster cannot hold (it refuses line breaks in names), set directly: writers must take any graph
    G.nodes[next(n for n, d in G.nodes(data=True) if d.get("name") == HOSTILE_TEXT[0])]["label"] = MULTILINE_NAME
    return G


@pytest.fixture(scope="module")
def bundles(seed_graph, hostile_graph, tmp_path_factory):
    base = tmp_path_factory.mktemp("bundles")
    return {"seed": (seed_graph, base / "seed", export_bundle(seed_graph, base / "seed")),
            "hostile": (hostile_graph, base / "hostile", export_bundle(hostile_graph, base / "hostile"))}


# ----------------------------------------------------------------------------------------------------- XSD checks
def _schema(name: str):
    etree = pytest.importorskip("lxml.etree")
    return etree.XMLSchema(etree.parse(str(XSD / name)))


def _gexf_schema_with_viz():
    """The GEXF 1.2draft XSD with its viz elements where the GEXF spec puts them (see tests/xsd/README.md)."""
    from lxml import etree

    gexf = (XSD / "gexf.xsd").read_text(encoding="utf-8")
    for el in ("color", "position", "size"):
        gexf = gexf.replace(f'<xs:element ref="ns1:{el}"/>', f'<xs:element ref="viz:{el}"/>')
    gexf = gexf.replace('<xs:element name="shape" type="viz:node-shape-content"/>', '<xs:element ref="viz:shape"/>')
    gexf = gexf.replace('<xs:element ref="ns1:thickness"/>', '<xs:element ref="viz:thickness"/>')
    gexf = gexf.replace('<xs:element name="shape" type="viz:edge-shape-content"/>', "")
    viz = (XSD / "viz.xsd").read_text(encoding="utf-8").replace("</xs:schema>", """
  <xs:element name="color" type="viz:color-content"/>
  <xs:element name="position" type="viz:position-content"/>
  <xs:element name="size" type="viz:size-content"/>
  <xs:element name="thickness" type="viz:thickness-content"/>
  <xs:element name="shape" type="viz:node-shape-content"/>
</xs:schema>""")
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"gexf-xsd-{os.getpid()}"
    tmp.mkdir(exist_ok=True)
    (tmp / "gexf.xsd").write_text(gexf, encoding="utf-8")
    (tmp / "viz.xsd").write_text(viz, encoding="utf-8")
    return etree.XMLSchema(etree.parse(str(tmp / "gexf.xsd")))


@pytest.mark.parametrize("which", ["seed", "hostile"])
def test_graphml_is_valid_against_the_graphml_xsd(bundles, which):
    from lxml import etree

    G, out, _ = bundles[which]
    doc = etree.parse(str(out / "graph.graphml"))
    schema = _schema("graphml.xsd")
    assert schema.validate(doc), schema.error_log
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    edge_ids = doc.xpath("//g:edge/@id", namespaces=ns)
    assert len(edge_ids) == G.number_of_edges() == len(set(edge_ids))
    key_ids = doc.xpath("//g:key/@id", namespaces=ns)
    assert len(key_ids) == len(set(key_ids))
    graph = doc.xpath("/g:graphml/g:graph", namespaces=ns)[0]
    tags = [etree.QName(c).localname for c in graph]
    assert tags[0] == "data" and tags.index("node") > max(i for i, t in enumerate(tags) if t == "data")


@pytest.mark.parametrize("which", ["seed", "hostile"])
def test_gexf_is_valid_against_the_gexf_xsd(bundles, which):
    from lxml import etree

    _, out, _ = bundles[which]
    doc = etree.parse(str(out / "graph.gexf"))
    schema = _gexf_schema_with_viz()
    assert schema.validate(doc), schema.error_log
    assert doc.getroot().find("{*}graph").get("name") is None
    # The copy as shipped declares color/position/size in the GEXF namespace, so it rejects the viz: elements that
    # Gephi itself writes; the file is valid once they are moved to the viz namespace, nothing else changes.
    plain = _schema("gexf.xsd")
    assert not plain.validate(doc) and "1.2draft/viz}" in str(plain.error_log.last_error)


# ------------------------------------------------------------------------------------------- JavaScript consumers
def _node_modules() -> bool:
    return shutil.which("node") is not None and (JS / "node_modules" / "graphology-gexf").is_dir()


needs_node = pytest.mark.skipif(not _node_modules(), reason="node or tests/js/node_modules missing: .ci/run installs "
                                "nodejs, npm and `npm ci --prefix tests/js`")


def _open_with_js(out: Path) -> dict:
    r = subprocess.run(["node", str(JS / "open_bundle.js"), str(out)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@needs_node
@pytest.mark.parametrize("which", ["seed", "hostile"])
def test_gephi_lite_parsers_and_cytoscape_open_every_file(bundles, which):
    G, out, _ = bundles[which]
    seen = _open_with_js(out)
    draw = node_drawing(G)
    xid = xml_node_ids(G)
    edges = sorted((str(u), str(v), str(k)) for u, v, k in G.edges(keys=True))
    for fmt in ("gexf", "graphml", "graphology"):
        g = seen[fmt]
        assert (g["type"], g["multi"], g["order"], g["size"]) == ("directed", True, len(G), G.number_of_edges()), fmt
    for n, d in G.nodes(data=True):
        x, y, size, color = draw[n]
        label = xml_safe(d["label"])
        gexf_node = seen["gexf"]["nodes"][str(n)]
        graphml_node = seen["graphml"]["nodes"][xid[n]]
        gl_node = seen["graphology"]["nodes"][str(n)]
        cy_node = seen["cytoscape"]["nodes"][str(n)]
        assert gexf_node["label"] == graphml_node["label"] == label and gl_node["label"] == d["label"]
        assert graphml_node["name"] == str(n) and gexf_node["type"] == graphml_node["type"] == d["type"]
        assert gl_node["node_type"] == cy_node["data"]["type"] == d["type"] and cy_node["isNode"]
        for node in (gexf_node, graphml_node, gl_node):
            assert (node["x"], node["y"], node["size"]) == pytest.approx((x, y, size))
        assert cy_node["position"] == pytest.approx({"x": x, "y": -y})
        r, g_, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
        assert gexf_node["color"] == f"rgb({r},{g_},{b})" and graphml_node["color"] == gl_node["color"] == color
    by_xml = {v: k for k, v in xid.items()}
    assert sorted((e["source"], e["target"], e["attributes"]["edge_key"]) for e in seen["gexf"]["edges"]) == edges
    assert sorted((str(by_xml[e["source"]]), str(by_xml[e["target"]]), e["attributes"]["edge_key"])
                  for e in seen["graphml"]["edges"]) == edges
    assert sorted((e["source"], e["target"], e["attributes"]["edge_key"])
                  for e in seen["graphology"]["edges"]) == edges
    assert sorted((e["data"]["source"], e["data"]["target"], e["data"]["edge_key"])
                  for e in seen["cytoscape"]["edges"]) == edges and all(e["isEdge"] for e in seen["cytoscape"]["edges"])
    assert {e["attributes"]["relation"] for e in seen["gexf"]["edges"]} == {d["type"] for *_, d in G.edges(data=True)}
    # graph attributes reach graphology: GraphML graph data (first, so graphology reads it), GEXF meta description
    assert seen["graphml"]["attributes"]["schema_version"] == G.graph["schema_version"]
    assert json.loads(seen["gexf"]["attributes"]["description"])["schema_version"] == G.graph["schema_version"]
    assert seen["graphology"]["attributes"]["schema_version"] == G.graph["schema_version"]


@needs_node
def test_hostile_text_survives_the_javascript_parsers(bundles):
    G, out, _ = bundles["hostile"]
    seen = _open_with_js(out)
    labels = {n["label"] for n in seen["gexf"]["nodes"].values()}
    from_roster = [n for n, d in G.nodes(data=True)
                   if any(s.get("file") == "hostile.csv" for s in d.get("sources", []))]
    assert len(from_roster) >= len(HOSTILE + HOSTILE_TEXT)
    for node in from_roster:
        assert xml_safe(G.nodes[node]["label"]) in labels, node
        assert seen["gexf"]["nodes"][node]["name"] == xml_safe(G.nodes[node]["name"])
        assert seen["graphology"]["nodes"][node]["label"] == G.nodes[node]["label"]  # JSON keeps controls
    assert xml_safe(MULTILINE_NAME) in labels  # newlines, CR and markup kept as text in attribute values
    notes = {n.get("note") for n in seen["graphml"]["nodes"].values()}
    assert any(x and "<b>bold</b>\nsecond line" in x for x in notes)  # and in element text


# ------------------------------------------------------------------------------------------ igraph and networkx
def test_igraph_reads_our_graphml_with_the_node_id_as_name(bundles):
    igraph = pytest.importorskip("igraph")
    for which in ("seed", "hostile"):
        G, out, _ = bundles[which]
        g = igraph.Graph.Read_GraphML(str(out / "graph.graphml"))
        assert g.vcount() == G.number_of_nodes() and g.ecount() == G.number_of_edges()
        names = g.vs["name"]
        assert len(set(names)) == len(names) and set(names) == {str(n) for n in G}  # R and igraph key on it
        assert sorted(g.es["edge_key"]) == sorted(str(k) for *_, k in G.edges(keys=True))
    G, out, _ = bundles["seed"]
    g = igraph.Graph.Read_GraphML(str(out / "graph.graphml"))
    agibot = g.vs.find(name="agibot")
    assert agibot["label"] == G.nodes["agibot"]["name"] and agibot["name_zh"] == "智元机器人"
    assert agibot["mentions"] == G.nodes["agibot"]["mentions"]
    assert json.loads(agibot["aliases"]) == G.nodes["agibot"]["aliases"]
    rates = sorted({e["rate"] for e in g.es if e["type"] == "SUPPORTS"})
    assert rates == sorted({d["rate"] for *_, d in G.edges(data=True) if d["type"] == "SUPPORTS"})
    assert g["schema_version"] == G.graph["schema_version"]


def _comparable(G, xml: bool):
    fix = xml_safe if xml else (lambda s: s)

    def clean(v):
        if isinstance(v, str):
            return fix(v)
        if isinstance(v, list):
            return [clean(x) for x in v]
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        return v

    nodes = {fix(str(n)): {k: clean(v) for k, v in d.items() if v is not None} for n, d in G.nodes(data=True)}
    edges = {(fix(str(u)), fix(str(v)), fix(str(k))): {a: clean(b) for a, b in d.items() if b is not None}
             for u, v, k, d in G.edges(keys=True, data=True)}
    return nodes, edges


@pytest.mark.parametrize("name", ["graph.graphml", "graph.gexf", "graph.json"])
def test_networkx_reads_every_graph_file_back_equal(bundles, name):
    for which in ("seed", "hostile"):
        G, out, _ = bundles[which]
        H = read_graph(out / name)
        assert _comparable(H, xml=False) == _comparable(G, xml=name != "graph.json"), (which, name)


# ----------------------------------------------------------------------------------------------- bundle, paths
def test_bundle_manifest_and_no_local_paths(bundles, seed_graph):
    _, out, manifest = bundles["seed"]
    for name in ("graph.graphml", "graph.gexf", "graph.json", "graph.graphology.json", "graph.cyjs", "nodes.csv",
                 "edges.csv", "graph.cypher", "neo4j-import/nodes.csv", "neo4j-import/relationships.csv"):
        assert (out / name).exists(), name
        assert len(manifest["files"][name]["sha256"]) == 64
    on_disk = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk["nodes_by_type"]["Company"] == sum(1 for _, d in seed_graph.nodes(data=True)
                                                      if d["type"] == "Company")
    assert on_disk["documents"][0]["file"] == "shanghai_embodied_ai_plan.ja.txt"
    assert on_disk["rosters"][0] == {"file": "shanghai_reference.csv", "sha256": on_disk["rosters"][0]["sha256"]}
    assert on_disk["rosters"][0]["sha256"] and on_disk["schema_version"] == 1
    for f in out.rglob("*"):
        if f.is_file():
            text = f.read_text(encoding="utf-8", errors="replace")
            assert str(ROOT) not in text and str(out) not in text, f.name
    assert not list(out.parent.glob(".*.tmp"))


def test_app_bytes_are_the_bundle_files(bundles):
    G, out, _ = bundles["seed"]
    for fmt, (suffix, _, _) in FORMATS.items():
        assert graph_bytes(G, fmt) == (out / f"graph{suffix}").read_bytes(), fmt
    nodes, edges = csv_bytes(G)
    assert nodes == (out / "nodes.csv").read_bytes() and edges == (out / "edges.csv").read_bytes()


def test_bundle_failure_leaves_nothing_behind(seed_graph, tmp_path, monkeypatch):
    import graph.export as export

    def broken(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export, "write_csv", broken)
    with pytest.raises(OSError):
        export_bundle(seed_graph, tmp_path / "b")
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    export_bundle(seed_graph, tmp_path / "b")  # an existing bundle is replaced, nothing else
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "keep.txt").write_text("mine")
    with pytest.raises(OutputError, match="not an export bundle"):
        export_bundle(seed_graph, tmp_path / "other")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b", "other"]


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_outputs_honour_the_umask(seed_graph, tmp_path, mask):
    old = os.umask(mask)
    try:
        f = write_graph(seed_graph, tmp_path / "g.gexf")
        export_bundle(seed_graph, tmp_path / "b")
    finally:
        os.umask(old)
    assert f.stat().st_mode & 0o777 == 0o666 & ~mask
    assert (tmp_path / "b").stat().st_mode & 0o777 == 0o777 & ~mask
    assert (tmp_path / "b" / "nodes.csv").stat().st_mode & 0o777 == 0o666 & ~mask


def test_output_errors_name_the_file_and_what_to_do(seed_graph, tmp_path):
    (tmp_path / "afile").write_text("x")
    (tmp_path / "adir.graphml").mkdir()
    cases = [(tmp_path / "afile" / "g.graphml", "not a folder"), (tmp_path / "adir.graphml", "directory"),
             (tmp_path / ("n" * 300 + ".graphml"), "too long")]
    for path, hint in cases:
        with pytest.raises(OutputError, match=hint) as err:
            write_graph(seed_graph, path)
        assert str(path)[:50] in str(err.value)
    with pytest.raises(OutputError, match="not a directory"):
        export_bundle(seed_graph, tmp_path / "afile")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir.graphml", "afile"]


def test_cli_exit_codes_for_output_and_input_clashes(tmp_path):
    (tmp_path / "adir.graphml").mkdir()
    run = [sys.executable, "-m", "graph", "build", "--no-bundled"]
    r = subprocess.run(run + ["--out", str(tmp_path / "adir.graphml")], cwd=ROOT, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 3 and "directory" in r.stderr
    doc = tmp_path / "note.json"
    doc.write_text("Fourier Intelligence is based in Zhangjiang.", encoding="utf-8")
    r = subprocess.run(run + ["--doc", str(doc), "--out", str(doc)], cwd=ROOT, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 2 and "overwrite an input" in r.stderr
    assert doc.read_text(encoding="utf-8").startswith("Fourier")


def test_stdout_on_a_full_device_is_an_output_error():
    with open("/dev/full", "w") as full:
        r = subprocess.run([sys.executable, "-m", "graph", "claims", "--no-bundled", "--json"], cwd=ROOT,
                           stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert r.returncode == 3 and "No space left on device" in r.stderr and "Traceback" not in r.stderr


def test_a_full_or_read_only_disk_is_an_output_error_and_leaves_nothing(tmp_path):
    disk = tmp_path / "small"
    disk.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)],
                                           capture_output=True).returncode:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        r = subprocess.run([sys.executable, "-m", "graph", "build", "--out", str(disk / "g.graphml")], cwd=ROOT,
                           capture_output=True, text=True, timeout=180)
        assert r.returncode == 3 and "disk is full" in r.stderr and "Traceback" not in r.stderr, r.stderr
        assert list(disk.iterdir()) == []
        r = subprocess.run([sys.executable, "-m", "graph", "export", "--bundle", str(disk / "b")], cwd=ROOT,
                           capture_output=True, text=True, timeout=180)
        assert r.returncode == 3 and "disk is full" in r.stderr, r.stderr
        assert list(disk.iterdir()) == []
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)  # root ignores modes, not ro mounts
        r = subprocess.run([sys.executable, "-m", "graph", "build", "--out", str(disk / "g.graphml")], cwd=ROOT,
                           capture_output=True, text=True, timeout=180)
        assert r.returncode == 3 and "read-only" in r.stderr and "Traceback" not in r.stderr, r.stderr
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_sigterm_removes_the_temporary_file(tmp_path):
    script = (f"import sys, time; sys.path.insert(0, {str(ROOT)!r})\n"
              "from graph.io import write_chunks\n"
              "def slow():\n"
              "    yield 'x' * (2 << 20)\n"
              "    time.sleep(60)\n"
              "    yield 'never'\n"
              f"write_chunks(slow(), {str(tmp_path / 'g.graphml')!r})\n")
    _sigterm_once_started(script, tmp_path, ".g.graphml.*.tmp")


def _sigterm_once_started(script: str, tmp_path, started: str) -> None:
    """Run ``script``, send SIGTERM once ``started`` (a glob in ``tmp_path``) exists, expect an empty folder after."""
    p = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 180  # imports are slow on a busy machine
        while not list(tmp_path.glob(started)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert list(tmp_path.glob(started)), f"{started} never appeared: the writer never started"
        p.send_signal(signal.SIGTERM)
        assert p.wait(30) == 128 + signal.SIGTERM
    finally:
        if p.poll() is None:
            p.kill()
    assert list(tmp_path.iterdir()) == []


def test_sigterm_during_a_bundle_leaves_no_folder(tmp_path):
    script = (f"import sys, time; sys.path.insert(0, {str(ROOT)!r})\n"
              "import networkx as nx\n"
              "import graph.export as export\n"
              "def slow(*a, **k):\n"
              "    time.sleep(60)\n"
              "export.write_csv = slow\n"
              "G = nx.MultiDiGraph(); G.add_node('a', type='Company', name='A')\n"
              f"export.export_bundle(G, {str(tmp_path / 'b')!r}, layout=None)\n")
    _sigterm_once_started(script, tmp_path, ".b.*.tmp/graph.cyjs")


# ------------------------------------------------------------------------------------ text hygiene, strict JSON
def test_xml_writers_replace_what_xml_cannot_hold_and_say_so():
    from lxml import etree

    G = nx.MultiDiGraph()
    G.add_node("a", type="Company", name="bad\x00\x1f\ufffe\ud800 end", label="L\x0b")
    G.add_edge("a", "a", key="K", type="PART_OF", note="x\x01")
    for gen in (generate_graphml, generate_gexf):
        notes = Counter()
        text = "".join(gen(G, layout=None, notes=notes))
        etree.fromstring(text.encode("utf-8"))  # well-formed
        assert "bad\ufffd\ufffd\ufffd\ufffd end" in text and sum(notes.values()) == 6


def test_json_has_no_nan_or_infinity():
    G = nx.MultiDiGraph()
    G.add_node("a", type="Claim", value=float("nan"), cap=float("inf"), name="x\udc00")
    G.add_edge("a", "a", key="k", type="ABOUT", weight=float("-inf"))
    for fmt in ("json", "graphology", "cytoscape"):
        text = graph_bytes(G, fmt, layout=None).decode("utf-8")
        json.loads(text, parse_constant=lambda c: pytest.fail(f"{fmt} holds {c}"))
    assert json_safe([float("nan"), 1.0]) == [None, 1.0]


def test_csv_neutralises_formula_cells(hostile_graph, tmp_path):
    nodes, edges = write_csv(hostile_graph, tmp_path / "nodes.csv", tmp_path / "edges.csv")
    raw = nodes.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(raw, newline="")))
    names = {r["name"] for r in rows}
    for n in HOSTILE:
        assert "'" + n in names
        assert n not in names
    assert any("<b>bold</b>\nsecond line" in r["note"] for r in rows)
    assert all(not r[c].startswith(("=", "+", "-", "@", "\t")) for r in rows for c in r if r[c])
    agibot = next(r for r in rows if r["id"] == "agibot")
    assert json.loads(agibot["aliases"])[0]  # lists are JSON
    edge_rows = list(csv.DictReader(io.StringIO(edges.read_text(encoding="utf-8-sig"), newline="")))
    assert len(edge_rows) == hostile_graph.number_of_edges()


def test_neutralise_cell():
    assert neutralise_cell("=1+1") == "'=1+1"
    assert neutralise_cell("\tcmd") == "'\tcmd" and neutralise_cell("\r=1") == "'\r=1"
    assert neutralise_cell("plain") == "plain" and neutralise_cell(3) == 3


def test_cypher_script_escapes_values(hostile_graph, tmp_path):
    text = write_cypher(hostile_graph, tmp_path / "g.cypher").read_text(encoding="utf-8")
    assert text.index("CREATE CONSTRAINT") < text.index("MERGE")
    assert "\"'}) DETACH DELETE n //\"" in text  # inside a double-quoted literal
    assert "\\\"double\\\"" in text


def test_admin_import_headers(seed_graph, tmp_path):
    n, r = write_admin_import(seed_graph, tmp_path)
    nh = n.read_text(encoding="utf-8").splitlines()[0].split(",")
    rh = r.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert nh[:2] == ["id:ID", ":LABEL"] and "mentions:long" in nh and "value:double" in nh
    assert rh[:3] == [":START_ID", ":END_ID", ":TYPE"] and "weight:double" in rh


def test_cli_export_bundle(tmp_path):
    r = subprocess.run([sys.executable, "-m", "graph", "export", "--bundle", str(tmp_path / "b")], cwd=ROOT,
                       capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "b" / "manifest.json").exists() and (tmp_path / "b" / "graph.cyjs").exists()


# --------------------------------------------------------------------------------------- property-based round trips
TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=40)


def _one_node_graph(text: str) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    G.add_node("n1", type="Company", name=text, label=text, note=text, aliases=[text])
    G.add_node("n2", type="Region", name="B", label="B")
    G.add_edge("n1", "n2", key="LOCATED_IN:roster", type="LOCATED_IN", method="roster", note=text, weight=1.0)
    return G


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT)
def test_any_unicode_round_trips_through_every_format(text, tmp_path_factory):
    G = _one_node_graph(text)
    out = tmp_path_factory.mktemp("rt")
    want_xml = xml_safe(text)
    want_json = json_safe(text)
    for name in ("g.graphml", "g.gexf"):
        H = read_graph(write_graph(G, out / name, layout=None))
        d = H.nodes["n1"]
        # lists travel as JSON text, whose escapes keep even the characters XML cannot hold
        assert (d["name"], d["label"], d["note"], d["aliases"]) == (want_xml, want_xml, want_xml, [want_json]), name
        assert H.edges["n1", "n2", "LOCATED_IN:roster"]["note"] == want_xml
    H = read_graph(write_graph(G, out / "g.json", layout=None))
    assert H.nodes["n1"]["name"] == want_json and H.nodes["n1"]["aliases"] == [want_json]
    for fmt in ("graphology", "cytoscape"):
        data = json.loads(graph_bytes(G, fmt, layout=None))
        node = data["nodes"][0]["attributes"] if fmt == "graphology" else data["elements"]["nodes"][0]["data"]
        assert node["name"] == want_json
    rows = list(csv.DictReader(io.StringIO("".join(generate_nodes_csv(G)).lstrip("\ufeff"), newline="")))
    assert rows[0]["name"] == neutralise_cell(want_json)
    edge_rows = list(csv.DictReader(io.StringIO("".join(generate_edges_csv(G)).lstrip("\ufeff"), newline="")))
    assert edge_rows[0]["note"] == neutralise_cell(want_json)


@given(st.text(max_size=30))
def test_write_chunks_is_the_utf8_of_the_chunks(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("w") / "t.txt"
    write_chunks([json_safe(text), "|", json_safe(text)], path)
    assert path.read_bytes().decode("utf-8") == json_safe(text) + "|" + json_safe(text)


# ---------------------------------------------------------------------------------------------- picture in chromium
def test_gexf_drawn_from_graphology_looks_like_the_chain_lanes(bundles):
    """graphology-gexf parses the bundle's GEXF (in node); a small canvas script draws what it read in chromium."""
    if not _node_modules():
        pytest.skip("node or tests/js/node_modules missing")
    from browser import ARTIFACTS, CHROMIUM_ARGS, usable_chromium

    chromium = usable_chromium()
    if chromium is None:
        pytest.skip("no chromium/playwright here (.ci/run installs them)")
    from playwright.sync_api import sync_playwright

    G, out, _ = bundles["seed"]
    r = subprocess.run(["node", str(JS / "gexf_export.js"), str(out / "graph.gexf")], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    umd = (JS / "node_modules" / "graphology" / "dist" / "graphology.umd.min.js").read_text(encoding="utf-8")
    page_html = (JS / "draw_graph.html").read_text(encoding="utf-8")
    page_html = page_html.replace("/*GRAPHOLOGY*/", umd).replace("/*DATA*/", r.stdout.replace("</", "<\\/"))
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "gexf_in_graphology.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        requests = []
        page.on("request", lambda req: requests.append(req.url))
        page.set_content(page_html)
        page.wait_for_function("window.drawn === true", timeout=30_000)
        drawn = page.evaluate("window.summary")
        page.screenshot(path=str(shot))
        browser.close()
    assert [u for u in requests if not u.startswith(("data:", "about:"))] == []
    assert drawn["nodes"] == len(G) and drawn["edges"] == G.number_of_edges()
    # lanes: the x of every chain segment grows from upstream to downstream, as in the app
    xs = drawn["x"]
    assert xs["segment:reducers"] < xs["segment:complete_machines"] < xs["scene_household"]
    assert shot.stat().st_size > 20_000
