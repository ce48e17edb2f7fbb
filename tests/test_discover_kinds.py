"""Discovery rules for kinds of names met in texts the rules were not written for (data/discovery.yaml).

Each case is one kind (a construction, not a document's sentence), written with invented firm, product and
programme names; real places only where the rule is about a place the gazetteer knows.
"""

import pytest

from loaders.discover import discover, name_key
from loaders.text import document_from_text


def found(text, catalogue):
    return discover([document_from_text(text, "t0")], catalogue)


def names(result, type_=None):
    return sorted(e.name for e in result.entities.values() if type_ is None or e.type == type_)


@pytest.mark.parametrize("text,expected", [
    # government bodies: the party's name before the place; a national administration's local branch; a
    # department of a committee; 新闻办; a 省 name does not swallow the word before it
    ("中共甘肃省委宣传部召开会议。", ["中共甘肃省委宣传部"]),
    ("国家风筝管理总局甘肃省风筝局表示，将加强监管。", ["国家风筝管理总局甘肃省风筝局"]),
    ("风筝管理总局青石市风筝局表示，将加强监管。", ["青石市风筝局"]),
    ("青石市政府新闻办举行发布会。", ["青石市政府新闻办"]),
    ("新闻出版总局浙江省新闻出版局发布通知。", ["浙江省新闻出版局"]),
    # a unit named with its registered parent (both are organisations); not after a trade name and a verb
    ("青石星河机器人有限公司具身智能创新中心揭牌。", ["青石星河机器人有限公司", "青石星河机器人有限公司具身智能创新中心"]),
    # a name with its other name in brackets before a cue: one organisation
    ("星辰跳動（スターダンス）傘下の企業が参加した。", ["星辰跳動"]),
    # a cited source named with generic and suffix words only
    ("財経日報が伝えた。", ["財経日報"]),
    # Japanese apposition after a comma; a subsidiary is a firm
    ("湖南省のロボットメーカー、星雲智能技術で新型機の試験が行われた。", ["星雲智能技術"]),
    ("同社は子会社の青嶺技術と提携した。", ["青嶺技術"]),
    # after a university's name a Japanese text's kanji run is a programme, not part of the name
    ("青嶺大学博士課程の学生が参加した。", ["青嶺大学"]),
    # an owner's description and a verb before a name are not part of it
    ("青石市属国企星河电器集团有限责任公司表示，订单增长。", ["星河电器集团有限责任公司"]),
    ("车间使用星河集团的产品。", ["星河集团"]),
    # an adjective in 性 before a sector suffix names nothing
    ("取得10项以上原创性重大科技成果。", []),
    # other countries' legal forms and katakana sector words
    ("ノルディック・ダイナミクスが新型機を発表した。", ["ノルディック・ダイナミクス"]),
    # "of the" inside an English name; a wire story's dateline; an apposition naming what is also a county
    ("A report by the Policy Research Center of the Nordic Council said so.",
     ["Policy Research Center of the Nordic Council"]),
    ("OSLO, March 3 (Nordpress) -- A robot walked.", ["Nordpress"]),
    ("An engineer told Xinhua.", ["Xinhua"]),
    # a stop word inside a city's name does not end a name (都 of 成都)
    ("据了解，成都雪鹰科技是一家专注于四足机器人的企业。", ["成都雪鹰科技"]),
    # 国企 is no stop word: it stands inside 韩国企业
    ("韩国企业大星电子和德国企业克劳斯自动化也在展会上亮相。", ["克劳斯自动化", "大星电子"]),
    # a word about a firm after its Japanese name is not part of it; "X大手Y"; a research firm
    ("韓国の大星自動車グループ傘下のノヴァ・ダイナミクスは、新型ロボットを公開した。",
     ["ノヴァ・ダイナミクス", "大星自動車グループ"]),
    ("ドイツの産業機械大手ハルトマンは、中国での生産を拡大する。", ["ハルトマン"]),
    # an officer or a lead role right after a firm's name; a subsidiary after 旗下的
    ("云帆智能CEO陈晨表示，产品已进入工厂。", ["云帆智能"]),
    ("该项目由合肥星途智能牵头，联合多所高校共同承担。", ["合肥星途智能"]),
    ("宁波瑞恒电子旗下的瑞恒智能发布了灵巧手产品。", ["宁波瑞恒电子", "瑞恒智能"]),
    ("Nexus CEO Jane Doe spoke.", ["Nexus"]),
    # a country's possessive is not part of the name; a nationality is no name
    ("South Korea's Hanjin Robotics and Germany's Kraus Automation signed a deal.",
     ["Hanjin Robotics", "Kraus Automation"]),
    ("French startup Aldebrand and Swiss firm Helvetic Motion AG joined.", ["Aldebrand", "Helvetic Motion AG"]),
    # a verb of founding before an institution's name; a cited newspaper named with suffix words (据…报道)
    ("两地签订协议，共建青湾具身智能研究院。", ["青湾具身智能研究院"]),
    ("据证券时报报道，多家企业布局该赛道。", ["证券时报"]),
    # a person's title after a body's head is no second head (局长)
    ("合肥市投资促进局局长表示，将加大力度。", ["合肥市投资促进局"]),
    # a registered name is a firm's even when its trade name is a common word
    ("在济南，山东未来机器人有限公司的产品已进入工厂。", ["山东未来机器人有限公司"]),
    # where a Japanese firm has its head office; a country's one-kanji abbreviation; a person before a title
    ("江蘇省蘇州市に本社を置く蘇州星辰機器人は、新型機を開発した。", ["蘇州星辰機器人"]),
    ("独シュタインメッツ社は、上海に研究拠点を開設した。", ["シュタインメッツ社"]),
    ("同社の李華董事長は「需要は旺盛だ」と語った。", []),
    ("青嶺重工業やノルテックなどの大手が参入している。", ["ノルテック", "青嶺重工業"]),
    # more English sector words
    ("Shares of Zhejiang Qinghe Intelligent Controls rose.", ["Zhejiang Qinghe Intelligent Controls"]),
    # a Japanese firm in 自動車; a kind of car is no firm; an adjective of precision is no name
    ("韓国の青雲自動車は、電気自動車の工場にロボットを導入した。", ["青雲自動車"]),
    ("该产品采用自研的高精度伺服电机和行星减速器。", []),
    # whose data it is, in English
    ("Investors poured money into startups, Quillbook data show.", ["Quillbook"]),
    # who raises a funding round is a firm; a person or a generic subject is not
    ("星河机器人近日完成数亿元B轮融资。", ["星河机器人"]),
    ("该公司完成B轮融资。张伟完成了融资谈判。", []),
    ("Quorvex raised $50 million in a Series A round. The startup closed a funding round.", ["Quorvex"]),
    # a zone's administration; "in the zone" is no name; a short trade name joins its registered name
    ("记者从青湾新区管委会获悉，区内企业超过200家。", ["青湾新区管委会"]),
    # a dateline with a single hyphen; "engineers of X"; a committee
    ("SUZHOU, June 12 (Wirepost) - The city grew. It was founded by former engineers of Qorvane.",
     ["Qorvane", "Wirepost"]),
    ("Data came from the Qinglan Industrial Park Administrative Committee.",
     ["Qinglan Industrial Park Administrative Committee"]),
    # Latin letters glued before a CJK name; 以及 is one word; a foreign country before a listed firm
    ("韩国星辉电子、QX电子以及德国克劳斯等跨国企业也在加码布局。", ["QX电子", "克劳斯", "韩国星辉电子"]),
    ("韓国のハンビット電子とQXエレクトロニクスも披露した。", ["QXエレクトロニクス", "ハンビット電子"]),
    # a katakana trade name that a foreign city also has is still a firm's (Samsun is a city in Turkey)
    ("韓国のサムスン電子も披露した。", ["サムスン電子"]),
    # a sector word ends a firm's English name before "and"; "Co Ltd" without dots; a registered English name
    # of common words
    ("Qirun Automation and Velmont Technology reported higher sales.", ["Qirun Automation", "Velmont Technology"]),
    ("Shenzhen Qirun Technology Co Ltd, known as Qirun, listed.", ["Shenzhen Qirun Technology Co Ltd"]),
    ("Analysts at China International Capital Corp expect growth.", ["China International Capital Corp"]),
    # a stop word and 省 is no place (以及省…厅 is the province's, unnamed); a body's head ends its name before
    # another word (…厅装备产业处处长)
    ("山东省工业和信息化厅装备产业处处长贺强表示。负责人以及省工业和信息化厅相关负责同志参加。", ["山东省工业和信息化厅"]),
    # the investors of a round, closed by 共同领投; a fund is a firm, a kind of fund is not
    ("本轮融资由青松基金、远山、蓝湾资本共同领投。设立政府引导基金。", ["蓝湾资本", "远山", "青松基金"]),
    # a name starting with digits glued to letters; digits alone are no name
    ("The figure was cited by 48Qx. It was reported by 3 outlets.", ["48Qx"]),
    # whose unit, shares or stake it is; what kind of firm, in Japanese
    ("Shares of Tavrin rose 5 percent. Velora took a stake in Brisko.", ["Brisko", "Tavrin"]),
    ("投資会社の青松資本は、出資を決めた。", ["青松資本"]),
    # a katakana name and 社 is a foreign firm's; "the X-based maker of"; a surname and a suffix word is no person
    ("ドイツのクーネル社やスイスのアルテック社も出展した。", ["アルテック社", "クーネル社"]),
    ("Orbita, the Shenzhen-based maker of robot joints, doubled output.", ["Orbita"]),
    ("Its customers include Nio and Li Auto.", ["Li Auto", "Nio"]),
    # "and" joins two field words of one name, not two names
    ("Qinghe University of Technology and Lanting Agricultural University signed the pact.",
     ["Lanting Agricultural University", "Qinghe University of Technology"]),
    ("The Lanting Institute of Artificial Intelligence and Robotics for Society opened.",
     ["Lanting Institute of Artificial Intelligence and Robotics for Society"]),
])
def test_organisation_kinds(catalogue, text, expected):
    assert names(found(text, catalogue)) == expected


