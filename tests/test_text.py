import codecs

import pytest

from loaders.errors import InputError
from loaders.fold import fold, fold_text
from loaders.text import decode_bytes, detect_language, load_document, split_sentences

JA = "智元ロボットが張江に集積しています。"
ZH = "绿的谐波在张江。智元机器人覆盖产业链约60%。"


@pytest.mark.parametrize("data,encoding", [
    (JA.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + JA.encode("utf-8"), "utf-8-sig"),
    (JA.encode("utf-16"), "utf-16"),
    (ZH.encode("gb18030"), "gb18030"),
    (JA.encode("cp932"), "cp932"),
    ("張江に集積。浦東は上海市の集積区です。".encode("shift_jis"), "cp932"),
])
def test_decode_supported_encodings(data, encoding):
    text, enc = decode_bytes(data)
    assert enc == encoding
    assert text in (JA, ZH, "張江に集積。浦東は上海市の集積区です。")


def test_decode_refuses_binary_and_garbage(tmp_path):
    with pytest.raises(InputError, match="binary"):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"abc \xfd\xfe\xff\xff def")  # invalid in UTF-8, GB18030 and Shift_JIS alike
    with pytest.raises(InputError) as err:
        load_document(bad)
    assert "bad.txt" in str(err.value) and "UTF-8" in str(err.value)


def test_fold_keeps_offsets_into_the_original():
    text = "ＡｇｉＢｏｔ（智元機器人）㈱张江"
    ft = fold_text(text)
    assert ft.folded.startswith("agibot(智元机器人)(株)张江")
    i = ft.folded.index("智元机器人")
    s, e = ft.to_original(i, i + 5)
    assert text[s:e] == "智元機器人"
    i = ft.folded.index("张江")
    s, e = ft.to_original(i, i + 2)
    assert text[s:e] == "张江"


def test_fold_variants():
    assert fold("緑的諧波") == fold("綠的諧波") == "绿的谐波"
    assert fold("螞蟻霊波") == "蚂蚁灵波"
    assert fold("ＭｉｎｉＭａｘ") == "minimax"


@pytest.mark.parametrize("text,expected", [
    ("浦東は集積区です。張江に70社以上！次は？", ["浦東は集積区です。", "張江に70社以上！", "次は？"]),
    ("张江集聚了70余家企业。覆盖产业链约60%。", ["张江集聚了70余家企业。", "覆盖产业链约60%。"]),
    ("AgiBot Co. Ltd. is in Shanghai. It covers 60.5% of the chain.\nNew line here",
     ["AgiBot Co. Ltd. is in Shanghai.", "It covers 60.5% of the chain.", "New line here"]),
    ("Zhangjiang hosts more than 70 companies, including\nAgiBot and Fourier.",
     ["Zhangjiang hosts more than 70 companies, including\nAgiBot and Fourier."]),
])
def test_sentences(text, expected):
    assert [text[s.start:s.end] for s in split_sentences(text)] == expected


def test_paragraphs_are_counted():
    text = "一、目標\n\n上海市は推進します。次の文。\n\n二、計画"
    sents = split_sentences(text)
    assert [s.paragraph for s in sents] == [0, 1, 1, 2]


def test_language_detection(seed_doc):
    assert seed_doc.language == "ja"
    assert detect_language(ZH) == "zh"
    assert detect_language("Shanghai hosts AgiBot.") == "en"


def test_seed_metadata(seed_doc):
    assert seed_doc.id == "shanghai_embodied_ai_plan_ja"
    for key in ("title", "publisher", "source", "language", "effective_from", "effective_until", "authoritative_note"):
        assert seed_doc.meta.get(key), key
    assert "japanese.shanghai.gov.cn" in seed_doc.meta["source"]


@pytest.mark.parametrize("text,expected", [
    ("AgiBot is here.\rFourier too.\rNext", ["AgiBot is here.", "Fourier too.", "Next"]),  # bare CR (old Mac)
    ("Zhangjiang hosts companies, including\r\nAgiBot and Fourier.\r\n\r\nNext",
     ["Zhangjiang hosts companies, including\r\nAgiBot and Fourier.", "Next"]),  # CRLF hard wrap stays one sentence
    ("U.S. firms, e.g. AgiBot. Mr. Li said so. J. R. Smith left.",
     ["U.S. firms, e.g. AgiBot.", "Mr. Li said so.", "J. R. Smith left."]),
    ("  \n 智元机器人在张江。  \n\n", ["智元机器人在张江。"]),
])
def test_sentences_line_ends_and_abbreviations(text, expected):
    assert [text[s.start:s.end] for s in split_sentences(text)] == expected


