"""Open-world discovery (loaders/discover.py, data/discovery.yaml) and its review functions (graph/discovery.py).

The sentences here are written for the tests (not taken from the benchmark corpus), one pattern each.
"""

import json
import shutil
from pathlib import Path

import pytest

from loaders.discover import discover, load_discovery_rules, name_key, stable_id
from loaders.errors import InputError
from loaders.text import document_from_text

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def found(texts, catalogue, **kw):
    docs = [document_from_text(t, f"t{i}") for i, t in enumerate(texts)]
    return discover(docs, catalogue, **kw), docs


def names(result, type_=None):
    return sorted(e.name for e in result.entities.values() if type_ is None or e.type == type_)


# ---------------------------------------------------------------- organisations, by pattern


@pytest.mark.parametrize("text,expected", [
    ("据悉，星海图智能科技有限公司完成新一轮融资。", ["星海图智能科技有限公司"]),          # legal suffix, stop word 据悉
    ("会上，松灵机器人与帕西尼科技签署合作协议。", ["帕西尼科技"]),                     # 科技; 机器人 alone is too weak
    ("展会吸引了云鲸、追觅、石头等企业参展。", ["云鲸", "石头", "追觅"]),               # list closed by 等企业
    ("株式会社ミライロボティクスが新型機を発表した。", ["株式会社ミライロボティクス"]),      # legal prefix (ja)
    ("Shenzhen hosts companies such as Narwhal, Dreame and Roborock.", ["Dreame", "Narwhal", "Roborock"]),
    ("Researchers at the Harbin Institute of Technology built it.", ["Harbin Institute of Technology"]),
])
def test_organisations_by_pattern(catalogue, text, expected):
    result, _ = found([text], catalogue)
    assert names(result) == expected


def test_company_or_institution_from_the_suffix_or_cue(catalogue):
    result, _ = found(["清华大学、北京大学等高校与星海图科技合作。"], catalogue)
    types = {e.name: e.type for e in result.entities.values()}
    assert types == {"清华大学": "Institution", "北京大学": "Institution", "星海图科技": "Company"}


def test_generic_words_and_numbers_are_not_firms(catalogue):
    result, _ = found(["人工智能和具身智能产业快速发展，工业机器人产量增长，全市集聚近百家机器人企业。"
                       "同社は本社を移転した。Robotics and AI Technology are growing."], catalogue)
    assert names(result) == []


def test_a_single_weak_pattern_stays_below_the_threshold(catalogue):
    result, _ = found(["机器人企业星海图发布新品。"], catalogue)  # apposition alone: 0.5 < 0.7
    assert names(result) == []
    assert [r["name"] for r in result.rejected] == ["星海图"]
    assert result.rejected[0]["confidence"] < load_discovery_rules().threshold


def test_a_name_after_a_ranking_of_firms_needs_a_closing_function_word(catalogue):
    # 龙头企业 + name + a function word (发布 is one) is strong; the same cue before a clause is no name
    result, _ = found(["行业龙头企业星海图发布新品。", "与国内外头部企业相比略有优势。"], catalogue)
    assert names(result) == ["星海图"]


def test_person_names_are_not_organisations(catalogue):
    result, _ = found(["The startup Galbot (银河通用) was founded by Wang He (王鹤)."], catalogue)
    assert names(result) == ["Galbot"]


def test_listed_entities_are_never_rediscovered(catalogue):
    result, _ = found(["智元机器人、傅利叶、开普勒等企业集聚张江。"], catalogue)
    assert names(result) == []


def test_a_known_firm_written_another_way_is_not_discovered(catalogue):
    """A roster firm's registered name (深圳市…股份有限公司) has the key of the short name a text uses (星尘智能科技):
    the candidate is that firm, among many other known names, and nothing new."""
    from loaders.records import Entity

    text = "会上，星尘智能科技与帕西尼科技签署合作协议。"
    assert names(found([text], catalogue)[0]) == ["帕西尼科技", "星尘智能科技"]
    known = dict(catalogue.entities)
    for i in range(2000):  # other firms' names, some holding the key's characters
        known[f"r{i}"] = Entity(f"r{i}", "Company", f"Firm {i} Robotics", f"星尘{i}号机器人有限公司", aliases=[f"星尘{i}"])
    known["r_x"] = Entity("r_x", "Company", "", "深圳市星尘智能科技股份有限公司")
    known["r_place"] = Entity("r_place", "Cluster", "", "帕西尼科技股份有限公司")  # not an organisation: no effect
    assert names(found([text], catalogue, entities=known)[0]) == ["帕西尼科技"]


