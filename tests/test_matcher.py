import re

import pytest

from loaders.matcher import AliasMatcher
from loaders.records import Entity
from loaders.text import document_from_text


@pytest.fixture(scope="module")
def matcher(catalogue):
    return AliasMatcher(catalogue.matchable_entities(), catalogue.stop_phrases)


@pytest.mark.parametrize("text,expected", [
    ("智元机器人与傅利叶、开普勒入驻张江。", ["agibot", "fourier", "kepler", "zhangjiang"]),
    ("智元機器人、傅利葉、開普勒、綠的諧波", ["agibot", "fourier", "kepler", "leaderdrive"]),
    ("AgiBot (Zhiyuan Robotics), Fourier Intelligence and Kepler Robotics", ["agibot", "agibot", "fourier", "kepler"]),
    ("AGIBOT and ＡｇｉＢｏｔ", ["agibot", "agibot"]),
    ("国地中心的青龙人形机器人", ["national_local_humanoid_center", "qinglong"]),
    ("MiniMax和阶跃星辰", ["minimax", "stepfun"]),
    ("蚂蚁灵波科技 and Robbyant", ["ant_lingbo", "ant_lingbo"]),
    ("上海市具身智能产业发展实施方案", ["shanghai_embodied_ai_plan"]),
])
def test_aliases_in_three_languages(matcher, text, expected):
    assert [m.entity for m in matcher.find(document_from_text(text, "t"))] == expected


def test_longest_match_wins_and_no_overlap(matcher):
    found = matcher.find(document_from_text("AgiBot World は AgiBot の データセット", "t"))
    assert [(m.entity, m.quote) for m in found] == [("agibot_world", "AgiBot World"), ("agibot", "AgiBot")]


def test_latin_aliases_are_word_bounded(matcher):
    found = matcher.find(document_from_text("Keplerian orbits and KeplerX are not Kepler.", "t"))
    assert [m.quote for m in found] == ["Kepler"]


def test_stop_phrases_shadow_aliases_inside_them(matcher):
    found = matcher.find(document_from_text("総投資額の最大20%、投資、リース", "t"))
    assert [m.entity for m in found] == ["platform_investment", "platform_leasing"]


def test_mentions_carry_exact_quotes_and_sentences(matcher, seed_doc):
    mentions = matcher.find(seed_doc)
    assert mentions
    for m in mentions:
        assert seed_doc.text[m.start:m.end] == m.quote
        s = seed_doc.sentences[m.sentence]
        assert s.start <= m.start and m.end <= s.end


def test_earlier_entity_wins_a_shared_alias():
    a = Entity("a", "Company", "Alpha", aliases=["Shared"])
    b = Entity("b", "Company", "Beta", aliases=["Shared"])
    found = AliasMatcher([a, b]).find(document_from_text("Shared", "t"))
    assert [m.entity for m in found] == ["a"]


# ---------------------------------------------------------------- every alias in data/ is one whole name

_LIST_SEPARATOR = re.compile(r"[、；;]|[,，](?!\s*(?:Ltd|Inc|LLC|Limited|Co\b))")
_BARE_LEGAL = {"ltd", "ltd.", "co", "co.", "inc", "inc.", "llc", "corp", "corp.", "limited", "gmbh", "co., ltd.",
               "co.,ltd.", "有限公司", "股份有限公司", "有限责任公司", "株式会社", "公司", "集团"}


def _data_names(catalogue):
    from loaders.paths import BUNDLED_ROSTERS
    from loaders.rosters import read_roster

    for e in catalogue.matchable_entities():  # the names texts are searched for (stages and scenes are categories)
        for n in e.all_names():
            yield f"{e.id} ({e.type})", n
    for path in BUNDLED_ROSTERS:
        for row in read_roster(path, catalogue):
            for n in row.names():
                yield f"{path.name}:{row.line}", n


def test_every_alias_in_data_is_one_whole_name(catalogue):
    bad = [(owner, n) for owner, n in _data_names(catalogue)
           if _LIST_SEPARATOR.search(n) or n.strip().lower() in _BARE_LEGAL or n != n.strip()]
    assert not bad, f"aliases that are lists or bare legal forms (quote names with commas in YAML): {bad}"


def test_the_alias_check_catches_a_split_list():
    # What an unquoted YAML flow list does to "X Co., Ltd.": the check must see both pieces as wrong.
    import yaml

    pieces = yaml.safe_load("[Humanoid Robots (Shanghai) Co., Ltd., Other]")
    assert "Ltd." in pieces and "Ltd." .lower() in _BARE_LEGAL
    assert not _LIST_SEPARATOR.search("Humanoid Robots (Shanghai) Co., Ltd.")
    assert _LIST_SEPARATOR.search("优必选、乐聚")


def test_bare_legal_suffix_matches_nothing(matcher):
    found = matcher.find(document_from_text("Humanoid Robots (Shanghai) Co., Ltd. signed with Acme Ltd. and Foo Inc.", "t"))
    assert [(m.entity, m.quote) for m in found] == [("national_local_humanoid_center",
                                                     "Humanoid Robots (Shanghai) Co., Ltd.")]


@pytest.mark.parametrize("text,absent", [
    ("其中国家级专精特新企业12家", "china"),            # 其中 + 国家, not 中国
    ("国家集成电路产业投资基金入股", "platform_investment"),  # 投资 in a fund's name
    ("人型ロボットの商業応用が進む", "scene_commercial"),     # 商業応用 is one word
])
def test_matches_never_split_a_word(matcher, text, absent):
    assert absent not in [m.entity for m in matcher.find(document_from_text(text, "t"))]


def test_the_words_still_match_on_their_own(matcher):
    found = [m.entity for m in matcher.find(document_from_text("中国的投资平台。商業・スポーツ", "t"))]
    assert "china" in found and "platform_investment" in found and "scene_commercial" in found


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("rebuild_keys", [0, 200_000], ids=["own automaton", "rebuilt at once"])
def test_names_added_later_match_as_if_listed_at_once(seed, rebuild_keys, monkeypatch):
    """``add`` builds every key into one automaton again (a small matcher) or gives the new keys an automaton of
    their own (a big one: here forced with a limit of 0); either way the matches are those of one matcher built with
    every entity in that order (overlapping matches of the two automata included: then all keys are scanned as
    one)."""
    import random

    import loaders.matcher

    monkeypatch.setattr(loaders.matcher, "_REBUILD_KEYS", rebuild_keys)
    rng = random.Random(seed)
    words = ["ab", "abc", "bc", "cd", "智元", "智元机器", "机器人", "a b", "b c"]
    for _ in range(300):
        def entity(i):
            return Entity(f"e{i}", "Company", rng.choice(words), aliases=rng.sample(words, rng.randint(0, 2)))

        first, more, last = ([entity(i) for i in range(j, j + rng.randint(0, 3))] for j in (0, 10, 20))
        text = " ".join(rng.choice(words + ["x", "智"]) for _ in range(rng.randint(1, 12)))
        doc = document_from_text(text, "t")
        later = AliasMatcher(first + last, ["a b c"])
        later.add(more, before={e.id for e in last})
        once = AliasMatcher(first + more + last, ["a b c"])
        assert [(m.entity, m.start, m.end) for m in later.find(doc)] == \
               [(m.entity, m.start, m.end) for m in once.find(doc)], (text, first, more, last)