def test_sentence_lookup_builds_sentence_starts_once():
    """Evidence records bisect one list of sentence starts (rebuilding it per record made long documents quadratic;
    the speed itself is measured by benchmarks/bench_longdoc.py)."""
    from loaders.text import document_from_text

    n = 2000
    doc = document_from_text("AgiBot and Fourier in Zhangjiang. " * n, "d")
    first = doc.evidence(0, 6)
    starts = doc._starts
    assert [doc.evidence(s.start, s.end).sentence for s in doc.sentences[::10]] == list(range(0, n, 10))
    assert doc._starts is starts and len(starts) == n and first


def test_metadata_model_checks_types_dates_and_keys(tmp_path):
    from loaders.text import metadata_keys, validate_metadata

    assert {"id", "file", "title", "title_en", "publisher", "source", "source_note", "sources", "language",
            "authoritative_version", "authoritative_note", "effective_from", "effective_until", "released", "date",
            "retrieved", "about", "cluster"} <= set(metadata_keys())
    import datetime

    ok = validate_metadata({"released": 2025, "date": datetime.date(2025, 7, 28), "retrieved": "2026-11",
                            "sources": ["https://example.org"], "title": "Plan\u200b"})
    assert ok == {"released": "2025", "date": "2025-07-28", "retrieved": "2026-11",
                  "sources": ["https://example.org"], "title": "Plan"}
    for raw, field, fragment in [({"about": ["x"]}, "about", "not a list"), ({"date": "2025-02-30"}, "date", "real"),
                                 ({"language": "fr"}, "language", "'en'"), ({"x": 1}, "x", "unknown key")]:
        with pytest.raises(InputError) as err:
            validate_metadata(raw, "m.meta.yaml", {k: 3 for k in raw})
        assert (err.value.path, err.value.line, err.value.field) == ("m.meta.yaml", 3, field)
        assert fragment in str(err.value)


def test_yaml_aliases_refused_in_user_files_and_bounded_in_data(tmp_path):
    from loaders import yamlio

    p = tmp_path / "x.yaml"
    p.write_text("a: &a [1, 2]\nb: *a\n", encoding="utf-8")
    assert yamlio.strip_lines(yamlio.load_yaml(p)) == {"a": [1, 2], "b": [1, 2]}  # data/ files may use anchors
    with pytest.raises(InputError, match="anchor &a"):
        yamlio.load_yaml(p, aliases=False)
    lines = ["a: &a [" + ",".join(["1"] * 10) + "]"]
    lines += [f"{c}: &{c} [" + ",".join([f"*{p_}"] * 10) + "]" for p_, c in zip("abcde", "bcdef")]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")  # 10**6 values from six lines
    with pytest.raises(InputError, match="expands to more than 1,000,000"):
        yamlio.load_yaml(p)


# ------------------------------------------------------------------ fast paths give what the plain definitions give
from hypothesis import given, settings, strategies as st  # noqa: E402

_CLAUSE_ALPHABET = st.sampled_from(list(";:,、しりてでく 0123abx") + [", and ", "; ", ", while ", "yy"])


def _naive_clause_bounds(text, breaks):
    cuts = sorted({m.end() for p in breaks for m in p.finditer(text)})
    return list(zip([0, *cuts], [*cuts, len(text)]))


@settings(max_examples=400, deadline=None)
@given(st.lists(_CLAUSE_ALPHABET, max_size=30).map("".join))
def test_clause_bounds_equal_every_pattern_run_everywhere(text):
    import re

    from loaders.catalogue import load_catalogue
    from loaders.text import clause_bounds

    breaks = [re.compile(p) for p in load_catalogue().clause_breaks]
    # and patterns whose first characters cannot all be read (".", a lookbehind, a repeat, an optional start)
    breaks += [re.compile(r"(?<=x)yy"), re.compile(r"[ab]+\d"), re.compile(r".,"), re.compile(r"a?;"),
               re.compile(r"(?:, |;)(?=a)")]
    assert clause_bounds(text, breaks) == _naive_clause_bounds(text, breaks)
    for p in breaks:
        assert clause_bounds(text, [p]) == _naive_clause_bounds(text, [p])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("ab張江…㈱ＡＢ, .") + ["…"]), min_size=1, max_size=40).map("".join),
       st.data())