def test_a_long_document_finds_what_its_parts_find(catalogue):
    """Work per trigger word does not grow with the document (the organisations found so far are bisected)."""
    part = "深圳集聚了优必选科技、乐聚机器人等企业。优必选科技发布了Walker S2人形机器人。"
    one, _ = found([part], catalogue)
    many, _ = found([part * 400], catalogue)
    assert sorted(one.entities) == sorted(many.entities)
    assert len(many.mentions["t0"]) == 400 * len(one.mentions["t0"])


def test_blocking_types_must_be_schema_types(tmp_path, catalogue):
    data = tmp_path / "data"
    shutil.copytree(Path(load_discovery_rules().path).parent, data)
    text = (data / "discovery.yaml").read_text(encoding="utf-8")
    (data / "discovery.yaml").write_text(text.replace("blocking_types: [Company,", "blocking_types: [Firm,"),
                                         encoding="utf-8")
    from loaders.catalogue import load_catalogue

    with pytest.raises(InputError) as err:
        found(["深圳集聚了优必选科技、乐聚机器人等企业。"], load_catalogue(data))
    assert "discovery.yaml" in str(err.value) and "blocking_types" in str(err.value) and "Firm" in str(err.value)


# ---------------------------------------------------------------- one entity across documents and scripts


def test_parenthetical_pair_joins_two_scripts_into_one_entity(catalogue):
    result, docs = found(["据报道，宇树科技（Unitree）推出了新机型。", "Unitree Robotics opened a new factory.",
                          "宇樹科技などの企業が参入した。"], catalogue)
    orgs = [e for e in result.entities.values() if e.type == "Company"]
    assert len(orgs) == 1
    e = orgs[0]
    assert e.id == "org_unitree" and e.name_zh == "宇树科技" and e.name_en == "Unitree"
    assert e.name_ja == "宇樹科技" and "Unitree Robotics" in e.aliases
    assert {m.doc for ms in result.mentions.values() for m in ms if m.entity == e.id} == {"t0", "t1", "t2"}


def test_stable_id_from_the_folded_name():
    assert name_key("優必選科技") == name_key("优必选科技股份有限公司") == name_key("深圳市优必选科技有限公司") == "优必选"
    assert stable_id(name_key("優必選科技"), "Company") == stable_id(name_key("优必选"), "Company")
    assert stable_id("unitree", "Company") == "org_unitree"
    assert stable_id(name_key("Walker S2"), "Product") == "product_walkers2"


def test_discovered_records_carry_confidence_patterns_and_exact_evidence(catalogue):
    result, docs = found(["深圳集聚了星海图科技、云鲸等企业。星海图科技发布了Walker X2人形机器人。"], catalogue)
    text = docs[0].text
    for e in result.entities.values():
        assert e.origin == "discovered"
        assert 0 < e.attrs["confidence"] <= 1 and e.attrs["found_by"]
    for m in result.mentions["t0"]:
        assert text[m.start:m.end] == m.quote
        s = docs[0].sentences[m.sentence]
        assert s.start <= m.start < m.end <= s.end
    firm = next(e for e in result.entities.values() if e.name == "星海图科技")
    assert set(firm.attrs["found_by"]) == {"list_context", "suffix_company"}
    assert sum(1 for m in result.mentions["t0"] if m.entity == firm.id) == 2


# ---------------------------------------------------------------- products, policies, segments


def test_products_and_policies(catalogue):
    result, _ = found([
        "北京人形机器人创新中心发布了人形机器人“天工”。星海图科技推出Walker X2人形机器人。",
        "深圳市人民政府办公厅印发《深圳市具身智能机器人技术创新与产业发展行动计划（2025—2027年）》。",
        "The city issued the Shenzhen Embodied Intelligence Robot Action Plan (2025-2027).",
        "ユニツリー社は人型ロボット「H1」を発表した。"], catalogue)
    assert names(result, "Product") == ["H1", "Walker X2", "天工"]
    assert names(result, "Policy") == ["Shenzhen Embodied Intelligence Robot Action Plan (2025-2027)",
                                       "深圳市具身智能机器人技术创新与产业发展行动计划（2025—2027年）"]


