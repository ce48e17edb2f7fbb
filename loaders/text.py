"""Documents: decoding, metadata, language, sentences and their offsets.

A :class:`Document` keeps the decoded original text; every offset this package reports (sentences, mentions, claims)
is an offset into that text, so ``doc.text[start:end]`` is the quoted span.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import Annotated, Literal, NamedTuple, get_args
from pathlib import Path

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictStr, ValidationError

from .clean import (CleanNote, check_size, clean_document_text, clean_field, clean_text, path_text,
                    read_input, warn_all)
from .errors import InputError
from .fold import FoldedText, fold_text
from .records import Evidence
from .yamlio import LINE_KEY, load_yaml_lines, load_yaml_quick

SUPPORTED_ENCODINGS = ("UTF-8", "UTF-8 with BOM", "UTF-16 with BOM", "GB18030", "Shift_JIS")
# cp932 is the Shift_JIS that Windows writes (a superset of JIS X 0208); GB18030 is a superset of GBK and GB2312.
_LEGACY = ("gb18030", "cp932")


def decode_bytes(data: bytes, path=None) -> tuple[str, str]:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030 or Shift_JIS.

    Returns ``(text, encoding)``; raises :class:`InputError` for anything else.

    Examples
    --------
    >>> decode_bytes("張江".encode("cp932"))[1]
    'cp932'
    """
    check_size(len(data), path, "document")
    return _decode(data, path)


def _decode(data: bytes, path) -> tuple[str, str]:
    """:func:`decode_bytes` without the size check (:func:`load_document` has made it on reading the file)."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise InputError(f"starts with a UTF-8 BOM but byte {exc.start} is not UTF-8; re-save the file as UTF-8",
                             path=path) from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputError("starts with a UTF-16 BOM but is not valid UTF-16; re-save the file as UTF-8",
                             path=path) from exc
    if data.find(b"\x00", 0, 8192) >= 0:
        raise InputError("looks like a binary file (it contains NUL bytes); give a plain-text .txt file", path=path)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    decodable = []
    for enc in _LEGACY:
        try:
            data.decode(enc)
            decodable.append(enc)
        except UnicodeDecodeError:
            continue
    if decodable:
        from charset_normalizer import from_bytes

        best = from_bytes(data, cp_isolation=decodable).best()
        if best is not None:
            enc = best.encoding.replace("_", "").lower()
            enc = "cp932" if enc in ("cp932", "shiftjis") else "gb18030"
            return data.decode(enc), enc
    raise InputError("cannot be decoded as " + ", ".join(SUPPORTED_ENCODINGS) +
                     "; re-save the file as UTF-8", path=path)


# Runs, not single characters: counting the characters of a few runs is far cheaper than a list of 1,000 matches.
_KANA, _HAN, _LATIN = re.compile("[\u3040-\u30ff]+"), re.compile("[\u4e00-\u9fff]+"), re.compile("[A-Za-z]+")


def detect_language(text: str) -> str:
    """'ja' if the text has kana, 'zh' if it is mostly CJK, else 'en'.

    Examples
    --------
    >>> detect_language("智元ロボットが"), detect_language("智元机器人"), detect_language("AgiBot")
    ('ja', 'zh', 'en')
    """
    sample = text[:1000]
    kana, cjk, latin = (sum(map(len, p.findall(sample))) for p in (_KANA, _HAN, _LATIN))
    if kana and kana * 20 >= cjk:
        return "ja"
    if cjk and cjk * 2 >= latin / 3:
        return "zh"
    return "en"


class Sentence(NamedTuple):
    """A sentence as a span of its document's text (a tuple: documents have one per sentence, so it is kept small)."""

    index: int
    start: int
    end: int
    paragraph: int


# English abbreviations after which a period does not end a sentence.
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "prof", "co", "corp", "ltd", "inc", "no", "vs", "st", "jr", "sr", "e.g",
                  "i.e", "etc", "approx", "fig", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
                  "nov", "dec", "u.s", "u.k", "dept", "gov", "est", "rmb"}
_WORD_START = "\\s(\"'“。！？!?｡．」』）)\\]】”’"  # what may stand right before an abbreviation


def _not_after_period(words) -> str:
    """Negative lookbehinds: the period just read does not follow any of ``words`` standing as a word of its own."""
    by_len: dict[int, list[str]] = {}
    for w in words:
        by_len.setdefault(len(w), []).append(re.escape(w))
    out = []
    for _, ws in sorted(by_len.items()):
        alt = "|".join(sorted(ws))
        out.append(f"(?<![{_WORD_START}](?i:{alt})\\.)(?<!^(?i:{alt})\\.)")
    return "".join(out)


