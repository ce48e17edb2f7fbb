"""What makes a million-row build lean gives the same results as the plain way: the automaton cut to the build's
texts, edges laid straight into networkx's dicts, roster names checked and folded in batches."""

import random

import ahocorasick_rs
import networkx as nx
import pytest

from graph.build import _Edges, _add_nodes
from loaders import load_catalogue
from loaders.errors import InputError
from loaders.extract import alias_matcher
from loaders.fold import fold, fold_many
from loaders.matcher import TextGrams
from loaders.records import Fact, Source
from loaders.rosters import merge_rosters, parse_roster
from loaders.text import bundled_documents, document_from_text


def _leftmost_longest(keys, text):
    if not keys:
        return []
    auto = ahocorasick_rs.AhoCorasick(keys, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
    return [(keys[k], s, e) for k, s, e in auto.find_matches_as_indexes(text)]


@pytest.mark.parametrize("seed", range(3))
def test_keys_ruled_out_occur_in_no_text(seed):
    """A key TextGrams rules out occurs in none of the texts (several gram sizes, keys and texts in one or more
    scripts), so a leftmost-longest scan without those keys reports the same matches."""
    rng = random.Random(seed)
    for _ in range(500):
        alphabet = rng.choice(["ab", "abcd", "ab 智元", "abc\u00e9\U0001f600"])
        keys = list(dict.fromkeys("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
                                  for _ in range(rng.randint(1, 12))))
        texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(rng.randint(1, 3))]
        absent = TextGrams(texts).absent(keys).tolist()
        assert not any(gone and any(k in t for t in texts) for k, gone in zip(keys, absent)), (keys, texts)
        kept = [k for k, gone in zip(keys, absent) if not gone]
        for t in texts:
            assert _leftmost_longest(keys, t) == _leftmost_longest(kept, t), (keys, t)
    many = [f"{i:04d} robotics" for i in range(3000)] + ["abc\x00def", "abc"]  # a NUL in a key: kept, not misnumbered
    grams = TextGrams(["abc and 0017 robotics"])
    kept = [k for k, gone in zip(many, grams.absent(many).tolist()) if not gone]
    assert kept == ["0017 robotics", "abc\x00def", "abc"]


def test_matcher_for_the_documents_finds_what_the_full_one_finds():
    cat = load_catalogue()
    rows = parse_roster("name,name_zh,aliases\n\"Acme Robotics Co., Ltd.\",阿克米机器人,Acme\n"
                        "Zeta Motion,泽塔运动,\n", cat, "r.csv")
    entities, _ = merge_rosters(cat, rows)
    docs = bundled_documents() + [document_from_text("Acme and 阿克米机器人 met 泽塔运动 in Zhangjiang.", "x")]
    full, cut = alias_matcher(cat, entities), alias_matcher(cat, entities, docs)
    assert len(cut) < len(full)
    for d in docs:
        assert [(m.entity, m.start, m.end) for m in cut.find(d)] == [(m.entity, m.start, m.end) for m in full.find(d)]
    with pytest.raises(ValueError, match="other texts"):
        cut.find(document_from_text("Acme again", "y"))


def test_long_texts_fold_as_short_ones():
    text = "ＡｇｉＢｏｔ 緑的諧波 Ⅻ ㈱ " * 800  # long enough for the array lookup
    assert fold(text) == "".join(fold(x) for x in ["ＡｇｉＢｏｔ 緑的諧波 Ⅻ ㈱ "] * 800)
    names = ["深圳市優必選科技有限公司", "UBTECH Robotics", "株式会社ロボ"] * 2000
    assert fold_many(names) == [fold(n) for n in names]


@pytest.mark.parametrize("rows, line, field", [
    ("Acme,Company\n{segment},Company\nWidgets,Nope\n", 3, "name"),  # a segment's name (line 3) before a bad type
    ("Acme,Nope\n{segment},Company\n", 2, "type"),  # a bad type before the segment's name
])
def test_first_roster_error_is_reported(rows, line, field):
    """Names are checked against the reserved ones in batches; the first error in the file is still the one shown."""
    cat = load_catalogue()
    segment = cat.segments()[0].name_en
    with pytest.raises(InputError) as exc:
        parse_roster("name,type\n" + rows.format(segment=segment), cat, "r.csv")
    assert (exc.value.line, exc.value.field) == (line, field)


def test_edges_into_equals_add_edge():
    edges = _Edges()
    edges.add("a", "b", "T", "m", sources=[{"source": "s"}], rule="r")
    edges.add("a", "b", "T", "n")
    edges.add("b", "a", "U", "m", variant="v", weight=2)
    edges.add("c", "c", "T", "m")
    edges.add_facts("a", [Fact("d", "roster", {"source": "x"}), Fact("d", "roster", Source("y"))], "IN_SEGMENT")
    edges.add_facts("a", [Fact("p", "roster", {"source": "x"})], "LOCATED_IN")
    edges.add("c", "q", "LOCATED_IN", "mention")
    expected = nx.MultiDiGraph()
    expected.add_node("a", name="A")
    for (u, v, etype, method, variant), attrs in edges.items.items():
        key = f"{etype}:{method}:{variant}" if variant else f"{etype}:{method}"
        expected.add_edge(u, v, key=key, **dict(attrs))
    got = nx.MultiDiGraph()
    got.add_node("a", name="A")
    edges.into(got)
    assert list(got.edges(keys=True, data=True)) == list(expected.edges(keys=True, data=True))
    assert list(got.nodes(data=True)) == list(expected.nodes(data=True))
    assert {n: list(got.pred[n]) for n in got} == {n: list(expected.pred[n]) for n in expected}
    assert not edges.items
    assert edges.located == {v for _, v, t in expected.edges(data="type") if t == "LOCATED_IN"} == {"p", "q"}