@pytest.mark.parametrize("text,expected", [
    # named programmes (invented names): quoted name + programme word, or a quoted name ending in one
    ("青石市启动“灵犀机器人+”应用行动，首批开放100个场景。", "“灵犀机器人+”应用行动"),
    ("该区实施“千企智改”工程，支持企业引入新设备。", "“千企智改”工程"),
    ("青石市经信局推出“具身智能揭榜挂帅”专项，单个项目最高支持500万元。", "“具身智能揭榜挂帅”专项"),
    ("青石市发布“灵犀计划”，三年培育50家机器人企业。", "灵犀计划"),
    ("県は「ロボット導入モデル事業」の公募を始めた。", "ロボット導入モデル事業"),
    ("Beijing's \"Lingxi+\" action plan is channelling capital into the sector.", "\"Lingxi+\" action plan"),
    ("The \"AI for Bluestone\" initiative led to three new centres.", "\"AI for Bluestone\" initiative"),
    ("Under the Bluestone Humanoid Initiative, the district will open 100 test sites.",
     "Bluestone Humanoid Initiative"),
    ("The ministry unveiled the Draft National Strategy on Robotics last week.", "Draft National Strategy on Robotics"),
    # no quotes: a place's verb and a programme word ending the clause; a capitalised name before a programme word
    ("深圳市启动具身智能揭榜挂帅专项，首批10个项目。", "具身智能揭榜挂帅专项"),
    ("The city joined the Made in Bluestone initiative last year.", "Made in Bluestone initiative"),
    # a name ending in a count of measures
    ("青石市出台“具身智能20条”，支持整机企业。", "具身智能20条"),
    ("同市は「ロボット産業10策」を打ち出した。", "ロボット産業10策"),
    # a field's plan for a five-year period
    ("将人形机器人作为灵犀领域“十五五”专项规划中的重要内容。", "灵犀领域“十五五”专项规划"),
    # a listed plan's generic alias (实施方案) inside a longer title does not hide the title
    ("市政府印发《关于加快发展青石市灵犀产业的实施方案》。", "关于加快发展青石市灵犀产业的实施方案"),
])
def test_named_programmes_are_policies(catalogue, text, expected):
    result, _ = found([text], catalogue)
    assert expected in names(result, "Policy")


@pytest.mark.parametrize("text", [
    "该市严格落实计划生育政策。", "公司计划在2026年量产人形机器人。", "青石市将编制“十五五”规划。",
    "该市出台了一系列支持政策，吸引企业落户。", "实现“1134”工作目标，构建“三五成群”的产品矩阵。",
    "公司推出“灵犀”系列人形机器人。", "这一计划将在明年启动。", "青石市提出“三步走”目标。",
    "该公司招聘“灵犀”工程师。", "同社は来年の量産計画を明らかにした。", "新工場の建設プロジェクトが進む。",
    "The plan aims to raise output to 10 billion yuan by 2027.", "The 2025 programme drew 300 entrants.",
    "Under the plan, the city will open 100 test sites.", "He joined the \"smart\" programme in 2023.",
    "公司启动扩产计划，预计明年投产。", "深圳市启动地铁三期工程，总投资10亿元。", "北京市推出新一轮招聘计划，岗位500个。",
    "青石市正在编制“十五五”规划。", "在“十五五”期间，产业规模将翻番。", "The Shenzhen programme drew 300 entrants.",
    "The AI initiative drew 300 entrants.",
    "文件共三十条，自发布之日起施行。", "青石市提出“三条”路径。", "青石市出台“10条”，支持企业。",
    "中国移動傘下企業の「ヒューマノイド二足ロボット代工サービス調達プロジェクト」を落札した。",
])
def test_generic_plans_periods_and_slogans_are_not_policies(catalogue, text):
    result, _ = found([text], catalogue)
    assert names(result, "Policy") == []


def test_chain_segments_from_cue_words_in_the_firms_clause(catalogue):
    result, docs = found(["星海图科技、云鲸等企业研发灵巧手，而帕西尼科技专注触觉传感器。"], catalogue)
    segs = {(result.entities[r.source].name, r.target) for r in result.relations["t0"]}
    assert segs == {("星海图科技", "segment:dexterous_hands"), ("云鲸", "segment:dexterous_hands"),
                    ("帕西尼科技", "segment:sensors")}
    for r in result.relations["t0"]:
        assert r.type == "IN_SEGMENT" and r.method == "rule" and r.evidence[0]["quote"] in docs[0].text


