import codecs
import warnings

import pytest

from loaders.errors import InputError
from loaders.paths import BUNDLED_ROSTERS
from loaders.rosters import merge_rosters, org_key, parse_roster, read_roster

HEADER = "name,name_zh,name_en,name_ja,segments,region,source\n"


def test_bundled_roster_keeps_every_source_and_uncertain_flag(catalogue):
    rows = read_roster(BUNDLED_ROSTERS[0], catalogue)
    assert all(r.source.startswith("http") for r in rows)
    entities, assigned = merge_rosters(catalogue, rows)
    assert len(set(assigned.values())) == 45  # 45 organisations; some have two sourced rows (two places)
    assert sum(r.uncertain for r in rows) >= 5
    assert entities["stepfun"].attrs.get("uncertain") is True


def test_row_merges_into_existing_entity_by_any_alias(catalogue, tmp_path):
    p = tmp_path / "r.csv"
    p.write_bytes(codecs.BOM_UTF8 + (HEADER + "Zhiyuan Robotics,,,,reducers;减速器,Minhang,https://example.org/a\n"
                                     "上海开普勒机器人有限公司,,,,,,\n"
                                     "New Gears Co,新齿轮,,,减速器,闵行区,https://example.org/b\n").encode("utf-8"))
    rows = read_roster(p, catalogue)
    entities, assigned = merge_rosters(catalogue, rows)
    assert assigned[f"{p}:2"] == "agibot"
    assert assigned[f"{p}:3"] == "kepler"
    new = entities[assigned[f"{p}:4"]]
    assert new.origin == "roster" and new.name_zh == "新齿轮"
    assert [f.target for f in new.segments] == ["segment:reducers"]
    assert [f.target for f in new.located_in] == ["minhang"]
    agibot = entities["agibot"]
    assert any(f.target == "minhang" and f.method == "roster" and f.source["source"] == "https://example.org/a"
               for f in agibot.located_in)
    assert catalogue.entities["agibot"].located_in == []  # the catalogue itself is not changed


@pytest.mark.parametrize("body,line,field,hint", [
    ("Acme,,,,gears,,\n", 2, "segments", "reducers"),
    ("Acme,,,,,Atlantis,\n", 2, "region", "zhangjiang"),
    ("Acme,,,,,,\n,,,,reducers,,\n", 3, "name", "needs a name"),
    ("Acme,,,,,,,extra\n", 2, None, "more cells"),
])
def test_bad_rows_name_file_line_field_and_valid_values(catalogue, body, line, field, hint):
    with pytest.raises(InputError) as err:
        parse_roster(HEADER + body, catalogue, "bad.csv")
    e = err.value
    assert (e.path, e.line, e.field) == ("bad.csv", line, field)
    assert hint in str(e)


def test_missing_name_column(catalogue):
    with pytest.raises(InputError, match="no 'name' column"):
        parse_roster("firm,region\nAcme,Minhang\n", catalogue, "x.csv")