@pytest.mark.parametrize("text,expected", [
    ("Brightwater Robotics AG and Kestrel Dynamics plc signed a deal.",
     {"Brightwater Robotics AG", "Kestrel Dynamics plc"}),
    ("Lindqvist Motors S.A. and Fenwick Pte. Ltd. opened labs.", {"Lindqvist Motors S.A.", "Fenwick Pte. Ltd."}),
])
def test_foreign_legal_forms(catalogue, text, expected):
    result = found(text, catalogue)
    written = {n for e in result.entities.values() for n in e.all_names()}
    assert expected <= written and len(result.entities) == len(expected)


def test_a_short_trade_name_joins_its_registered_name(catalogue):
    # 装备 is a sector word, so the registered name's short forms hold the trade name 凌霄智能
    result = found("重庆凌霄智能装备有限公司落户新区。凌霄智能董事长周明介绍，订单增长。", catalogue)
    assert len(result.entities) == 1
    assert {"重庆凌霄智能装备有限公司", "凌霄智能"} <= set(next(iter(result.entities.values())).all_names())


def test_a_unit_keeps_its_own_key():
    assert name_key("青石星河机器人有限公司具身智能创新中心") != name_key("青石星河机器人有限公司")
    assert name_key("星河科技股份有限公司") == name_key("星河科技")


