import json
import os
import subprocess
import sys

import pytest

from conftest import FIXTURES, ROOT


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "graph", *args], cwd=cwd or ROOT, capture_output=True, text=True,
                          timeout=120)


def test_help_lists_commands():
    r = run("--help")
    assert r.returncode == 0
    for cmd in ("build", "entities", "claims"):
        assert cmd in r.stdout


def test_build_bundled_graphml(tmp_path):
    out = tmp_path / "g.graphml"
    r = run("build", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert out.exists() and "<graphml" in out.read_text(encoding="utf-8")[:400]
    assert "nodes" in r.stderr


@pytest.mark.parametrize("lang,names", [
    ("zh", {"agibot": "智元机器人", "fourier": "傅利叶", "kepler": "开普勒", "leaderdrive": "绿的谐波",
            "national_local_humanoid_center": "国家地方共建人形机器人创新中心", "zhangjiang": "张江",
            "qinglong": "青龙", "saic_yanfeng": "上汽延锋"}),
    ("en", {"agibot": "AgiBot", "fourier": "Fourier Intelligence", "kepler": "Kepler Robotics",
            "leaderdrive": "Leaderdrive", "zhangjiang": "Zhangjiang", "shanghai_embodied_ai_plan":
                "Shanghai Embodied Intelligence Industry Development\nImplementation Plan"}),
])
def test_article_in_chinese_or_english(tmp_path, lang, names):
    doc = FIXTURES / f"plan_article.{lang}.txt"
    out = tmp_path / "g.json"
    r = run("build", "--no-bundled", "--doc", str(doc), "--out", str(out))
    assert r.returncode == 0, r.stderr
    r = run("entities", "--no-bundled", "--doc", str(doc), "--json")
    rows = {row["id"]: row for row in json.loads(r.stdout)}
    for eid, quote in names.items():
        assert eid in rows, eid
        assert any(quote in ev["quote"] for ev in rows[eid]["evidence"]), (eid, quote)


def test_claims_json_has_values_and_sentences():
    r = run("claims", "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    share = next(x for x in rows if x["metric"] == "chain_share" and x["doc"])
    assert share["value"] == 0.6 and share["qualifier"] == "about" and share["subjects"] == ["zhangjiang"]
    assert "約60%" in share["sentence_text"]
    assert share["disputed_by"] == ["claim:dispute:chain_share_not_found"]


def test_bad_roster_exits_2_and_writes_nothing(tmp_path):
    roster = tmp_path / "bad.csv"
    roster.write_text("name,segments\nAcme,gearboxes\n", encoding="utf-8")
    out = tmp_path / "g.graphml"
    r = run("build", "--roster", str(roster), "--out", str(out))
    assert r.returncode == 2
    assert "bad.csv:2" in r.stderr and "segments" in r.stderr and "reducers" in r.stderr
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name != "bad.csv"]


def test_bad_encoding_exits_2(tmp_path):
    doc = tmp_path / "latin.txt"
    doc.write_bytes(b"abc \xfd\xfe\xff\xff")
    r = run("entities", "--doc", str(doc))
    assert r.returncode == 2 and "latin.txt" in r.stderr and "UTF-8" in r.stderr


def test_unknown_format_and_missing_file(tmp_path):
    r = run("build", "--out", str(tmp_path / "g.xlsx"))
    assert r.returncode == 2 and ".xlsx" in r.stderr
    r = run("claims", "--doc", str(tmp_path / "nope.txt"))
    assert r.returncode == 2 and "nope.txt" in r.stderr


def test_write_failure_leaves_previous_file(tmp_path, monkeypatch):
    """An interrupted write leaves the old file as it was (atomic rename)."""
    from graph.io import atomic_path

    target = tmp_path / "g.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_path(target, "w") as fh:
            fh.write("half")
            raise RuntimeError("disk full")
    assert target.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["g.json"]
