"""The benchmark inputs are valid inputs, and the runner's command line behaves (no timings are asserted here)."""

import subprocess
import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import document_texts, write_roster  # noqa: E402

from graph import build_graph  # noqa: E402
from loaders.catalogue import load_catalogue  # noqa: E402
from loaders.rosters import read_roster  # noqa: E402
from loaders.text import document_from_text  # noqa: E402


def test_synthetic_roster_and_documents_build_a_graph(tmp_path):
    rows = write_roster(tmp_path / "roster.csv", 300)
    parsed = read_roster(tmp_path / "roster.csv", load_catalogue())
    assert len(parsed) == 300 and len({r.name for r in parsed}) == 300
    texts = document_texts([(r["name"], r["name_zh"]) for r in rows], 3, size=3000)
    assert [lang for lang, _ in texts] == ["en", "zh", "ja"]
    docs = [document_from_text(t, f"syn{i}") for i, (_, t) in enumerate(texts)]
    G = build_graph(docs=docs, rosters=[tmp_path / "roster.csv"], bundled=False)
    names = {r["name"] for r in rows}
    found = [n for n, d in G.nodes(data=True) if d.get("name") in names]
    assert len(found) == 300
    assert sum(G.nodes[n]["mentions"] for n in found) > 20  # the texts name the roster firms in all three languages
    assert {d["language"] for _, d in G.nodes(data=True) if d["type"] == "Document"} == {"en", "zh", "ja"}


def test_runner_rejects_an_unknown_benchmark():
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--only", "nonsense"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "unknown benchmark nonsense" in proc.stderr


def test_realistic_roster_merges_rows_into_each_other_and_into_the_catalogue(tmp_path):
    from synthetic import write_realistic_roster

    from loaders.rosters import merge_rosters

    catalogue = load_catalogue()
    rows = write_realistic_roster(tmp_path / "roster.csv", 2000)
    parsed = read_roster(tmp_path / "roster.csv", catalogue)
    assert len(parsed) == 2000
    scripts = {"zh": "有限公司", "ja": "株式会社", "en": "Co., Ltd."}
    assert all(any(mark in r.name for r in parsed) for mark in scripts.values())
    entities, assigned = merge_rosters(catalogue, parsed)
    firms = set(assigned.values())
    assert len(firms) < 0.95 * len(parsed)  # repeats and other spellings of one firm merge
    assert firms & set(catalogue.entities)  # some rows name catalogue organisations
    assert sum(1 for r in rows if r["source"].startswith("second register")) > 50


def test_quick_run_of_one_benchmark_prints_its_rows():
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--only", "extraction"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]  # 1: a target not met on this machine, still a run
    assert "could not run" not in proc.stdout
    assert "extraction: alias matching on the real texts" in proc.stdout
    assert "raw pyahocorasick iter" in proc.stdout  # every row names its peer
    assert " targets met in " in proc.stdout
