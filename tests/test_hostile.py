"""Hostile input: every bad roster, document, metadata or weights file ends in a clear error and exit 2.

Each case writes its input files into a fresh folder, runs the command line in-process (``graph.cli.main``; a few
cases also as a real subprocess) and checks: the exit code, that stderr names the file, line and field, that no
traceback appears and that nothing is written (no output file, no temporary file left beside it). Cases that are
accepted after cleaning check that the warning names the file, line and field and that the output can be read back.
"""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
import warnings

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from graph.cli import main
from loaders.clean import InputWarning, clean_text
from loaders.errors import InputError

HEADER = "name,name_zh,name_en,name_ja,segments,region,source\n"
DOC = "智元机器人与傅利叶在张江。AgiBot and Fourier are in Zhangjiang.\n".encode()
GOOD_META = "title: A plan\nlanguage: zh\n"


def _billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, (prev, cur) in enumerate(zip("abcdefgh", "bcdefghi")):
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def roster(body: str, header: str = HEADER) -> dict:
    return {"r.csv": (header + body).encode("utf-8")}


def meta(text: str | bytes) -> dict:
    return {"d.txt": DOC, "d.meta.yaml": text if isinstance(text, bytes) else text.encode("utf-8")}


# (id, files, command, where, what): ``where`` is what stderr must name (file, file:line, field), ``what`` a fragment
# of the message. Commands: "build" (build --no-bundled --doc/--roster for the files given), "coverage" (with
# --weights), or an explicit argument list with {dir} for the case folder.
ROSTERS = [
    ("roster-unbalanced-quote-at-end", roster('Acme,"Acme Ltd,,,reducers,,\nBeta,,,,,,\n'), "r.csv:2", "unbalanced"),
    ("roster-unbalanced-quote-swallows-rows", roster('Acme,"Acme,,,,,\nBeta,,,,,,\nGamma,",,,,,\n'), "r.csv:2",
     "field 'name_zh'"),
    ("roster-cell-over-field-limit", roster('"' + "x" * 140_000 + '",,,,,,\n'), "r.csv:2", "131,072"),
    ("roster-quote-after-quoted-cell", roster('"Acme"x,,,,,,\n'), "r.csv:2", "doubled"),
    ("roster-nul-bytes", {"r.csv": HEADER.encode() + b"Ac\x00me,,,,,,\n"}, "r.csv:2", "NUL"),
    ("roster-gbk", {"r.csv": (HEADER + "新齿轮,,,,,,\n").encode("gb18030")}, "r.csv:2", "not UTF-8"),
    ("roster-utf16", {"r.csv": (HEADER + "Acme,,,,,,\n").encode("utf-16")}, "r.csv:1", "NUL bytes"),
    ("roster-xlsx-bytes", {"r.csv": b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xff\xfe"}, "r.csv", "UTF-8"),
    ("roster-no-name-column", roster("Acme,Minhang\n", header="firm,region\n"), "field 'name'", "no 'name' column"),
    ("roster-empty-file", {"r.csv": b""}, "r.csv:1", "no 'name' column"),
    ("roster-bom-only", {"r.csv": codecs.BOM_UTF8}, "r.csv:1", "no 'name' column"),
    ("roster-empty-name", roster(",,,,reducers,,\n"), "field 'name'", "needs a name"),
    ("roster-blank-name", roster("   ,x,,,,,\n"), "r.csv:2", "needs a name"),
    ("roster-unknown-segment", roster("Acme,,,,gearboxes,,\n"), "field 'segments'", "reducers"),
    ("roster-unknown-region", roster("Acme,,,,,Atlantis,\n"), "field 'region'", "zhangjiang"),
    ("roster-unknown-type", {"r.csv": b"name,type\nAcme,Compnay\n"}, "field 'type'", "Company"),
    ("roster-uncertain-not-boolean", {"r.csv": b"name,uncertain\nAcme,maybe\n"}, "field 'uncertain'", "true or false"),
    ("roster-extra-cells", roster("Acme,,,,,,,extra\n"), "r.csv:2", "more cells"),
    ("roster-name-is-segment-zh", roster("减速器,,,,,,\n"), "field 'name'", "segment 'segment:reducers'"),
    ("roster-name-is-segment-en", roster("Reducers,,,,,,\n"), "field 'name'", "segments' column"),
    ("roster-name-is-segment-ja", roster("減速機,,,,,,\n"), "field 'name'", "segment"),
    ("roster-name-zh-is-segment", roster("Acme,减速器,,,,,\n"), "field 'name_zh'", "segment"),
    ("roster-alias-is-segment", {"r.csv": b"name,aliases\nAcme,Acme Co;harmonic reducer\n"}, "field 'aliases'",
     "segment"),
    ("roster-name-is-stage", {"r.csv": "name\n上游：核心零部件\n".encode()}, "field 'name'", "stage"),
    ("roster-name-is-region", roster("张江,,,,,,\n"), "field 'name'", "'region' column"),
    ("roster-name-is-region-folded", roster("ZHANGJIANG,,,,,,\n"), "field 'name'", "region"),
    ("roster-line-break-in-segments", roster('Acme,,,,"reducers\nservo_actuators",,\n'), "field 'segments'",
     "line break"),
    ("roster-second-of-two-bad", roster("Acme,,,,reducers,,\nBeta,,,,nothing,,\n"), "r.csv:3", "nothing"),
    ("roster-crlf-bad-segment", {"r.csv": (HEADER + "Acme,,,,gears,,\r\n").replace("\n", "\r\n").encode()},
     "r.csv:2", "gears"),
    ("roster-bare-cr-bad-region", {"r.csv": (HEADER + "Acme,,,,,Atlantis,\n").replace("\n", "\r").encode()},
     "r.csv:2", "Atlantis"),
    ("roster-is-directory", {"r.csv/": None}, "r.csv", "directory"),
    ("roster-missing", {}, "r.csv", "No such file"),
    ("roster-dev-zero", ["build", "--no-bundled", "--roster", "/dev/zero", "--out", "{dir}/g.graphml"],
     "/dev/zero", "device"),
    ("roster-over-size-limit", ["build", "--no-bundled", "--max-input-mb", "0.00001", "--roster", "{dir}/r.csv",
                                "--out", "{dir}/g.graphml"], "r.csv", "limit", ),
]
DOCUMENTS = [
    ("doc-binary-nul", {"d.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"}, "d.txt", "binary"),
    ("doc-undecodable", {"d.txt": b"abc \xfd\xfe\xff\xff def"}, "d.txt", "UTF-8"),
    ("doc-bad-after-utf8-bom", {"d.txt": codecs.BOM_UTF8 + b"ok \xff\xfe"}, "d.txt", "BOM"),
    ("doc-odd-utf16", {"d.txt": codecs.BOM_UTF16_LE + b"a\x00\x00\xd8"}, "d.txt", "UTF-16"),
    ("doc-empty", {"d.txt": b""}, "d.txt", "empty"),
    ("doc-blank", {"d.txt": b" \n\t\r\n\xe3\x80\x80\n"}, "d.txt", "empty"),
    ("doc-bom-only", {"d.txt": codecs.BOM_UTF8}, "d.txt", "empty"),
    ("doc-is-directory", {"d.txt/": None}, "d.txt", "directory"),
    ("doc-missing", {}, "d.txt", "No such file"),
    ("doc-dev-zero", ["build", "--no-bundled", "--doc", "/dev/zero", "--out", "{dir}/g.graphml"], "/dev/zero",
     "device"),
    ("doc-fifo", {"d.txt|": None}, "d.txt", "FIFO"),
    ("doc-over-size-limit", ["build", "--no-bundled", "--max-input-mb", "0.00001", "--doc", "{dir}/d.txt",
                             "--out", "{dir}/g.graphml"], "d.txt", "--max-input-mb"),
    ("doc-bad-limit", ["build", "--no-bundled", "--max-input-mb", "-1", "--doc", "{dir}/d.txt", "--out",
                       "{dir}/g.graphml"], "max-input-mb", "positive"),
    ("doc-two-same-ids", {"a/d.txt": DOC, "b/d.txt": DOC}, "d.txt", "two documents have the id"),
]
METADATA = [
    ("meta-about-list", meta("about: [x]\n"), "d.meta.yaml:1: field 'about'", "not a list"),
    ("meta-impossible-date", meta("date: 2025-13-45\n"), "d.meta.yaml:1: field 'date'", "month must be in 1..12"),
    ("meta-quoted-impossible-date", meta('date: "2025-02-30"\n'), "d.meta.yaml:1: field 'date'", "not a real date"),
    ("meta-date-bad-format", meta("released: 2025-8\n"), "field 'released'", "YYYY-MM"),
    ("meta-date-words", meta("effective_from: next year\n"), "field 'effective_from'", "YYYY"),
    ("meta-date-list", meta("retrieved: [2025]\n"), "field 'retrieved'", "YYYY"),
    ("meta-5000-digit-int", meta("title: " + "9" * 5000 + "\n"), "d.meta.yaml:1: field 'title'", "digits"),
    ("meta-title-nan", meta("title: .nan\n"), "d.meta.yaml:1: field 'title'", "put it in quotes"),
    ("meta-title-number", meta("title: 2025\n"), "field 'title'", "put it in quotes"),
    ("meta-title-bool", meta("title: yes\n"), "field 'title'", "true/false"),
    ("meta-title-mapping", meta("title: {en: x}\n"), "field 'title'", "mapping"),
    ("meta-title-list", meta("title: [a, b]\n"), "field 'title'", "not a list"),
    ("meta-sources-string", meta("sources: https://example.org\n"), "field 'sources'", "list"),
    ("meta-sources-number", meta("sources: [https://example.org, 3]\n"), "field 'sources'", "number"),
    ("meta-language-unknown", meta("language: fr\n"), "field 'language'", "'ja', 'zh' or 'en'"),
    ("meta-authoritative-unknown", meta("authoritative_version: de\n"), "field 'authoritative_version'", "'zh'"),
    ("meta-unknown-key", meta("title: x\nauthor: me\n"), "d.meta.yaml:2: field 'author'", "valid keys"),
    ("meta-unknown-key-typo", meta("tittle: x\n"), "field 'tittle'", "title_en"),
    ("meta-numeric-key", meta("1: x\n"), "field '1'", "unknown key"),
    ("meta-id-with-space", meta("id: my doc\n"), "field 'id'", "one word"),
    ("meta-id-empty", meta('id: ""\n'), "field 'id'", "at least 1"),
    ("meta-title-too-long", meta("title: " + "x" * 10_001 + "\n"), "field 'title'", "at most 10000"),
    ("meta-billion-laughs", meta(_billion_laughs()), "d.meta.yaml:1", "anchor &a"),
    ("meta-alias", meta("title: &t A plan\ntitle_en: *t\n"), "d.meta.yaml:1", "anchor &t"),
    ("meta-recursive-alias", meta("about: &a [*a]\n"), "d.meta.yaml:1", "not allowed"),
    ("meta-invalid-yaml", meta("title: [unclosed\n"), "d.meta.yaml", "invalid YAML"),
    ("meta-tab-indent", meta("title:\n\t- x\n"), "d.meta.yaml:2", "invalid YAML"),
    ("meta-top-level-list", meta("- title\n- x\n"), "d.meta.yaml", "mapping"),
    ("meta-empty", meta(""), "d.meta.yaml", "mapping"),
    ("meta-deep-nesting", meta("about: " + "[" * 5000 + "]" * 5000 + "\n"), "d.meta.yaml", "deeply"),
    ("meta-not-utf8", meta("title: 計画\n".encode("cp932")), "d.meta.yaml:1", "not UTF-8"),
    ("meta-is-directory", {"d.txt": DOC, "d.meta.yaml/": None}, "d.meta.yaml", "directory"),
    ("meta-python-tag", meta("title: !!python/object/apply:os.system [echo hi]\n"), "d.meta.yaml:1",
     "invalid YAML"),
]
WEIGHTS = [
    ("weights-nan", {"w.yaml": b"reducers: .nan\n"}, "w.yaml:1: field 'reducers'", "finite"),
    ("weights-inf", {"w.yaml": b"reducers: .inf\n"}, "w.yaml:1: field 'reducers'", "finite"),
    ("weights-negative", {"w.yaml": b"reducers: 1\nservo_actuators: -2\n"}, "w.yaml:2: field 'servo_actuators'",
     "0 or more"),
    ("weights-text", {"w.yaml": b"reducers: heavy\n"}, "w.yaml:1: field 'reducers'", "'heavy'"),
    ("weights-bool", {"w.yaml": b"reducers: true\n"}, "field 'reducers'", "number"),
    ("weights-list", {"w.yaml": b"reducers: [1]\n"}, "field 'reducers'", "number"),
    ("weights-huge-int", {"w.yaml": b"reducers: " + b"9" * 5000 + b"\n"}, "w.yaml:1: field 'reducers'", "digits"),
    ("weights-invalid-yaml", {"w.yaml": b"reducers: [1\n"}, "w.yaml", "invalid YAML"),
    ("weights-top-level-list", {"w.yaml": b"- reducers\n- 1\n"}, "w.yaml", "segment id to weight"),
    ("weights-alias", {"w.yaml": b"reducers: &w 1\nsensors: *w\n"}, "w.yaml:1", "anchor &w"),
    ("weights-not-utf8", {"w.yaml": "减速器: 1\n".encode("gb18030")}, "w.yaml", "not UTF-8"),
    ("weights-csv-nan", {"w.csv": b"segment,weight\nreducers,nan\n"}, "w.csv:2: field 'reducers'", "finite"),
    ("weights-csv-text", {"w.csv": b"segment,weight\nreducers,1\nsensors,lots\n"}, "w.csv:3: field 'sensors'",
     "'lots'"),
    ("weights-csv-three-cells", {"w.csv": b"reducers,1,2\n"}, "w.csv:1", "two cells"),
    ("weights-csv-unbalanced-quote", {"w.csv": b'segment,weight\n"reducers,1\n'}, "w.csv:2", "malformed CSV"),
    ("weights-missing", {}, "w.yaml", "No such file"),
]
CASES = ROSTERS + DOCUMENTS + METADATA + WEIGHTS


def _write(folder, files: dict) -> None:
    for name, data in files.items():
        if name.endswith("/"):
            (folder / name.rstrip("/")).mkdir(parents=True)
        elif name.endswith("|"):
            os.mkfifo(folder / name.rstrip("|"))
        else:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)


def _command(case_id: str, files: dict, folder) -> list[str]:
    names = [n.rstrip("/|") for n in files]
    out = ["--out", str(folder / "g.graphml")]
    if case_id.startswith("weights"):
        name = names[0] if names else "w.yaml"
        return ["coverage", "--no-bundled", "--weights", str(folder / name)]
    if case_id.startswith("roster"):
        return ["build", "--no-bundled", "--roster", str(folder / (names[0] if names else "r.csv")), *out]
    docs = [n for n in names if n.endswith(".txt")] or ["d.txt"]
    return ["build", "--no-bundled", *[a for d in docs for a in ("--doc", str(folder / d))], *out]


def run_case(case_id, files, where, what, tmp_path, capsys):
    folder = tmp_path / "case"
    folder.mkdir()
    if isinstance(files, list):  # an explicit command line
        argv = [a.replace("{dir}", str(folder)) for a in files]
        (folder / "d.txt").write_bytes(DOC)
        (folder / "r.csv").write_bytes((HEADER + "Acme,,,,,,\n").encode())
    else:
        _write(folder, files)
        argv = _command(case_id, files, folder)
    before = sorted(p.name for p in folder.rglob("*"))
    code = main(argv)
    err = capsys.readouterr().err
    return code, err, before, sorted(p.name for p in folder.rglob("*"))


@pytest.mark.parametrize("case_id,files,where,what", CASES, ids=[c[0] for c in CASES])
def test_hostile_input_is_a_clear_error(case_id, files, where, what, tmp_path, capsys):
    code, err, before, after = run_case(case_id, files, where, what, tmp_path, capsys)
    assert code == 2, err
    assert err.startswith("error: "), err
    assert where in err, err
    assert what in err, err
    assert "Traceback" not in err
    assert after == before  # no output file, no temporary file left behind


def test_enough_cases():
    assert len(CASES) >= 80


# ------------------------------------------------------------------------------ accepted after cleaning, with a warning
# Every code point that broke GraphML, GEXF or JSON when it reached a name or metadata value.
HOSTILE_CHARS = ([chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"] + ["\x7f", "\x85", "\ufffe", "\uffff",
                 "\u200b", "\u200c", "\u200e", "\u202e", "\u2066", "\ufeff", "\u00ad"])


@pytest.mark.parametrize("ch", HOSTILE_CHARS, ids=[f"U+{ord(c):04X}" for c in HOSTILE_CHARS])
def test_invisible_and_control_characters_are_removed_and_reported(ch, tmp_path, capsys):
    (tmp_path / "r.csv").write_bytes((HEADER + f"Agi{ch}Bot,,,,reducers,,\nNew{ch}Firm,,,,reducers,,\n").encode())
    (tmp_path / "d.txt").write_bytes(DOC)
    (tmp_path / "d.meta.yaml").write_bytes(f'title: "Plan{ch}"\n'.encode())
    out = tmp_path / "g.graphml"
    code = main(["build", "--no-bundled", "--roster", str(tmp_path / "r.csv"), "--doc", str(tmp_path / "d.txt"),
                 "--out", str(out)])
    err = capsys.readouterr().err
    if ch == "\x00":  # NUL means a spreadsheet or UTF-16 file, not CSV text
        assert code == 2 and "r.csv:2" in err and "NUL bytes" in err and not out.exists()
        return
    if code == 2:  # YAML itself refuses most C0 characters in a file: a clear error, not a broken export
        assert "d.meta.yaml:1" in err and "not allowed in YAML" in err and not out.exists()
        return
    assert code == 0, err
    assert "warning: " in err and "r.csv:2: field 'name'" in err and f"U+{ord(ch):04X}" in err
    G = nx.read_graphml(out)  # readable: nothing XML cannot hold reached the file
    assert "NewFirm" in {d.get("label") for _, d in G.nodes(data=True)}
    assert G.nodes["agibot"]["label"] == "AgiBot"  # "Agi\u200bBot" merged into AgiBot, not a look-alike firm
    assert "agi" not in {n[:3] for n in G.nodes if n != "agibot" and n.startswith("agi") and "world" not in n}


def test_bare_cr_roster_is_read(tmp_path, capsys):
    """Old Excel for Mac ends lines with CR alone."""
    (tmp_path / "r.csv").write_bytes((HEADER + "New Gears Co,新齿轮,,,减速器,闵行区,\n").replace("\n", "\r").encode())
    out = tmp_path / "g.json"
    assert main(["build", "--no-bundled", "--roster", str(tmp_path / "r.csv"), "--out", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert any(n.get("name_zh") == "新齿轮" for n in data["nodes"])


def test_document_control_characters_keep_offsets(tmp_path, capsys):
    text = "智元机器人\x0c在张江。\x00AgiBot is in Zhangjiang.\n"
    (tmp_path / "d.txt").write_bytes(codecs.BOM_UTF8 + text.encode())
    out = tmp_path / "g.graphml"
    assert main(["build", "--no-bundled", "--doc", str(tmp_path / "d.txt"), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "d.txt: field 'text': replaced 2" in err
    G = nx.read_graphml(out)
    evidence = json.loads(G.nodes["agibot"]["evidence"])
    assert {e["quote"] for e in evidence} == {"智元机器人", "AgiBot"}
    assert [e["start"] for e in evidence] == [0, 11]  # offsets of the text as decoded


# ------------------------------------------------------------------------------------- the loader API the app uses
def test_app_uploads_empty_or_blank_documents_are_refused():
    from loaders.text import document_from_text

    for text in ("", "   ", "\n\t\u3000\n"):
        with pytest.raises(InputError, match="empty"):
            document_from_text(text, "upload", title="upload.txt")


def test_app_upload_size_limit(monkeypatch):
    from loaders.rosters import parse_roster_bytes
    from loaders.text import decode_bytes

    monkeypatch.setenv("GRAPH_MAX_INPUT_MB", "0.001")
    with pytest.raises(InputError, match="GRAPH_MAX_INPUT_MB"):
        decode_bytes(b"x" * 2000, "big.txt")
    with pytest.raises(InputError, match="big.csv: the roster is"):
        parse_roster_bytes(b"name\n" + b"x\n" * 1000, None, "big.csv")


def test_app_same_roster_twice_counts_once(catalogue):
    from loaders.rosters import parse_roster_bytes, unique_uploads

    data = (HEADER + "New Gears Co,新齿轮,,,减速器,闵行区,\n").encode()
    kept, notes = unique_uploads([("a.csv", data), ("copy of a.csv", data)])
    assert [n for n, _ in kept] == ["a.csv"] and notes == ["copy of a.csv: same content as a.csv; counted once"]
    rows = parse_roster_bytes(kept[0][1], catalogue, "a.csv")
    assert len(rows) == 1 and len(rows.sha256) == 64


def test_app_metadata_and_urls_stay_plain_text(catalogue):
    from loaders.rosters import parse_roster
    from loaders.text import document_from_text

    with pytest.warns(InputWarning) as caught:
        doc = document_from_text("AgiBot在张江。", "up\u200bload", title="a\ud800.txt", source="upload")
    assert doc.id == "upload" and doc.meta["title"] == "a.txt" and len(doc.notes) == 2
    assert [str(w.message) for w in caught] == [
        "a.txt: field 'id': removed invisible or control characters: U+200B ZERO WIDTH SPACE",
        "a.txt: field 'title': removed invisible or control characters: U+D800 (lone surrogate)"]
    url = "javascript:alert(1)//https://example.org/<b>x</b>"
    rows = parse_roster(HEADER + f"Acme,,,,,,{url}\n", catalogue, "r.csv")
    assert rows[0].source == url  # kept as text; the app escapes it


# ------------------------------------------------------------------------------------------------ real subprocesses
@pytest.mark.parametrize("case_id", ["roster-unbalanced-quote-at-end", "doc-dev-zero", "meta-billion-laughs"])
def test_subprocess_exit_code_and_no_traceback(case_id, tmp_path):
    case_id, files, where, what = next(c for c in CASES if c[0] == case_id)
    if isinstance(files, list):
        argv = [a.replace("{dir}", str(tmp_path)) for a in files]
    else:
        _write(tmp_path, files)
        argv = _command(case_id, files, tmp_path)
    before = sorted(os.listdir(tmp_path))
    r = subprocess.run([sys.executable, "-m", "graph", *argv], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2, r.stderr
    assert where in r.stderr and what in r.stderr and "Traceback" not in r.stderr
    assert sorted(os.listdir(tmp_path)) == before


# ------------------------------------------------------------------------------------------------- property-based
_TEXT = st.text(st.characters(), max_size=30)  # every code point, lone surrogates included


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=_TEXT, title=_TEXT, alias=_TEXT)
def test_any_unicode_in_roster_names_and_metadata_never_breaks_a_build(name, title, alias, catalogue):
    """Arbitrary Unicode (lone surrogates, controls, format characters) is refused cleanly or cleaned and exported."""
    from graph import build_graph
    from graph.io import graph_bytes
    from loaders.rosters import parse_roster
    from loaders.text import document_from_text

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)
        try:
            cell = lambda s: '"' + s.replace('"', '""') + '"'  # noqa: E731
            rows = parse_roster(f"name,aliases\n{cell(name)},{cell(alias)}\n", catalogue, "r.csv")
            doc = document_from_text("AgiBot在张江。" + name, "d", title=title)
        except InputError as exc:
            assert str(exc)
            return
        G = build_graph(docs=[doc], rosters=[rows], bundled=False)
    for fmt in ("graphml", "json"):
        data = graph_bytes(G, fmt)
        assert data
    for row in rows:
        for n in row.names():
            assert clean_text(n)[0] == n  # nothing invisible or unencodable is left in a name


def test_file_name_that_is_not_utf8_becomes_readable_text(tmp_path, capsys):
    name = os.fsdecode(b"plan-\xff\xfe.txt")  # a lone surrogate in Python's view of the name
    (tmp_path / name).write_bytes(DOC)
    out = tmp_path / "g.json"
    assert main(["build", "--no-bundled", "--doc", str(tmp_path / name), "--out", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert "doc:plan-\ufffd\ufffd" in {n["id"] for n in data["nodes"]}