def test_a_cue_inside_a_name_is_not_a_segment(catalogue):
    result, _ = found(["北京人形机器人创新中心成立。"], catalogue)
    assert names(result) == ["北京人形机器人创新中心"]
    assert not result.relations.get("t0")


def test_a_registered_name_locates_the_firm_in_the_place_it_starts_with(catalogue):
    text = ("深圳逐际动力科技有限公司发布了双足机器人。Hangzhou Kaierda Welding Robot Co., Ltd. builds arms. "
            "长城精工机器人有限公司和云鲸智能科技有限公司也在展会上。")
    result, docs = found([text], catalogue)
    located = {(result.entities[r.source].name.split(" Co.")[0], r.target, r.attrs["cue"])
               for r in result.relations.get("t0", ()) if r.type == "LOCATED_IN"}
    # 长城 names three towns (never evidence) and 云鲸 no place: neither firm is located
    assert located == {("深圳逐际动力科技有限公司", "cn_440300", "深圳"),
                       ("Hangzhou Kaierda Welding Robot", "cn_330100", "Hangzhou")}
    for r in result.relations["t0"]:
        if r.type == "LOCATED_IN":
            ev = r.evidence[0]
            assert r.method == "rule" and r.attrs["rule"] == "registered_name"
            assert docs[0].text[ev["start"]:ev["end"]] == ev["quote"]
            assert ev["quote"].startswith(result.entities[r.source].name)


def test_a_short_name_and_the_registered_name_in_brackets_are_one_firm(catalogue):
    result, _ = found(["逐际动力（深圳逐际动力科技有限公司）发布了双足机器人。逐际动力还发布了轮足机器人。"], catalogue)
    (ent,) = result.entities.values()  # named as the text names it most often
    assert {"逐际动力", "深圳逐际动力科技有限公司"} <= {ent.name, *ent.aliases}
    alone, _ = found(["深圳逐际动力科技有限公司发布了双足机器人。"], catalogue)
    assert list(alone.entities) == [ent.id]  # the registered name's id, as when the text writes it alone
    assert [m.quote for m in result.mentions["t0"]] == ["逐际动力", "深圳逐际动力科技有限公司", "逐际动力"]


def test_a_firm_located_by_its_name_counts_in_its_region(catalogue):
    from graph import build_graph
    from graph.places import firms_in_region

    G = build_graph(docs=[document_from_text("逐际动力科技有限公司（深圳逐际动力科技有限公司）研发灵巧手。", "d")],
                    bundled=False)
    firms = firms_in_region(G, "cn_440000")  # Guangdong contains Shenzhen: the place and its containers are nodes
    assert [G.nodes[f]["name"] for f in firms] == ["深圳逐际动力科技有限公司"]
    assert G.nodes["cn_440300"]["type"] == "Region" and G.has_edge("cn_440300", "cn_440000")


# ---------------------------------------------------------------- the rules file