# One compiled scan finds every sentence end, so Python code runs once per sentence, not per character or candidate.
# It starts with a character class, which re scans for in C (twice as fast as a leading lookahead); what follows
# runs only at a candidate and carries the rules as lookarounds:
# - a line break; CRLF is one (atomic groups), bare CR (old Mac) counts; a blank line starts a paragraph;
# - a single line break between "…letter, digit or , ; : ( -" and "letter, digit or (" is a hard wrap, not an end;
# - 。！？!? and closing quotes end a sentence;
# - a period ends one unless it follows an abbreviation, a single letter or initials (Co., U.S., e.g.).
# Each end also swallows the blanks after it, so the next sentence starts at m.end().
_INITIALS_BEFORE = ["[a-z]", "[a-z]\\.[a-z]", "[a-z]\\.[a-z]\\.[a-z]", "[a-z]\\.[a-z]\\.[a-z]\\.[a-z]"]
_WRAP_BEFORE = r"[A-Za-z0-9,;:(\-]"
_BOUNDARY = re.compile(
    r"[\r\n。！？!?｡．.]"
    r"(?:"
    r"(?<=[\r\n])(?<!\r\n)(?>(?<=\r)\n|)"  # never the LF of a CRLF on its own
    r"(?:(?P<para>[ \t\u3000]*(?>\r\n|\r|\n)\s*)"
    rf"|(?!(?:(?<={_WRAP_BEFORE}\r\n)|(?<={_WRAP_BEFORE}[\r\n]))[ \t]{{0,2}}[A-Za-z0-9(])(?P<nl>)[ \t\u3000]*)"
    r"|(?<=[。！？!?｡．])(?P<term>[。！？!?｡．]*[」』）)\]】\"'”’]*)[ \t\u3000]*"
    # a period followed by a blank or closing quote (checked first: "3.5", "gov.cn" skip the abbreviation lookbehinds)
    r"|(?<=\.)(?=[\s\"'”’)\]]|$)" + _not_after_period(sorted(_ABBREVIATIONS)) +
    "".join(f"(?<![{_WORD_START}](?i:{p})\\.)(?<!^(?i:{p})\\.)" for p in _INITIALS_BEFORE) +
    r"(?P<dot>[\"'”’)\]]*)[ \t\u3000]*"
    r")"
)


def clause_bounds(text: str, breaks) -> list[tuple[int, int]]:
    """``(start, end)`` of the clauses of ``text``: it is cut after every match of the ``breaks`` patterns.

    Examples
    --------
    >>> clause_bounds("a, b; c", [re.compile(r"[,;]")])
    [(0, 2), (2, 5), (5, 7)]
    """
    anywhere, chars, known = _clause_plan(breaks if type(breaks) is tuple else tuple(breaks))
    cuts: set[int] = set()
    for p in anywhere:  # patterns whose first characters are not known: tried everywhere
        cuts.update(m.end() for m in p.finditer(text))
    # The others can only match where one of their first characters stands: str.find gives those places (C speed,
    # no match object per place), and each pattern is tried there and nowhere else, in order, from where its last
    # match ended (what its finditer would find).
    at: dict[str, list[int]] = {}
    find = text.find
    for ch in chars:
        k = find(ch)
        if k >= 0:
            places = at[ch] = []
            while k >= 0:
                places.append(k)
                k = find(ch, k + 1)
    if at:
        for p, firsts in known:
            if len(firsts) == 1:
                ks = at.get(firsts[0])
                if ks is None:
                    continue
            else:
                found = [at[ch] for ch in firsts if ch in at]
                if not found:
                    continue
                ks = found[0] if len(found) == 1 else sorted(chain.from_iterable(found))
            resume = 0
            match = p.match
            for k in ks:
                if k >= resume:
                    m = match(text, k)
                    if m is not None:
                        resume = m.end()
                        cuts.add(resume)
    if not cuts:
        return [(0, len(text))]
    cuts = sorted(cuts)
    return list(zip([0, *cuts], [*cuts, len(text)]))


@lru_cache(maxsize=64)
def _clause_plan(breaks: tuple[re.Pattern, ...]):
    """``(patterns to try everywhere, the first characters of the others, [(pattern, its first characters)])`` for
    :func:`clause_bounds`."""
    anywhere, known, chars = [], [], set()
    for p in breaks:
        first = _first_chars(p)
        if first is None:
            anywhere.append(p)
        else:
            known.append((p, tuple(sorted(first))))
            chars |= first
    return anywhere, tuple(sorted(chars)), known