def test_non_utf8_roster_is_refused(catalogue, tmp_path):
    p = tmp_path / "gbk.csv"
    p.write_bytes((HEADER + "新齿轮,,,,,,\n").encode("gb18030"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_roster(p, catalogue)


def test_org_key():
    assert org_key("上海开普勒机器人有限公司") == org_key("开普勒机器人")
    assert org_key("Hesai Technology Co., Ltd.") == org_key("Hesai")
    assert org_key("光本位科技(上海)有限公司") == org_key("光本位")


@pytest.mark.parametrize("body,line,field,hint", [
    ('Acme,"Acme Ltd,,,,,\nBeta,,,,,,\n', 2, None, "never closed"),
    ('Acme,"Acme\nBeta,,,,,,\nGamma",,,,,\n', 2, "name_zh", "line break"),
    ('"' + "x" * 140_000 + '",,,,,,\n', 2, None, "131,072"),
    ("减速器,,,,,,\n", 2, "name", "segment"),
    ("Acme,,Reducers,,,,\n", 2, "name_en", "segment"),
    ("Zhangjiang,,,,,,\n", 2, "name", "'region' column"),
])
def test_malformed_csv_and_reserved_names(catalogue, body, line, field, hint):
    with pytest.raises(InputError) as err:
        parse_roster(HEADER + body, catalogue, "bad.csv")
    assert (err.value.path, err.value.line, err.value.field) == ("bad.csv", line, field)
    assert hint in str(err.value)


def test_bare_cr_and_cleaned_cells_are_reported(catalogue):
    from loaders.clean import InputWarning

    with pytest.warns(InputWarning, match=r"r.csv:3: field 'name': .*U\+200B"):
        rows = parse_roster((HEADER + "Acme,,,,reducers,,\rAgi\u200bBot,,,,,,\r").replace("\n", "\r"), catalogue,
                            "r.csv")
    assert [(r.line, r.name) for r in rows] == [(2, "Acme"), (3, "AgiBot")]
    assert [str(n) for n in rows.notes] == [
        "r.csv:3: field 'name': removed invisible or control characters: U+200B ZERO WIDTH SPACE"]
    entities, assigned = merge_rosters(catalogue, rows)
    assert assigned["r.csv:3"] == "agibot"  # not a look-alike firm


def test_plain_roster_read_by_columns_gives_the_rows_of_the_row_by_row_reader(catalogue, monkeypatch):
    import loaders.rosters as rosters

    text = ("name,type,name_zh,name_en,name_ja,segments,region,source,aliases,uncertain,note,quote,extra\n"
            '"Acme Robotics Co., Ltd.",,阿克米机器人,Acme,,reducers;减速器,Minhang,https://example.org/a,'
            "Acme ; ACME Co,yes,n1,q1,x\n"
            "上海新齿轮科技有限公司,Company,,, ,,,,,false,,,\n"
            "ギア株式会社,, , ,ギア,servo_actuators,zhangjiang,src, ;ギア ,, ,,\n"
            "Beta,,,,,, 闵行区 ,,,NO,, q ,\n")
    plain = parse_roster(text, catalogue, "r.csv")
    assert rosters._parse_plain(text, catalogue, "r.csv", rosters._reserved_names(catalogue)) is not None
    monkeypatch.setattr(rosters, "_parse_plain", lambda *args: None)
    by_rows = parse_roster(text, catalogue, "r.csv")
    assert plain == by_rows and plain.sha256 == by_rows.sha256 and plain.notes == by_rows.notes == []
    assert [r.line for r in plain] == [2, 3, 4, 5] and plain[0].aliases == ["Acme", "ACME Co"]


@pytest.mark.parametrize("text", [
    HEADER + "Acme,,,,,,\n\nBeta,,,,,,\n",  # a blank line
    "name,quote\nAcme,\"a\nquote over two lines\"\n",  # a line break in a cell
    HEADER + "Acme,,,,,,\nBeta,,,,\n",  # a short row
    HEADER + "Acme,,,,,,\n,,,,,,\n",  # an empty row (skipped)
    HEADER + "Acme,,,,,,\nBeta\u200b,,,,,,\n",  # something to clean (reported: test_bare_cr_and_cleaned_cells_...)
])
def test_roster_that_is_not_plain_is_read_row_by_row(catalogue, text):
    import loaders.rosters as rosters

    assert rosters._parse_plain(text, catalogue, "r.csv", rosters._reserved_names(catalogue)) is None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = parse_roster(text, catalogue, "r.csv")
    assert rows[0].name == "Acme" and len(rows) in (1, 2)


def test_loose_key_drops_the_whitespace_str_isspace_knows():
    import re

    from loaders.rosters import _KEY_DROP, _WHITESPACE

    space = {chr(c) for c in range(0x110000) if chr(c).isspace()}
    assert set(_WHITESPACE) == space == {chr(c) for c in range(0x110000) if re.match(r"\s", chr(c))}
    assert _KEY_DROP.sub("", "a\u3000b\xa0c d·e・f-g_h.i,j'k\"l(m)n（o）p\x00") == "abcdefghijklmnop\x00"