def test_add_nodes_equals_add_nodes_from():
    pairs = [("a", {"x": 1, "y": [2]}), ("b", {"x": 3}), ("a", {"z": 4})]
    expected, got = nx.MultiDiGraph(), nx.MultiDiGraph()
    expected.add_nodes_from((n, dict(d)) for n, d in pairs)
    _add_nodes(got, ((n, dict(d)) for n, d in pairs))
    assert list(got.nodes(data=True)) == list(expected.nodes(data=True)) == [("a", {"x": 1, "y": [2], "z": 4}),
                                                                           ("b", {"x": 3})]
    assert got.has_node("b") and not list(got.successors("b"))


@pytest.mark.parametrize("text", ["", "a,b\n1,2\n", "a,b\n1,2", 'a,b\n"x\ny",2\n\n3,4\n', "a,b\r\n1,2\r\n",
                                  "a,b\r1,2\r", "a\u2028b,c\n1,2\n"])
def test_roster_lines_as_stringio_gives_them(text):
    import io

    from loaders.rosters import _lines, _sha256

    assert list(_lines(text)) == list(io.StringIO(text, newline=""))
    assert _sha256(text * 50000) == __import__("hashlib").sha256((text * 50000).encode()).hexdigest()


def test_long_text_folds_a_slice_at_a_time_to_the_same_text(monkeypatch):
    import loaders.fold as lf

    text = "ＡｇｉＢｏｔ 緑的諧波 Ⅻ ｶﾀｶﾅ \U0002f800 \ud800 " * 3000  # fullwidth, variants, astral, a lone surrogate
    whole = lf._translate(text, lf._tables()[0])
    monkeypatch.setattr(lf, "_CHUNK", 4099)  # slices that do not fall on the repeat
    assert lf._translate(text, lf._tables()[0]) == whole == text.translate(lf._tables()[0])


def test_merge_in_batches_equals_one_batch(monkeypatch):
    """Rows merge into entities of earlier batches by exact name and by loose key; the last batch registers nothing
    (no row comes after it); any batch size gives the same entities."""
    import loaders.rosters as rosters

    cat = load_catalogue()
    text = ("name,name_zh,name_en,aliases,segments\n"
            "\"Acme Robotics Co., Ltd.\",阿克米机器人,,Acme,\n"
            "上海泽塔运动科技有限公司,,Zeta Motion,,\n"
            "Beta Ltd.,,,,\n"
            "ACME,,,,\n"  # exact fold of an earlier alias
            "泽塔运动,,,,\n"  # loose key of an earlier name
            "Beta,,,Acme,\n"  # loose key of row 4, then an alias known
            "AgiBot,,,,\n"  # a catalogue firm
            "Beta,,,,\n" "Gamma (上海),,,,\n" "gamma,,,,\n")
    rows = parse_roster(text, cat, "r.csv")

    def merged(size):
        monkeypatch.setattr(rosters, "_MERGE_BATCH", size)
        entities, assigned = merge_rosters(cat, list(rows))
        return [(e.id, e.name_en, e.name_zh, e.aliases, [(f.target, f.source) for f in e.segments], e.sources)
                for e in entities.values()], assigned

    one = merged(1 << 15)
    assert one[1]["r.csv:5"] == one[1]["r.csv:2"] and one[1]["r.csv:6"] == one[1]["r.csv:3"]
    assert one[1]["r.csv:8"] == "agibot"
    for size in (1, 2, 3, 4):
        assert merged(size) == one


def test_reader_folds_are_the_merge_folds(tmp_path):
    """A plain roster's reader hands merge_rosters the folds of every row's names, in RosterRow.names() order: the
    same entities as folding them again."""
    from loaders.rosters import read_roster_folded

    cat = load_catalogue()
    path = tmp_path / "r.csv"
    path.write_text("name,name_zh,name_en,name_ja,aliases\n\"ＡＣＭＥ Robotics Co., Ltd.\",阿克米機器人,Acme,,Acme;ACME X\n"
                    "泽塔运动,,Zeta Motion,ゼータ,\nAgiBot,,,,\n", encoding="utf-8")
    rows, folds = read_roster_folded(path, cat)
    assert folds == [fold(n) for row in rows for n in row.names()]
    plain, _ = merge_rosters(cat, list(rows))
    given, _ = merge_rosters(cat, list(rows), folds=iter(folds))
    assert [vars(e) for e in given.values()] == [vars(e) for e in plain.values()]
    with pytest.raises(ValueError, match="fewer folds"):
        merge_rosters(cat, list(rows), folds=folds[:-1])