@lru_cache(maxsize=256)
def _first_chars(pattern: re.Pattern) -> frozenset[str] | None:
    """The characters a match of ``pattern`` can start with, or None when the pattern does not say (it may match
    empty, starts with any character or a category, ignores case).

    Clause breaks are cheap to rule out this way: ``(?<![0-9]),(?=[^\\s0-9])`` starts with a lookbehind, so ``re``
    tries it at every position of a sentence, while a search for ``,`` runs in C at memory speed.

    Examples
    --------
    >>> sorted(_first_chars(re.compile(r"(?<![0-9]),(?=\\S)|; ")))
    [',', ';']
    >>> _first_chars(re.compile(r".x")) is None
    True
    """
    try:
        from re import _constants as sre_constants, _parser as sre_parse
    except ImportError:  # Python 3.10
        import sre_constants
        import sre_parse
    if pattern.flags & re.IGNORECASE or not isinstance(pattern.pattern, str):
        return None
    try:
        chars = _first_of(list(sre_parse.parse(pattern.pattern, pattern.flags)), sre_constants)
    except Exception:  # a construct this reading does not know: no shortcut, the pattern still runs as it is
        return None
    return frozenset(chars) if chars else None


def _first_of(items, c) -> set[str] | None:
    """The first characters of a match of the parsed sequence ``items``; None when unknown or it may match empty."""
    for op, av in items:
        if op in (c.ASSERT, c.ASSERT_NOT, c.AT):  # zero width: the match starts at the next character
            continue
        if op is c.LITERAL:
            return {chr(av)}
        if op is c.IN:
            out = set()
            for kind, val in av:
                if kind is c.LITERAL:
                    out.add(chr(val))
                elif kind is c.RANGE and val[1] - val[0] < 64:
                    out.update(map(chr, range(val[0], val[1] + 1)))
                else:
                    return None
            return out
        if op is c.BRANCH:
            out = set()
            for branch in av[1]:
                sub = _first_of(list(branch), c)
                if sub is None:
                    return None
                out |= sub
            return out
        if op is c.SUBPATTERN:
            if av[1] & re.IGNORECASE:
                return None
            return _first_of(list(av[3]), c)
        if op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
            return _first_of(list(av[2]), c)
        return None
    return None


_new_tuple = tuple.__new__
_match_start = re.Match.start
assert _BOUNDARY.groupindex == {"para": 1, "nl": 2, "term": 3, "dot": 4}  # split_sentences reads them by number


@lru_cache(maxsize=1)
def _boundary_starts() -> tuple[tuple[str, re.Pattern], ...]:
    """``(character, its literal pattern)`` for every character a :data:`_BOUNDARY` match can start with."""
    return tuple((ch, re.compile(re.escape(ch))) for ch in sorted(_first_chars(_BOUNDARY)))


def _boundary_candidates(text: str) -> list[int]:
    """The offsets of the characters a sentence end can start at, in order.

    ``re`` scans for a leading character class one character at a time (11 ms per MB of English here), but for a
    single literal character at memchr speed: so each character of the class is looked for on its own (most are
    absent, which ``in`` says at once) and the offsets are merged.
    """
    found = [list(map(_match_start, p.finditer(text))) for ch, p in _boundary_starts() if ch in text]
    if len(found) == 1:
        return found[0]
    return sorted(chain.from_iterable(found))  # sorted runs: Timsort merges them


def _boundary_matches(text: str):
    """``_BOUNDARY.finditer(text)``: in a text without 。 (English), the pattern is tried at the candidates of
    :func:`_boundary_candidates` only, from where the last match ended, which finds the same matches (every match
    starts at a candidate) without ``re``'s scan; Chinese and Japanese have several sentence ends per hundred
    characters, where that scan costs less than a Python step per candidate, and so have long runs of line breaks or
    dots (hostile input)."""
    if "。" in text:
        return _BOUNDARY.finditer(text)
    if len(text) > 65_536 and 16 * sum(text.count(ch) for ch, _ in _boundary_starts() if ch in text) > len(text):
        return _BOUNDARY.finditer(text)  # runs of line breaks or dots: one match swallows many candidates
    return _matches_at_candidates(text)


