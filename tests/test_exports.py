import csv
import json

import pytest

from graph import build_graph, write_graph
from graph.export import export_bundle, neutralise_cell, write_admin_import, write_csv, write_cypher
from loaders.rosters import parse_roster

HOSTILE = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1)"]


@pytest.fixture(scope="module")
def hostile_graph(catalogue):
    text = "name,segments,region,source\n" + "".join(
        f"\"{n.replace(chr(34), chr(34) * 2)}\",reducers,Minhang,https://example.org/{i}\n" for i, n in enumerate(HOSTILE))
    text += "\"'}) DETACH DELETE n //\",sensors,Minhang,https://example.org/x\n"
    text += "\"Back`tick \\\"quote\\\" 'single'\",sensors,Minhang,https://example.org/y\n"
    return build_graph(rosters=[parse_roster(text, catalogue, "hostile.csv")])


def test_igraph_reads_our_graphml(seed_graph, tmp_path):
    igraph = pytest.importorskip("igraph")
    path = write_graph(seed_graph, tmp_path / "g.graphml")
    g = igraph.Graph.Read_GraphML(str(path))
    assert g.vcount() == seed_graph.number_of_nodes() and g.ecount() == seed_graph.number_of_edges()
    by_id = {v["id"]: v for v in g.vs}
    agibot = by_id["agibot"]
    assert agibot["name_zh"] == "智元机器人" and agibot["mentions"] == seed_graph.nodes["agibot"]["mentions"]
    assert json.loads(agibot["aliases"]) == seed_graph.nodes["agibot"]["aliases"]
    claim = next(v for v in g.vs if v["metric"] == "chain_share" and v["doc"])
    assert claim["value"] == pytest.approx(0.6)
    types = {e["type"] for e in g.es}
    assert {"LOCATED_IN", "SUPPORTS", "CO_MENTIONED"} <= types
    rates = sorted({e["rate"] for e in g.es if e["type"] == "SUPPORTS"})
    assert rates == [0.2, 0.3, 0.5]


def test_csv_neutralises_formula_cells(hostile_graph, tmp_path):
    nodes, edges = write_csv(hostile_graph, tmp_path / "nodes.csv", tmp_path / "edges.csv")
    raw = nodes.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(raw.splitlines()))
    names = {r["name"] for r in rows}
    for n in HOSTILE:
        assert "'" + n in names
        assert n not in names
    assert all(not r[c].startswith(("=", "+", "-", "@", "\t")) for r in rows for c in r if r[c])
    agibot = next(r for r in rows if r["id"] == "agibot")
    assert json.loads(agibot["aliases"])[0]  # lists are JSON
    edge_rows = list(csv.DictReader(edges.read_text(encoding="utf-8-sig").splitlines()))
    assert len(edge_rows) == hostile_graph.number_of_edges()


def test_neutralise_cell():
    assert neutralise_cell("=1+1") == "'=1+1"
    assert neutralise_cell("\tcmd") == "'\tcmd" and neutralise_cell("\r=1") == "'\r=1"
    assert neutralise_cell("plain") == "plain" and neutralise_cell(3) == 3


def test_cypher_script_escapes_values(hostile_graph, tmp_path):
    text = write_cypher(hostile_graph, tmp_path / "g.cypher").read_text(encoding="utf-8")
    assert text.index("CREATE CONSTRAINT") < text.index("MERGE")
    assert "\"'}) DETACH DELETE n //\"" in text  # inside a double-quoted literal
    assert "\\\"quote\\\"" in text
    statements = [s for s in text.split(";\n") if s.strip() and not s.startswith("//")]
    for st in statements:
        assert st.lstrip().startswith(("CREATE CONSTRAINT", "UNWIND", "// "))


def test_admin_import_headers(seed_graph, tmp_path):
    n, r = write_admin_import(seed_graph, tmp_path)
    nh = n.read_text(encoding="utf-8").splitlines()[0].split(",")
    rh = r.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert nh[:2] == ["id:ID", ":LABEL"] and "mentions:int" in nh and "value:double" in nh
    assert rh[:3] == [":START_ID", ":END_ID", ":TYPE"] and "weight:double" in rh
    assert len(n.read_text(encoding="utf-8").splitlines()) == seed_graph.number_of_nodes() + 1


def test_bundle_and_manifest(seed_graph, tmp_path):
    manifest = export_bundle(seed_graph, tmp_path / "out")
    out = tmp_path / "out"
    for name in ("graph.graphml", "graph.gexf", "graph.json", "nodes.csv", "edges.csv", "graph.cypher",
                 "neo4j-import/nodes.csv", "neo4j-import/relationships.csv"):
        assert (out / name).exists(), name
        assert len(manifest["files"][name]["sha256"]) == 64
    on_disk = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk["nodes_by_type"]["Company"] == sum(1 for _, d in seed_graph.nodes(data=True)
                                                      if d["type"] == "Company")
    assert on_disk["documents"][0]["id"] == "shanghai_embodied_ai_plan_ja"
    assert on_disk["rosters"][0]["sha256"] and on_disk["schema_version"] == 1
    assert not [p for p in out.rglob("*.tmp")]


def test_cli_export_bundle(tmp_path):
    import subprocess
    import sys

    from conftest import ROOT

    r = subprocess.run([sys.executable, "-m", "graph", "export", "--bundle", str(tmp_path / "b")], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "b" / "manifest.json").exists()
