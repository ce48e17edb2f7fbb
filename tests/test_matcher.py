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