def _matches_at_candidates(text: str):
    match = _BOUNDARY.match
    resume = 0
    for k in _boundary_candidates(text):
        if k >= resume:  # never inside the last match: a run of a million line breaks is one match, tried once
            m = match(text, k)
            if m is not None:
                resume = m.end()
                yield m


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of a Japanese, Chinese or English text, as spans into ``text``.

    Ends a sentence at 。！？!? (with closing quotes), at an English period that is not an abbreviation, and at a line
    break (a blank line starts a new paragraph); a single line break inside an English sentence (hard wrap) is kept.

    Examples
    --------
    >>> t = "張江に集積。AgiBot Co. Ltd. is in Shanghai. It grows!"
    >>> [t[s.start:s.end] for s in split_sentences(t)]
    ['張江に集積。', 'AgiBot Co. Ltd. is in Shanghai.', 'It grows!']
    """
    sentences: list[Sentence] = []
    append = sentences.append
    paragraph = n = 0
    start = len(text) - len(text.lstrip())
    for m in _boundary_matches(text):
        kind = m.lastindex  # 1 para, 2 nl: the sentence ends before the line break; 3 term, 4 dot: after the group
        s = start
        start = m.end()
        if kind > 2:
            e = m.end(kind)  # after a terminator or closing quote: never a blank
            if e > s:
                if text[s].isspace():  # only odd blanks (NBSP, U+2028) are left at a start
                    s = e - len(text[s:e].lstrip())
                append(_new_tuple(Sentence, (n, s, e, paragraph)))  # Sentence(...) without its Python __new__
                n += 1
            continue
        e = m.start()
        if e > s:
            if text[e - 1].isspace():  # blanks before a line break
                e = s + len(text[s:e].rstrip())
            if e > s and text[s].isspace():
                s = e - len(text[s:e].lstrip())
            if e > s:
                append(_new_tuple(Sentence, (n, s, e, paragraph)))
                n += 1
        if kind == 1:
            paragraph += 1
    e = len(text.rstrip())
    if e > start:
        s = e - len(text[start:e].lstrip())
        if e > s:
            append(Sentence(n, s, e, paragraph))
    return sentences


@dataclass
class Document:
    """A loaded text with its metadata and sentences.

    Attributes
    ----------
    id : str
        Stable document id (metadata ``id``, else the file name without extension).
    text : str
        The decoded original text; all offsets point into it.
    meta : dict
        Metadata (title, source, date, language, about, ...); see ``seeds/*.meta.yaml``.
    """

    id: str
    text: str
    meta: dict = field(default_factory=dict)
    path: str | None = None
    encoding: str = "utf-8"
    sentences: list[Sentence] = field(default_factory=list)
    notes: list = field(default_factory=list)  # what was cleaned at the door (loaders.clean.CleanNote)
    _folded: FoldedText | None = field(default=None, repr=False)
    _starts: list[int] | None = field(default=None, repr=False)

    def __post_init__(self):
        self.text, replaced = clean_document_text(self.text)  # same length: offsets are unchanged
        if replaced:
            self.notes.append(CleanNote(self.path or self.id, None, "text", f"replaced {replaced:,} control or "
                                        "unencodable character(s) with spaces (U+FFFD for lone surrogates)"))
        if not self.sentences:
            self.sentences = split_sentences(self.text)
        if "language" not in self.meta:  # metadata that names the language is not second-guessed
            self.meta["language"] = detect_language(self.text)
        self.meta.setdefault("title", self.id)

    @property
    def language(self) -> str:
        return self.meta["language"]

    @property
    def folded(self) -> FoldedText:
        if self._folded is None:
            self._folded = fold_text(self.text)
        return self._folded

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def sentence_at(self, offset: int) -> Sentence:
        """The sentence containing original offset ``offset`` (or the nearest one before it)."""
        starts = self._starts
        if starts is None or len(starts) != len(self.sentences):  # built once per document, not per evidence record
            starts = self._starts = [s.start for s in self.sentences]
        i = max(0, bisect_right(starts, offset) - 1)
        return self.sentences[i]

    def evidence(self, start: int, end: int) -> Evidence:
        """The evidence record of an original span: doc, sentence index, start, end and the exact quote."""
        return Evidence(self.id, self.sentence_at(start).index, start, end, self.text[start:end])


# ------------------------------------------------------------------------------------------------ document metadata
LANGUAGES = ("ja", "zh", "en")
_PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def _partial_date(value) -> str:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as text, checked as a real date (YAML may give a date or a year int)."""
    import datetime as dt

    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return str(value)
    if not isinstance(value, str):
        raise ValueError(f"expected a date as YYYY, YYYY-MM or YYYY-MM-DD, not {type(value).__name__} {value!r}")
    m = _PARTIAL_DATE.fullmatch(value.strip())
    if not m:
        raise ValueError(f"expected a date as YYYY, YYYY-MM or YYYY-MM-DD, not {value[:40]!r}")
    y, mo, d = int(m[1]), int(m[2] or 1), int(m[3] or 1)
    try:
        dt.date(y, mo, d)
    except ValueError as exc:
        raise ValueError(f"{value.strip()!r} is not a real date ({exc})") from None
    return value.strip()


_Text = Annotated[StrictStr, Field(max_length=10_000)]
_Date = Annotated[str, BeforeValidator(_partial_date)]
_Language = Literal["ja", "zh", "en"]


class DocumentMeta(BaseModel):
    """The metadata of a document (``NAME.meta.yaml``, or the keywords of :func:`document_from_text`): text where
    text belongs, dates as YYYY[-MM[-DD]], a known language, no unknown keys. Every key is optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Annotated[StrictStr, Field(min_length=1, max_length=200, pattern=r"^[^\s/\\]+$")] | None = None
    file: _Text | None = None
    title: _Text | None = None
    title_en: _Text | None = None
    publisher: _Text | None = None
    source: _Text | None = None
    source_note: _Text | None = None
    sources: list[_Text] | None = None
    language: _Language | None = None
    authoritative_version: _Language | None = None
    authoritative_note: _Text | None = None
    effective_from: _Date | None = None
    effective_until: _Date | None = None
    released: _Date | None = None
    date: _Date | None = None
    retrieved: _Date | None = None
    about: _Text | None = None
    cluster: _Text | None = None
    path: _Text | None = None


_META_KEYS = frozenset(DocumentMeta.model_fields)
_DATE_KEYS = frozenset(k for k, f in DocumentMeta.model_fields.items() if _Date in get_args(f.annotation))


def metadata_keys() -> tuple[str, ...]:
    """The keys a ``NAME.meta.yaml`` may have.

    Examples
    --------
    >>> "effective_from" in metadata_keys()
    True
    """
    return tuple(DocumentMeta.model_fields)


def validate_metadata(raw: dict, path=None, key_lines: dict | None = None,
                      notes: list | None = None) -> dict:
    """Checked and cleaned document metadata (plain dict without the unset keys), or :class:`InputError`.

    Strings lose invisible and control characters (reported in ``notes``, see :mod:`loaders.clean`); every error names
    the file, the line of the key and the key.

    Examples
    --------
    >>> validate_metadata({"title": "Plan", "released": "2025-08"})
    {'title': 'Plan', 'released': '2025-08'}
    >>> validate_metadata({"date": "2025-13-45"}, path="x.meta.yaml")
    Traceback (most recent call last):
    ...
    loaders.errors.InputError: x.meta.yaml: field 'date': '2025-13-45' is not a real date (month must be in 1..12)
    """
    key_lines = key_lines or {}
    notes = [] if notes is None else notes
    model = DocumentMeta
    known = _META_KEYS
    data = {}
    for key, value in raw.items():
        if key == LINE_KEY:
            continue
        if not isinstance(key, str) or key not in known:
            raise InputError(f"unknown key {str(key)[:80]!r}; valid keys: " + ", ".join(sorted(known)), path=path,
                             line=key_lines.get(str(key)), field=str(key)[:80])
        # clean_field leaves a printable text as it is (str.isprintable, in C): only the others are cleaned
        if isinstance(value, str):
            if not value.isprintable():
                value = clean_field(value, notes, path, key_lines.get(key), key)
        elif isinstance(value, list):
            line = key_lines.get(key)
            value = [clean_field(v, notes, path, line, key) if isinstance(v, str) and not v.isprintable() else v
                     for v in value]
        data[key] = value
    try:
        meta = model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = str(err["loc"][0]) if err["loc"] else None
        msg = err["msg"].removeprefix("Value error, ")
        value = err.get("input")
        kind = {list: "a list", dict: "a mapping", bool: "true/false", type(None): "empty"}.get(type(value))
        if err["type"] == "string_type":
            msg = (f"expected text, not {kind}" if kind else
                   f"expected text, not the number {str(value)[:40]}; put it in quotes")
        elif err["type"] == "literal_error":
            msg += f", not {str(value)[:40]!r}"
        elif err["type"] == "string_pattern_mismatch":
            msg = f"an id is one word without spaces or slashes, not {str(value)[:40]!r}"
        elif err["type"] == "list_type":
            msg = f"expected a list of texts ([a, b]), not {kind or type(value).__name__}"
        raise InputError(msg, path=path, line=key_lines.get(key), field=key) from None
    # model_dump(exclude_none=True), without serialising again what was just validated: the fields are flat texts
    # and lists of texts, in the model's order
    return {k: v for k, v in meta.__dict__.items() if v is not None}


def read_metadata(path, notes: list | None = None) -> dict:
    """A ``NAME.meta.yaml`` read and checked (:func:`validate_metadata`); errors name the file, line and key.

    A plain file (texts and lists of texts, nothing to clean) is read by :func:`loaders.yamlio.load_yaml_quick`;
    anything else, or metadata that does not pass as read, is read again by PyYAML with the lines of its keys, so
    messages and notes are those of that reading.
    """
    raw = load_yaml_quick(path, _DATE_KEYS)  # a date read as text or as a date: _partial_date makes both YYYY-MM-DD
    if raw is not None:
        quick_notes: list = []
        try:
            meta = validate_metadata(raw, path, None, quick_notes)
        except InputError:
            meta = None
        if meta is not None and not quick_notes:
            return meta
    raw, key_lines = load_yaml_lines(path, aliases=False)
    return validate_metadata(raw, path, key_lines, notes)


def meta_path_for(path: Path) -> Path:
    """``x.ja.txt`` -> ``x.ja.meta.yaml`` beside it."""
    return path.with_name(path.name[: -len(path.suffix)] + ".meta.yaml") if path.suffix else path.with_name(
        path.name + ".meta.yaml")


def load_document(path, doc_id: str | None = None) -> Document:
    """Read a text file (and its ``.meta.yaml`` beside it, if any) into a :class:`Document`.

    Examples
    --------
    >>> from loaders.paths import SEEDS_DIR
    >>> load_document(SEEDS_DIR / "shanghai_embodied_ai_plan.ja.txt").language
    'ja'
    """
    path = path if isinstance(path, Path) else Path(path)
    text, encoding = _decode(read_input(path, "document"), path)  # read_input has checked the size
    if not text.strip():
        raise InputError("the document is empty (or only blanks); give a file with text", path=path)
    notes: list = []
    meta: dict = {}
    mp = meta_path_for(path)
    if mp.exists():
        meta = read_metadata(mp, notes)
    shown = path_text(path)  # a file name that is not UTF-8 must not carry lone surrogates into ids and exports
    doc_id = doc_id or meta.get("id") or Path(shown).stem
    meta.setdefault("path", shown)
    doc = Document(id=str(doc_id), text=text, meta=meta, path=shown, encoding=encoding, notes=notes)
    warn_all(doc.notes)
    return doc


def document_from_text(text: str, doc_id: str, **meta) -> Document:
    """A :class:`Document` from a string (notebooks, uploads); metadata is checked as in ``NAME.meta.yaml``.

    Raises :class:`InputError` for an empty or blank text, an oversized one or bad metadata.

    Examples
    --------
    >>> document_from_text("智元机器人在张江。", "d", title="upload.txt").meta["language"]
    'zh'
    """
    name = clean_text(meta["title"] if isinstance(meta.get("title"), str) else str(doc_id))[0]  # for messages
    if not isinstance(text, str) or not text.strip():
        raise InputError("the document is empty (or only blanks); give a file with text", path=name)
    check_size(len(text.encode("utf-8", "surrogatepass")), name, "document")
    notes: list = []
    doc_id = clean_field(str(doc_id), notes, name, None, "id").strip()
    if not doc_id:
        raise InputError("the document id is empty", path=name, field="id")
    meta = validate_metadata(meta, name, None, notes)
    doc = Document(id=doc_id, text=text, meta=meta, notes=notes)
    warn_all(doc.notes)
    return doc


def bundled_documents() -> list[Document]:
    """The documents in ``seeds/`` that have a metadata file."""
    from .paths import SEEDS_DIR

    docs = []
    for mp in sorted(SEEDS_DIR.glob("*.meta.yaml")):
        meta = read_metadata(mp)
        if "file" not in meta:
            raise InputError("metadata names no 'file'", path=mp, field="file")
        docs.append(load_document(SEEDS_DIR / meta["file"], doc_id=meta.get("id")))
    return docs