def test_no_unit_after_a_trade_name_and_a_verb(catalogue):
    assert "星河科技曾大量中标科研院所和大学" not in names(found("星河科技曾大量中标科研院所和大学。", catalogue))


@pytest.mark.parametrize("text,expected", [
    # a name in apposition to a product word that ends its noun phrase
    ("Visitors met Lumo, a humanoid robot developed by a local lab.", ["Lumo"]),
    ("Skyline, a robot maker, grew.", []),
    # a camel-case brand before a model number
    ("The startup sells StarBot X2, a compact humanoid.", ["StarBot X2"]),
    # the other quoted items of a list closed or opened by a product word
    ("「天鷹」や「雪豹」などの人型ロボットを発表した。", ["天鷹", "雪豹"]),
    ("公司发布了人形机器人“飞鸿”、“踏雪”和“追风”。", ["踏雪", "追风", "飞鸿"]),
    # a quoted word describing a robot with 的 is no product name
    ("穿着“蓝帽子”的人形机器人正在行走。", []),
    # a named chip
    ("同社はAI半導体「星核」を独自開発した。", ["星核"]),
])
def test_product_kinds(catalogue, text, expected):
    assert names(found(text, catalogue), "Product") == expected


@pytest.mark.parametrize("text,expected", [
    # an English title starting with its head, with small words in its tail; its span of years; a place's
    # possessive before it
    ("The ministry released the Guiding Opinions on the Innovative Development of Lanting Robots in 2023.",
     ["Guiding Opinions on the Innovative Development of Lanting Robots"]),
    ("Shenzhen's Action Plan for Embodied Intelligent Robots (2025-2027) sets targets.",
     ["Action Plan for Embodied Intelligent Robots (2025-2027)"]),
    ("The city issued an action plan for embodied intelligence in May.", []),
    # a period's plan with its field after the period; a programme inside a title is not a second policy
    ("根据“十四五”风筝产业发展规划，到2025年产量翻番。", ["“十四五”风筝产业发展规划"]),
    ("十七部门印发《“风筝+”应用行动实施方案》。", ["“风筝+”应用行动实施方案"]),
    # a quoted CJK programme named by its target year; a Latin fair's name with a year is none
    ("展会“QX 2025”开幕。“青石制造2035”提出十大领域。", ["青石制造2035"]),
])
def test_policy_kinds(catalogue, text, expected):
    assert names(found(text, catalogue), "Policy") == expected