def test_bad_rules_file_names_file_and_field(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(Path(load_discovery_rules().path).parent, data)
    text = (data / "discovery.yaml").read_text(encoding="utf-8")
    (data / "discovery.yaml").write_text(text.replace("threshold: 0.7", "threshold: high"), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_discovery_rules(data)
    assert "discovery.yaml" in str(err.value) and "threshold" in str(err.value)


def test_segmenter_choice_is_honoured(catalogue):
    pytest.importorskip("jieba")
    a, _ = found(["会上，松灵机器人与帕西尼科技签署合作协议。"], catalogue, segmenter="jieba")
    assert names(a) == ["帕西尼科技"]


def test_sudachi_segmenter_for_japanese(catalogue):
    pytest.importorskip("sudachipy")
    pytest.importorskip("sudachidict_small")
    a, _ = found(["深センの優必選科技が新型機を発表した。"], catalogue, segmenter="sudachi")
    assert names(a) == ["優必選科技"]


# ---------------------------------------------------------------- in the graph


def test_seed_entities_and_claims_are_all_still_found():
    """Everything the bundled seed and the two test articles yielded before discovery is still found."""
    from graph import build_graph
    from graph.query import claim_rows, found_entities

    snapshot = json.loads((FIXTURES / "seed_found.json").read_text(encoding="utf-8"))
    cases = {"bundled": dict(), "plan_article_zh": dict(docs=[FIXTURES / "plan_article.zh.txt"], bundled=False),
             "plan_article_en": dict(docs=[FIXTURES / "plan_article.en.txt"], bundled=False)}
    for name, kwargs in cases.items():
        G = build_graph(**kwargs)
        entities = {r["id"] for r in found_entities(G)}
        claims = {r["id"] for r in claim_rows(G, include_disputes=False)}
        assert set(snapshot[name]["entities"]) <= entities, (name, set(snapshot[name]["entities"]) - entities)
        assert set(snapshot[name]["claims"]) <= claims, (name, set(snapshot[name]["claims"]) - claims)


@pytest.fixture(scope="module")
def discovered_graph():
    from graph import build_graph

    docs = [document_from_text("深圳市人民政府办公厅印发《深圳市具身智能机器人技术创新与产业发展行动计划（2025—2027年）》。"
                               "深圳集聚了星海图科技、云鲸等企业。星海图科技研发灵巧手。星海图科技发布了Walker X2人形机器人。", "sz")]
    return build_graph(docs=docs, bundled=False)


def test_discovered_entities_are_nodes_with_origin_confidence_and_evidence(discovered_graph):
    G = discovered_graph
    nodes = {d["name"]: (n, d) for n, d in G.nodes(data=True) if d.get("origin") == "discovered"}
    assert {"星海图科技", "云鲸", "Walker X2", "深圳市人民政府办公厅"} <= set(nodes)
    for n, d in nodes.values():
        assert 0 < d["confidence"] <= 1 and d["found_by"] and d["evidence"] and d["mentions"] == len(d["evidence"])
        assert G.has_edge(n, "doc:sz")


def test_discovered_mentions_flow_into_relation_rules(discovered_graph):
    G = discovered_graph
    by_name = {d["name"]: n for n, d in G.nodes(data=True) if d.get("origin") == "discovered"}
    firm, product = by_name["星海图科技"], by_name["Walker X2"]
    policy = next(n for n, d in G.nodes(data=True) if d.get("type") == "Policy" and d.get("origin") == "discovered")
    assert G.has_edge(firm, product, key="DEVELOPS:rule")
    assert G.has_edge(policy, by_name["深圳市人民政府办公厅"], key="ISSUED_BY:rule")
    edge = G.edges[firm, "segment:dexterous_hands", "IN_SEGMENT:rule"]
    assert edge["method"] == "rule" and "灵巧手" in edge["evidence"][0]["quote"]


def test_a_programme_is_issued_by_the_body_that_launches_it_and_by_no_one_else():
    from graph import build_graph

    G = build_graph(docs=[document_from_text("青石市科技局启动灵犀机器人产业强链补链专项行动，覆盖20家企业。"
                                             "该公司参加了“千企智改”工程。", "pg")], bundled=False)
    issued = {(G.nodes[u]["name"], G.nodes[v]["name"]) for u, v, k in G.edges(keys=True) if k == "ISSUED_BY:rule"}
    assert issued == {("灵犀机器人产业强链补链专项行动", "青石市科技局")}
    node = next(d for d in G.nodes.values() if d.get("name") == "“千企智改”工程")
    assert node["origin"] == "discovered" and node["found_by"] == ["programme"] and node["evidence"]


def test_graphml_round_trip_keeps_discovery_attributes(discovered_graph, tmp_path):
    from graph import read_graph, write_graph

    write_graph(discovered_graph, tmp_path / "g.graphml")
    H = read_graph(tmp_path / "g.graphml")
    d = next(d for _, d in H.nodes(data=True) if d.get("name") == "星海图科技")
    assert d["origin"] == "discovered" and isinstance(d["found_by"], list) and isinstance(d["confidence"], float)


def test_review_rows_loaded_back_become_roster_entities(discovered_graph, catalogue):
    from graph import build_graph
    from graph.discovery import discovered_entities, roster_csv, roster_rows
    from loaders.rosters import parse_roster

    rows = discovered_entities(discovered_graph, types=["Company"])
    assert [r["name"] for r in rows] == ["星海图科技", "云鲸"]
    assert rows[0]["evidence"] and rows[0]["found_by"] and "segment:dexterous_hands" in rows[0]["segments"]
    confirmed = roster_rows(discovered_graph, [rows[0]["id"]])
    assert confirmed[0]["segments"] == "complete_machines;dexterous_hands" and confirmed[0]["quote"]
    parsed = parse_roster(roster_csv(confirmed), catalogue, "reviewed.csv")
    G = build_graph(docs=[document_from_text("星海图科技发布新品。", "d2")], rosters=[parsed], bundled=False)
    firm = [(n, d) for n, d in G.nodes(data=True) if d.get("name") == "星海图科技"]
    assert len(firm) == 1 and firm[0][1].get("origin") != "discovered" and firm[0][1]["mentions"] == 1
    with pytest.raises(ValueError):
        roster_rows(discovered_graph, ["segment:reducers"])


def test_cli_lists_discovered_entities(capsys):
    from graph.cli import main

    assert main(["entities", "--discovered", "--json", "--no-bundled", "--doc",
                 str(FIXTURES / "plan_article.zh.txt")]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert all(r["confidence"] >= load_discovery_rules().threshold and r["found_by"] for r in rows)


def test_extraction_quality_counts_against_gold(tmp_path):
    """The benchmark script on a one-document corpus: the counts follow from the gold and what the graph holds."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import extraction_quality as eq

    (tmp_path / "t_zh.zh.txt").write_text("深圳集聚了星海图科技、云鲸等企业。《深圳市机器人产业行动计划（2025-2027年）》发布。"
                                          "会上，某某公司代表发言。", encoding="utf-8")
    (tmp_path / "t_zh.gold.yaml").write_text(
        "document: t_zh\nlanguage: zh\norganisations:\n  - {name: 星海图, also: [星海图科技], type: Company}\n"
        "  - {name: 云鲸, type: Company}\n  - {name: 智元机器人, type: Company}\n  - {name: 某某公司, type: Company}\n"
        "places:\n  - {name: 深圳}\nproducts: []\n"
        "policies:\n  - {name: 深圳市机器人产业行动计划（2025—2027年）}\nquantities: []\n", encoding="utf-8")
    result = eq.run(corpus=tmp_path)
    cats = result["per_document"]["t_zh"]
    # 智元机器人 is in data/, so 3 gold organisations are not; discovery finds 星海图科技 and 云鲸 (某某公司 is no name)
    assert {k: cats["organisations not in data/"][k] for k in ("extracted", "correct", "gold", "matched")} == \
        {"extracted": 2, "correct": 2, "gold": 3, "matched": 2}
    assert cats["policies"]["matched"] == 1 and cats["policies"]["correct"] == 1  # year range with - or — matches
    assert result["summary"]["all"]["categories"]["organisations not in data/"]["recall"] == round(2 / 3, 3)


def test_nothing_is_discovered_where_every_firm_is_listed(tmp_path):
    """The synthetic benchmark texts name only roster firms (in three languages, with verbs like 新建 and 签署 next
    to places): whatever discovery adds there is a false positive."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from synthetic import document_texts, write_roster

    from graph import build_graph
    from graph.discovery import discovered_entities

    rows = write_roster(tmp_path / "roster.csv", 500)
    texts = document_texts([(r["name"], r["name_zh"]) for r in rows], 12, size=6000)
    docs = [document_from_text(t, f"syn{i}") for i, (_, t) in enumerate(texts)]
    G = build_graph(docs=docs, rosters=[tmp_path / "roster.csv"], bundled=False)
    assert [(r["name"], r["found_by"]) for r in discovered_entities(G, types=["Company", "Institution"])] == []


# ---------------------------------------------------------------- rules written against the blind corpus (general)


@pytest.mark.parametrize("text,expected", [
    # など closes a list when an organisation noun follows; bracketed asides skipped, a (place) inside a name kept
    ("市内には東方華数機器人や西騰機器人、川崎（蘇州）機器人工程などロボット業界の重点企業が集まる。",
     ["川崎（蘇州）機器人工程", "東方華数機器人", "西騰機器人"]),
    # in ja each item starts after its particle; 均/和 are no left edge inside a kanji word
    ("ロボットメーカーの杭州星海科技（スターシー）や寧波均明智能製造、監視カメラ大手の杭州海川数字技術（ハイチュアン）"
     "など産業チェーンの上下流企業20社が加盟した。", ["寧波均明智能製造", "杭州星海科技", "杭州海川数字技術"]),
    ("商社、メーカー、金融機関などの各業種から会員企業が参加した。", []),  # から: the items are sectors
    ("集聚了智能制造、智慧医疗、无人驾驶等领域企业200余家。", []),  # 等领域企业: fields
    ("汇聚了星河智能、天工动力、云鲸科技等30余家机器人领域企业。", ["云鲸科技", "天工动力", "星河智能"]),
    ("与国内外头部企业相比略有优势。", []),  # a ranking cue before a clause
    ("无锡连续三年位居中国智能制造产业促进协会发布的排名前列。", ["中国智能制造产业促进协会"]),  # 位居 ends the name
    ("It was developed by Qiming (Wuxi) Intelligent Robotics Co., Ltd. in the city.",
     ["Qiming (Wuxi) Intelligent Robotics Co."]),
    ("Photo courtesy of the Communist Party of China Wuxi municipal committee.",
     ["Communist Party of China Wuxi municipal committee"]),
    ("Kelvin Lau of Daiwa Capital Markets said so.", ["Daiwa Capital Markets"]),
    ("It ships with Yunfan Robotics. Xinghe Dynamics Co., Ltd. launched a robot.",  # a sentence ends at "Robotics."
     ["Xinghe Dynamics Co.", "Yunfan Robotics"]),
    ("Analysts at Morgan Stanley expect growth.", ["Morgan Stanley"]),
    ("常州市发展和改革委员会发布通知，由常州产投集团牵头运作。", ["常州产投集团", "常州市发展和改革委员会"]),
    ("同社の王偉総経理によると、出荷が増えた。", []),  # a person's title before によると
    # a verb (供应) and a title (总经理) end a name on its left; 本地 is no firm; 20亿元 does not start a fund's name
    ("产品供应星河机器人、天工动力等整机企业。", ["天工动力", "星河机器人"]),
    ("“订单增长了。”松湖智能总经理陈刚告诉记者。", ["松湖智能"]),  # the firm, not 松湖智能总经理陈刚告诉
    ("设立20亿元产业基金，高校与本地企业共建中心。", []),
    # a kanji name and its katakana name are one firm (one entity, the katakana name an alias); a reading is not
    ("ロボットメーカーの東莞松湖智能（ソンフー・ロボティクス）が開発した。李永偉（り・えいい）氏が述べた。", ["東莞松湖智能"]),
    ("无锡成立“场景办”，并举办“开放日”活动。", ["场景办"]),  # a quoted office; 举办 is a word
    ("《财经》记者走访了多家企业。", ["财经"]),  # a publication before 记者
    ("据“今日梁溪”报道，企业已超百家。", ["今日梁溪"]),
    ("由无锡市科技创新局印发。无锡市委财经委员会会议召开。", ["无锡市委财经委员会", "无锡市科技创新局"]),
])
def test_general_rules_from_the_blind_corpus(catalogue, text, expected):
    result, _ = found([text], catalogue)
    assert names(result) == expected


def test_policy_titles_without_brackets_start_with_their_place(catalogue):
    result, _ = found(["会上发布了无锡市人形机器人产业创新发展三年行动计划(2025-2027年)和无锡市支持人形机器人产业发展的若干措施。"
                       "一日四发！无锡密集出台具身智能机器人等四部行动计划。"], catalogue)
    assert names(result, "Policy") == ["无锡市人形机器人产业创新发展三年行动计划(2025-2027年)", "无锡市支持人形机器人产业发展的若干措施"]


def test_a_quoted_product_with_a_bracketed_name_is_one_product_with_an_alias(catalogue):
    result, _ = found(["书写汉字的机器人「ミライ（ＭＩＲＡＩ）」が登場した。", 'This humanoid robot, named "robi", is tall.'],
                      catalogue)
    products = sorted(((e.name_ja, e.name_en) for e in result.entities.values() if e.type == "Product"))
    assert products == [("", "robi"), ("ミライ", "ＭＩＲＡＩ")]


# ---------------------------------------------------------------- fast paths give what the plain passes give


def test_english_lists_are_found_where_the_plain_pattern_finds_them():
    """``_latin_lists`` tries _LATIN_LIST only where a run of capitalised words meets a separator: the same matches
    as its finditer over every character, on lists, runs too long to start one, glued punctuation and lower case."""
    import random

    from loaders.discover import _LATIN_LIST, _latin_lists

    words = ["Foo", "Bar", "and", "or", ",", "Baz-Q", "X.Y", "the", "A&B", "1st", "Co", "'s", "’", "-", "Zed",
             "e-Go", "Ab.Cd", "&", "Q", "UBTech", "Unitree Robotics"]
    rng = random.Random(3)
    texts = ["UBTech, Xiaomi and Leju", "A B C D E, F and G", "(Foo, Bar) and Baz’s", "AgiBot or Galbot."]
    for _ in range(3000):
        texts.append(rng.choice(["", " "]).join(rng.choice(words) for _ in range(rng.randint(1, 14)))
                     .replace(" ,", rng.choice([",", " ,"])))
    for t in texts:
        assert [m.span() for m in _latin_lists(t)] == [m.span() for m in _LATIN_LIST.finditer(t)], t
    assert [m.group() for m in _latin_lists("firms such as UBTech, Xiaomi and Leju.")] == ["UBTech, Xiaomi and Leju"]


def test_trigger_and_cue_scans_keep_pyahocorasick_order(catalogue):
    """Trigger words and segment cues come from ahocorasick_rs sorted by end then longest first: the order (and
    overlaps) of pyahocorasick's iter, which the scan and the first-cue-wins relations depend on."""
    import ahocorasick

    from loaders.discover import _END_THEN_START, _cue_words, _segment_automaton

    rules = load_discovery_rules()
    text = "深圳市优必选科技股份有限公司、乐聚机器人等企业；the startup Noetix Robotics Co., Ltd. 发布了人形机器人关节模组。"
    folded = document_from_text(text, "d").folded.folded
    for words, scan in ((rules.trigger_entries, lambda f: [(s, e, rules.trigger_entries[i][0]) for i, s, e in sorted(
            rules.triggers.find_matches_as_indexes(f, overlapping=True), key=_END_THEN_START)]),
                        (_segment_automaton(catalogue, rules)[1],
                         lambda f: [(a, b, c) for a, b, c, _ in _cue_words(_segment_automaton(catalogue, rules), f)])):
        auto = ahocorasick.Automaton()
        for w, _ in words:
            auto.add_word(w, w)
        auto.make_automaton()
        expected = [(end + 1 - len(w), end + 1, w) for end, w in auto.iter(folded)]
        assert expected and scan(folded) == expected


def test_known_name_keys_found_whatever_the_chunk_size(catalogue, monkeypatch):
    """KnownNames folds and scans the known names a chunk of names at a time: the keys a known name also has, and
    the known organisations' lower-cased names, are the same whatever the chunk size, and a name is read whether it
    is a name or an alias, starts with a legal prefix or a city, or is written in full width."""
    import random

    import loaders.discover as disc
    from loaders.records import Entity

    rng = random.Random(3)
    rules = load_discovery_rules()
    heads, cores, tails = ["", "深圳市", "株式会社", " "], ["星尘", "智元", "Unitree", "ＡＧＩＢＯＴ", "科技"], ["", "科技有限公司", " Co."]
    known = {f"r{i}": Entity(f"r{i}", rng.choice(["Company", "Product", "Region"]),
                             rng.choice(["", rng.choice(cores)]), rng.choice(heads) + rng.choice(cores) + rng.choice(tails),
                             aliases=[rng.choice(cores) + rng.choice(tails)] * rng.randint(0, 1)) for i in range(200)}
    wanted = {name_key(x) for x in ("星尘", "深圳星尘科技", "智元", "unitree", "agibot", "科技有限", "尘智")}
    leads = {"unitree", "agibot", "星尘", "智元科技"}

    def read(size):
        monkeypatch.setattr(disc, "_NAMES_PER_CHUNK", size)
        names = disc.KnownNames(known, rules, catalogue.types_with("organisation"), catalogue)
        return names.keys_among(wanted), names.organisation_names_lower(leads)

    whole = read(10_000)
    assert whole[0] >= {"星尘", "unitree", "agibot"} and "尘智" not in whole[0]
    assert "unitree" in whole[1] and "agibot" not in whole[1]  # ＡＧＩＢＯＴ lower-cased is not agibot
    for size in (1, 2, 7, 64):
        assert read(size) == whole