def test_span_of_a_fold_is_the_fold_of_the_span(text, data):
    ft = fold_text(text)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    span, direct = ft.span(start, end), fold_text(text[start:end])
    assert span.folded == direct.folded
    assert [span.to_original_offset(i) for i in range(len(span.folded))] == \
        [direct.to_original_offset(i) for i in range(len(direct.folded))]


def test_yaml_through_libyaml_reads_as_the_pure_python_loader(tmp_path, monkeypatch):
    from loaders import yamlio
    from loaders.paths import SEEDS_DIR

    files = sorted(SEEDS_DIR.glob("*.yaml")) + sorted((SEEDS_DIR.parent / "data").glob("*.yaml"))
    fast = [yamlio.load_yaml_lines(f, aliases=False) for f in files if "&" not in f.read_text(encoding="utf-8")]
    monkeypatch.setattr(yamlio, "_CLineLoader", None)
    slow = [yamlio.load_yaml_lines(f, aliases=False) for f in files if "&" not in f.read_text(encoding="utf-8")]
    assert fast == slow and len(fast) >= 2
    bad = tmp_path / "bad.meta.yaml"
    bad.write_text("title: ok\nabout: [unclosed\n", encoding="utf-8")
    monkeypatch.undo()
    with pytest.raises(InputError) as err:  # the message and line still come from the pure-Python loader
        yamlio.load_yaml_lines(bad, aliases=False)
    assert err.value.line is not None and "invalid YAML" in str(err.value)


_META_TEXTS = [  # metadata where YAML 1.1 (PyYAML) and 1.2 (yaml_rs) differ, PyYAML refuses, or nothing is odd
    'title: "Plan"\nsources: [a, "b c"]\nreleased: 2025-04-20\nretrieved: "2026-11"\n', "title: yes\n",
    "title: 1:20\n", "title: 0o17\n", "title: 1e3\n", "title: ~\n", "title:\n", 'title: ""\n', "title: @x\n",
    "released: 2025-4-5\n", "released: 2025-04-20T10:00:00\n", "released: 2025\n", 'date: "2025-02-30"\n',
    "title: a\ntitle: b\n", "title: !!str 12\n", "title: &x a\nabout: *x\n", "%YAML 1.1\n---\ntitle: x\n",
    "---\ntitle: x\n", "title: x\n---\ntitle: y\n", "title: x\n...\n", "title: a\u2028b\n", "title: a\u0085b\n",
    'title: "a\\x41\\u00e9"\n', "title: 'it''s'\n", "title: |\n  a\n  b\n", "title: >-\n  a\n  b\n",
    "title: x # note\n", "title: x\n  y\n", "title:\ta\n", "sources:\n  - a\n  - b\n", 'about: "a: b"\n',
    "title: \u200bPlan\n", "colour: red\n", "id: a b\n", "title: [a\n", "title: x\x07\n", "- a\n", "title: {a: b}\n",
    "\ufefftitle: 智元\u3000机器人\n", "title: Ünïcödé\r\nabout: x\r\n", "title: 'a\n\n  b'\n",
]


@pytest.mark.parametrize("text", _META_TEXTS)
def test_metadata_through_yaml_rs_reads_as_pyyaml(tmp_path, text):
    """read_metadata (yaml_rs where it cannot differ) gives the result, the error (file, line, field, message) and
    the notes of PyYAML's reading."""
    from loaders import yamlio
    from loaders.text import _DATE_KEYS, read_metadata, validate_metadata

    p = tmp_path / "x.meta.yaml"
    p.write_text(text, encoding="utf-8", newline="")

    def outcome(read):
        notes: list = []
        try:
            return read(notes), [str(n) for n in notes]
        except InputError as exc:
            return (str(exc), exc.line, exc.field), [str(n) for n in notes]

    def plain_read(notes):
        raw, key_lines = yamlio.load_yaml_lines(p, aliases=False)
        return validate_metadata(raw, p, key_lines, notes)

    quick = outcome(lambda notes: read_metadata(p, notes))
    plain = outcome(plain_read)
    assert quick == plain
    if text == _META_TEXTS[0]:  # the plain case does go through yaml_rs
        assert yamlio.load_yaml_quick(p, _DATE_KEYS) is not None


def test_stage_clock_counts_the_steps_of_a_build_and_nothing_outside_it():
    from graph.build import build_graph
    from loaders.extract import stage_clock

    with stage_clock() as seconds:
        build_graph(docs=[], bundled=True)
    assert {"read", "fold", "discovery", "match", "places", "relations", "claims", "graph"} <= set(seconds)
    assert all(v >= 0 for v in seconds.values()) and sum(seconds.values()) > 0
    with stage_clock() as other:
        pass
    assert other == {}
