"""Company rosters (CSV) as entity records, merged into the catalogue by any alias.

Columns: ``name`` (required), ``name_zh``, ``name_en``, ``name_ja``, ``segments`` (";"-separated segment ids or
names in any language), ``region`` (a region or cluster id or name), ``source``; optional ``type`` (default Company),
``aliases`` (";"-separated), ``uncertain`` (true/false), ``note``, ``quote``, ``district_as_stated``.
Other columns are ignored. UTF-8 with or without BOM.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from functools import lru_cache
from itertools import chain, islice, repeat
from operator import is_not
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rapidfuzz import process

from .catalogue import Catalogue
from .errors import InputError
from .gazetteer import AmbiguousPlace, resolve_place
from .fold import fold, fold_many
from .records import Entity, Fact, Source, source_dict

ROSTER_COLUMNS = ("name", "name_zh", "name_en", "name_ja", "segments", "region", "source")
OPTIONAL_COLUMNS = ("type", "aliases", "uncertain", "note", "quote", "district_as_stated")
_TRUE, _FALSE = {"true", "yes", "y", "1", "uncertain"}, {"false", "no", "n", "0", ""}


# The small rules of a cell, shared by the row-by-row and the column-at-a-time reader.
def _type_of(cell: str) -> str:
    return cell or "Company"


def _uncertain_of(cell: str) -> bool | None:
    """True or False for an ``uncertain`` cell, None when it is neither."""
    value = cell.lower()
    return True if value in _TRUE else False if value in _FALSE else None


def _aliases_of(cell: str) -> list[str]:
    """The aliases of an ``aliases`` cell: ";"-separated, trimmed, empty ones dropped."""
    return [a for a in map(str.strip, cell.split(";")) if a] if cell else []


def _note_of(note: str, district_as_stated: str) -> str:
    return note or district_as_stated

@lru_cache(maxsize=8)
def _name_rules(place_prefixes: tuple[str, ...], legal_suffixes: tuple[str, ...]):
    """Compiled name rules of data/analysis.yaml ``names``: suffixes by their last character (with their place in
    the list and their length), the last characters, place patterns, and the place prefixes themselves (a cheap
    ``startswith``)."""
    places = "|".join(re.escape(p) for p in place_prefixes) or "(?!)"
    by_last: dict[str, list[tuple[int, str, int]]] = {}
    for i, suffix in enumerate(legal_suffixes):
        by_last.setdefault(suffix[-1], []).append((i, suffix, len(suffix)))
    return (by_last, {s[-1] for s in legal_suffixes} | set(" ,."), re.compile(rf"^(?:{places})\s*"),
            re.compile(rf"[（(]\s*(?:{places})\s*[)）]"), place_prefixes)


def _rules_of(names: dict):
    return _name_rules(tuple(names["place_prefixes"]), tuple(names["legal_suffixes"]))


# What a loose key drops: whitespace (the characters str.isspace and the pattern \s take, spelled out: a set of
# code points is a bitmap lookup per character, faster than \s's category test; tests check the list), dots, dashes,
# quotes and brackets.
_WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
               "\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_KEY_DROP = re.compile("[" + re.escape(_WHITESPACE) + r"·・\-_.,'\"()（）]")


def _org_key(k: str, rules) -> str:
    """:func:`org_key` of an already folded name with compiled ``rules`` (:func:`_name_rules`)."""
    return _org_keys((k,), rules)[0]


def _org_keys(folds, rules) -> list[str]:
    """The :func:`org_key` of each of ``folds`` (already folded names) with compiled ``rules``, in one loop (a
    roster has millions of names: no call per name)."""
    by_last, suffix_ends, place_prefix, brackets, prefixes = rules
    drop = _KEY_DROP.sub
    keys = []
    append = keys.append
    for k in folds:
        if "(" in k or "（" in k:  # the bracket pattern needs one
            k = brackets.sub("", k)
        k = k.strip()
        if k and k[-1] in suffix_ends:
            k = _strip_suffixes(k, by_last, suffix_ends)
        if k.startswith(prefixes):  # the place pattern is anchored at a prefix
            stripped = place_prefix.sub("", k)
            if len(stripped) >= 2:
                k = stripped
        append(drop("", k))
    return keys


def _strip_suffixes(k: str, by_last: dict, suffix_ends: set) -> str:
    """``k`` without its legal suffixes (the loop of :func:`_org_key`)."""
    changed = True
    while changed and k and k[-1] in suffix_ends:
        # One pass tries the legal suffixes in list order, each against the name as the earlier ones left it; only
        # suffixes ending in the name's last character can match, so only those are tried.
        changed = False
        i = 0
        while k:
            for idx, suf, n in by_last.get(k[-1], ()):
                if idx >= i and len(k) > n + 1 and k.endswith(suf):
                    k = k[:-n].strip(" ,.")
                    changed = True
                    i = idx + 1
                    break
            else:
                break
    return k


def org_key(name: str, folded: str | None = None, names: dict | None = None) -> str:
    """A loose key for organisation names: folded, without legal suffixes, a bracketed or a leading place name.

    ``folded`` is ``fold(name)`` when the caller has it already; ``names`` the name rules of data/analysis.yaml
    (``catalogue.analysis["names"]``; the bundled data/ by default).

    Examples
    --------
    >>> org_key("上海开普勒机器人有限公司") == org_key("开普勒机器人")
    True
    """
    if names is None:
        from .catalogue import load_catalogue

        names = load_catalogue().analysis["names"]
    return _org_key(fold(name) if folded is None else folded, _rules_of(names))


@dataclass(slots=True)  # a register has a million rows: no __dict__ each
class RosterRow:
    path: str
    line: int
    name: str
    name_zh: str = ""
    name_en: str = ""
    name_ja: str = ""
    type: str = "Company"
    segments: list[str] = field(default_factory=list)  # segment entity ids
    region: str | None = None  # region or cluster entity id
    source: str = ""
    aliases: list[str] = field(default_factory=list)
    uncertain: bool = False
    note: str = ""
    quote: str = ""

    def names(self) -> list[str]:
        return [n for n in [self.name, self.name_zh, self.name_en, self.name_ja, *self.aliases] if n]

    @property
    def source_record(self) -> Source:
        return Source(*self._source_fields())

    def source_dict(self) -> dict:
        """``source_record.to_dict()`` without building the record (a register has a million rows)."""
        return source_dict(*self._source_fields())

    def _source_fields(self) -> tuple[str, str, str, int]:
        name = _file_name(self.path)
        return self.source or f"{name}:{self.line}", self.quote, name, self.line


@lru_cache(maxsize=64)
def _file_name(path: str) -> str:
    return Path(path).name


def _suggest(value: str, choices: list[str]) -> str:
    best = process.extractOne(value, choices)
    return f" (did you mean {best[0]!r}?)" if best and best[1] >= 60 else ""


class RosterRows(list):
    """The rows of one roster (a plain list of :class:`RosterRow`) with what was cleaned at the door.

    ``notes`` lists :class:`loaders.clean.CleanNote` records (file, line, field, what was removed); ``sha256`` is the
    hash of the roster's text, so the same file uploaded twice can be counted once.
    """

    notes: list
    sha256: str = ""


def _decode_roster(data: bytes, path) -> str:
    from .clean import check_size

    check_size(len(data), path, "roster")
    nul = data.find(b"\x00")
    if nul >= 0:  # a spreadsheet file, or UTF-16 without a BOM
        raise InputError("the file contains NUL bytes, so it is not a CSV text (a spreadsheet file, or UTF-16?); "
                         "save it as \"CSV UTF-8\"", path=path, line=data[:nul].count(b"\n") + 1)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError("roster is not UTF-8; save it as UTF-8 (with or without BOM)", path=path, line=line) from None


def read_roster(path, catalogue: Catalogue) -> list[RosterRow]:
    """Read and validate a roster CSV; raises :class:`InputError` naming file, line, field and the valid values.

    Only a regular file up to the input limit is read (see :func:`loaders.clean.read_input`).
    """
    return read_roster_folded(path, catalogue)[0]


def read_roster_folded(path, catalogue: Catalogue) -> tuple[RosterRows, list[str] | None]:
    """:func:`read_roster`, and the folds of the rows' names (:meth:`RosterRow.names`, row after row) when reading
    them folded them already (a plain roster's names are folded to check them against reserved names), else None:
    :func:`merge_rosters` takes them instead of folding a million names again."""
    from .clean import path_text, read_input

    path = Path(path)
    return _parse_roster(_decode_roster(read_input(path, "roster"), path), catalogue, path_text(path))


def parse_roster_bytes(data: bytes, catalogue: Catalogue, name: str) -> RosterRows:
    """Validate an uploaded roster file's bytes (UTF-8 with or without BOM; ``name`` names it in errors)."""
    return parse_roster(_decode_roster(data, name), catalogue, name)


def unique_uploads(files) -> tuple[list[tuple[str, bytes]], list[str]]:
    """``(name, bytes)`` pairs without repeats of the same content (sha256), and a note for each one dropped.

    Examples
    --------
    >>> unique_uploads([("a.csv", b"name,region"), ("b.csv", b"name,region")])
    ([('a.csv', b'name,region')], ['b.csv: same content as a.csv; counted once'])
    """
    seen: dict[str, str] = {}
    kept, notes = [], []
    for name, data in files:
        digest = hashlib.sha256(data).hexdigest()
        if digest in seen:
            notes.append(f"{name}: same content as {seen[digest]}; counted once")
            continue
        seen[digest] = name
        kept.append((name, data))
    return kept, notes


_CSV_PROBLEMS = {
    "unexpected end of data": "a quoted cell that starts in this row is never closed (an unbalanced \"); close the "
                              "quote or remove it",
    "field larger than field limit": "a cell is longer than {limit:,} characters, usually because a quote (\") is "
                                     "never closed; close the quote or shorten the cell",
    "expected after": "a quote (\") inside a cell must be doubled (\"\") or the whole cell quoted",
    "line contains nul": "the file contains NUL bytes, so it is not a CSV text (a spreadsheet file?); save it as "
                         "\"CSV UTF-8\"",
}
# Cells that hold one value; a line break in one means a quote was left open and swallowed the rows after it.
_ONE_LINE = ("name", "name_zh", "name_en", "name_ja", "segments", "region", "source", "type", "aliases", "uncertain")


def _csv_error(exc: csv.Error, path, line: int) -> InputError:
    text = str(exc)
    for key, message in _CSV_PROBLEMS.items():
        if key in text.lower():
            return InputError(message.format(limit=csv.field_size_limit()), path=path, line=line)
    return InputError(f"malformed CSV ({text}); check the quotes and separators of this row", path=path, line=line)


def _reserved_names(catalogue: Catalogue) -> dict[str, object]:
    """Folded names of chain segments, stages and places: no roster organisation may be called that."""
    out: dict[str, object] = {}
    reserved = set(catalogue.types_with("segment") + catalogue.types_with("stage") + catalogue.types_with("place"))
    for e in catalogue.entities.values():
        if e.type in reserved and e.type not in catalogue.types_with("roster"):
            for n in e.all_names():
                out.setdefault(fold(n).strip(), e)
    return out


def _lines(text: str):
    """The lines of ``text`` with their ends, as ``io.StringIO(text, newline="")`` gives them to the csv module, but
    without its copy of the whole text at four bytes a character (550 MB for a million-row roster): when every
    carriage return is part of a CRLF, its lines end at each newline; otherwise StringIO splits them."""
    if "\r" in text and text.count("\r") != text.count("\r\n"):  # a bare CR ends a line too
        yield from io.StringIO(text, newline="")
        return
    find, start, n = text.find, 0, len(text)
    while start < n:
        end = find("\n", start) + 1
        if not end:
            yield text[start:]
            return
        yield text[start:end]
        start = end


def _sha256(text: str) -> str:
    """sha256 of the UTF-8 of ``text``, encoded a megabyte of characters at a time (not all at once)."""
    h = hashlib.sha256()
    for i in range(0, len(text), 1 << 20):
        h.update(text[i:i + (1 << 20)].encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _segments_of(cell: str, catalogue: Catalogue, path, line: int) -> list[str]:
    """The segment ids of a ``segments`` cell (ids or names in any language, ";"-separated); an unknown one is an
    :class:`InputError` at ``path``, ``line`` with the valid ids."""
    segments = []
    for s in filter(None, (x.strip() for x in cell.split(";"))):
        sid = catalogue.resolve(s, types=("Segment",)) or catalogue.resolve(f"segment:{s}", types=("Segment",))
        if sid is None:
            segment_ids = [e.id.split(":", 1)[1] for e in catalogue.segments()]
            raise InputError(f"unknown segment {s!r}{_suggest(s, segment_ids)}; valid segment ids: "
                             + ", ".join(segment_ids) + " (or their names in English, Chinese or Japanese)",
                             path=path, line=line, field="segments")
        segments.append(sid)
    return segments


def _region_of(cell: str, catalogue: Catalogue, path, line: int) -> str:
    """The place id of a non-empty ``region`` cell: a region or cluster of data/ by id or name, else any place of the
    gazetteer (深圳市南山区, Hangzhou, 広東省); an unknown or ambiguous one is an :class:`InputError`."""
    region = catalogue.resolve(cell, types=catalogue.types_with("place"))
    if region is None:
        try:
            region = resolve_place(cell, catalogue)
        except AmbiguousPlace as exc:
            raise InputError(str(exc), path=path, line=line, field="region") from exc
    if region is None:
        region_ids = [e.id for e in catalogue.regions()]
        raise InputError(f"unknown region {cell!r}{_suggest(cell, region_ids)}; valid: " + ", ".join(region_ids)
                         + " (or their names in any language, or any place of data/gazetteer/; add others to "
                         "data/gazetteer/zones.yaml)", path=path, line=line, field="region")
    return region


def _parse_plain(text: str, catalogue: Catalogue, path, reserved: dict) -> tuple[RosterRows, list[str]] | None:
    """:func:`parse_roster` for a plain roster, a column at a time, and the folds of its rows' names (see
    :func:`read_roster_folded`); None when the roster is not plain.

    Plain: every record is one line with one cell per column (no blank line, no line break in a cell), no cell has
    anything to clean, every row has a name and every value is valid. Such a roster gives the same rows as the
    row-by-row reader, from one pass of the same csv module and checks over whole columns: each distinct type,
    segment, region or uncertain cell resolved once, the names checked against the reserved ones in one fold. Any
    other roster (and every bad one) goes row by row, which finds and reports its first problem.
    """
    reader = csv.reader(_lines(text), strict=True)
    try:
        records = list(reader)
    except csv.Error:
        return None
    if len(records) < 2 or reader.line_num != len(records):  # a record over several lines, or a blank line
        return None
    header = [h.strip() for h in records[0]]
    width = len(header)
    known = [k for k in header if k in ROSTER_COLUMNS or k in OPTIONAL_COLUMNS]
    if len(set(header)) != width or "name" not in header or set(map(len, records)) != {width}:
        return None
    columns = dict(zip(header, zip(*records[1:])))
    del records
    n = len(columns["name"])
    for k in known:  # printable (str.isprintable, as each cell is checked row by row): nothing to clean
        if not "".join(columns[k]).isprintable():
            return None
    cell = {k: list(map(str.strip, columns[k])) for k in known}
    del columns
    empty = [""] * n

    def column(k):
        return cell.get(k, empty)

    names = cell["name"]
    if not all(names):  # an empty row (skipped) or a row without a name (an error): row by row
        return None
    try:
        alias_lists = list(map(_aliases_of, column("aliases")))
        # every row's names in RosterRow.names() order (the aliases as split above), folded once for this check and
        # for merge_rosters
        checked = [n for name, zh, en, ja, aliases in zip(names, column("name_zh"), column("name_en"),
                                                            column("name_ja"), alias_lists)
                   for n in (name, zh, en, ja, *aliases) if n]
        folds = fold_many(checked)
        del checked
        if not reserved.keys().isdisjoint(map(str.strip, folds)):
            return None
        roster_types = catalogue.types_with("roster")
        type_of = {c: _type_of(c) for c in set(column("type"))}
        if not set(type_of.values()) <= set(roster_types):
            return None
        uncertain_of = {c: _uncertain_of(c) for c in set(column("uncertain"))}
        segments_of = {c: _segments_of(c, catalogue, path, 0) for c in set(column("segments"))}
        regions_of = {c: _region_of(c, catalogue, path, 0) if c else None for c in set(column("region"))}
    except InputError:
        return None
    if None in uncertain_of.values():
        return None
    rows = RosterRows()
    rows.notes = []
    rows.sha256 = _sha256(text)
    rows.extend(map(
        RosterRow, repeat(str(path)), range(2, n + 2), names, column("name_zh"), column("name_en"), column("name_ja"),
        map(type_of.__getitem__, column("type")), [list(segments_of[c]) for c in column("segments")],
        map(regions_of.__getitem__, column("region")), column("source"), alias_lists,
        map(uncertain_of.__getitem__, column("uncertain")),
        list(map(_note_of, column("note"), column("district_as_stated"))), column("quote")))
    return rows, folds


def parse_roster(text: str, catalogue: Catalogue, path="<roster>") -> RosterRows:
    """Validate roster rows from CSV text (``path`` names it in errors).

    Cells lose invisible and control characters (:mod:`loaders.clean`; reported in ``rows.notes`` and as
    :class:`loaders.clean.InputWarning`). Malformed CSV (an unbalanced quote, a cell over the size limit, NUL bytes),
    a line break inside a one-line cell and an organisation named like a chain segment, stage or place are refused
    with the file, line and field.
    """
    return _parse_roster(text, catalogue, path)[0]


def _parse_roster(text: str, catalogue: Catalogue, path) -> tuple[RosterRows, list[str] | None]:
    """:func:`parse_roster`, and the folds of the rows' names if a plain roster's reading made them."""
    from .clean import clean_field, warn_all

    # newline="": the csv module splits lines itself, so CRLF, LF and bare CR (old Excel for Mac) all work.
    reader = csv.DictReader(_lines(text), strict=True)
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        raise _csv_error(exc, path, 1) from None
    header = [h.strip() for h in (fieldnames or [])]
    if "name" not in header:
        raise InputError("the header has no 'name' column; columns are: " + ", ".join(ROSTER_COLUMNS + OPTIONAL_COLUMNS),
                         path=path, line=1, field="name")
    reader.fieldnames = header
    reserved = _reserved_names(catalogue)
    plain = _parse_plain(text, catalogue, path, reserved)
    if plain is not None:
        return plain
    known = set(ROSTER_COLUMNS + OPTIONAL_COLUMNS)
    rows = RosterRows()
    rows.notes = notes = []
    rows.sha256 = _sha256(text)
    # Per-file work done once, not per row (a register has a million rows): the roster types, and each distinct
    # segment or region cell resolved once.
    roster_types = catalogue.types_with("roster")
    segment_cells: dict[str, list[str]] = {}
    region_cells: dict[str, str] = {}
    path_text = str(path)
    line = 1
    records = iter(reader)
    # Names are checked against the reserved ones a few thousand rows at a time, each batch folded in one call (a
    # register has a million rows); an error found later first checks the rows before it, so the first one is shown.
    pending: list[tuple[int, str, str]] = []  # (line, column, name)

    def check_reserved() -> None:
        batch = pending[:]
        pending.clear()
        for (at, col, n), f in zip(batch, fold_many([n for _, _, n in batch])):
            hit = reserved.get(f.strip())
            if hit is not None:
                where = "'region' column" if hit.type == "Region" else "'segments' column"
                raise InputError(f"{n.strip()!r} is the name of the {hit.type.lower()} {hit.id!r}, not of an "
                                 f"organisation; give the organisation's own name and put {n.strip()!r} in the "
                                 f"{where}", path=path, line=at, field=col)

    try:
        while True:
            record_start = reader.line_num + 1  # a quoted cell may span lines: errors point where the row starts
            try:
                raw = next(records)
            except StopIteration:
                break
            except csv.Error as exc:
                raise _csv_error(exc, path, record_start) from None
            line = reader.line_num
            if None in raw:
                raise InputError(f"this row has more cells than the header has columns ({len(header)})", path=path,
                                 line=line)
            # A row read from one physical line has no line break in any cell; a row over several lines has one.
            # Everything cleaning removes is unprintable, so a printable cell (str.isprintable, in C) is left as it is.
            multiline = line != record_start
            for k, v in raw.items():
                if v and k in known:
                    if multiline and k in _ONE_LINE and ("\n" in v or "\r" in v):
                        raise InputError("this cell has a line break: usually a quote (\") left open that swallowed "
                                         "the rows after it; close the quote, or remove the line break",
                                         path=path, line=record_start, field=k)
                    if not v.isprintable():
                        raw[k] = clean_field(v, notes, path, record_start, k)
            cell = {k: v.strip() for k, v in raw.items() if v}
            if not any(cell.get(k) for k in header):
                continue
            get = cell.get
            name = get("name", "")
            if not name:
                raise InputError("'name' is empty; every row needs a name", path=path, line=line, field="name")
            alias_cell = get("aliases", "")
            checked = [(col, get(col, "")) for col in ("name", "name_zh", "name_en", "name_ja")]
            checked += [("aliases", n) for n in alias_cell.split(";")] if alias_cell else []
            pending.extend((line, col, n) for col, n in checked if n.strip())
            if len(pending) >= 16384:
                check_reserved()
            typ = _type_of(get("type", ""))
            if typ not in roster_types:
                raise InputError(f"unknown type {typ!r}{_suggest(typ, list(roster_types))}; valid: "
                                 + ", ".join(roster_types), path=path, line=line, field="type")
            seg_cell = get("segments", "")
            segments = segment_cells.get(seg_cell)
            if segments is None:
                segments = segment_cells[seg_cell] = _segments_of(seg_cell, catalogue, path, line)
            region = None
            region_cell = get("region")
            if region_cell:
                region = region_cells.get(region_cell)
                if region is None:
                    region = region_cells[region_cell] = _region_of(region_cell, catalogue, path, line)
            unc = _uncertain_of(get("uncertain", ""))
            if unc is None:
                raise InputError(f"'uncertain' must be true or false, not {get('uncertain').lower()!r}", path=path,
                                 line=line, field="uncertain")
            rows.append(RosterRow(
                path_text, line, name, get("name_zh", ""), get("name_en", ""), get("name_ja", ""), typ,
                list(segments), region, get("source", ""),
                _aliases_of(alias_cell), unc, _note_of(get("note", ""), get("district_as_stated", "")),
                get("quote", "")))
    except InputError:
        check_reserved()  # a reserved name in an earlier row is the first error
        raise
    check_reserved()
    warn_all(notes)
    return rows, None


_LATIN = re.compile("[A-Za-z]")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_NOT_SLUG_OR_NUL = re.compile(r"[^a-z0-9\x00]+")
_LOWER = re.compile("[a-z]")


def _base_name(row: RosterRow) -> str:
    """The name a new entity's id is made of: the row's name if it has Latin letters, else its English name."""
    return row.name if _LATIN.search(row.name) else (row.name_en or row.name)


def _slugs(rows: list[RosterRow], folded_bases: list[str]) -> list[str]:
    """The id slug of each row from the fold of its :func:`_base_name` (the runs of other characters than a-z and 0-9
    replaced in one pass over the NUL-joined folds), or a hash of its Chinese name when that has no Latin letter."""
    joined = "\x00".join(folded_bases)
    if folded_bases and joined.count("\x00") == len(folded_bases) - 1:
        parts = _NOT_SLUG_OR_NUL.sub("_", joined).split("\x00")
    else:
        parts = [_NOT_SLUG.sub("_", f) for f in folded_bases]
    slugs = []
    for row, slug in zip(rows, parts):
        slug = slug.strip("_")
        if not slug or not _LOWER.search(slug):
            slug = "org_" + hashlib.sha1((row.name_zh or row.name).encode("utf-8")).hexdigest()[:10]
        slugs.append(slug[:60])
    return slugs


def _free_id(slug: str, taken, tried: dict[str, int] | None) -> str:
    """A free id for a new roster entity: ``slug`` (:func:`_slugs`), else ``slug_2``, ``slug_3``, ... if taken.

    ``tried`` remembers per slug the first suffix not yet known to be taken: ids are never given back, so the search
    resumes there, and a thousand firms whose names slug alike ("株式会社…AI" -> ``ai``) cost linear, not quadratic,
    time. The ids are the same as searching from ``_2`` each time.
    """
    if slug not in taken:
        return slug
    n = tried.get(slug, 2) if tried is not None else 2
    candidate = f"{slug}_{n}"
    while candidate in taken:
        n += 1
        candidate = f"{slug}_{n}"
    if tried is not None:
        tried[slug] = n + 1  # the caller takes this one
    return candidate


def merge_rosters(catalogue: Catalogue, rows: list[RosterRow], assignments: bool = True, folds=None
                  ) -> tuple[dict[str, Entity], dict[str, str]]:
    """Entities after merging roster rows into the catalogue.

    A row whose name, Chinese, English or Japanese name or alias is already known (exactly, after folding, or by
    :func:`org_key`) merges into that entity: its names become aliases, its segments and region become roster facts
    with the row's source. Other rows become new entities. Returns ``(entities, row_key -> entity id)`` where the key
    is ``"path:line"`` (empty with ``assignments=False``: a million keys nobody reads in a build). The catalogue
    itself is not changed. ``rows`` is read once, in order (an iterator that lets go of each row will do); so is
    ``folds`` when given: the folds of the rows' names, row after row (:func:`read_roster_folded`).
    """
    entities = {eid: _copy(e) for eid, e in catalogue.entities.items()}
    exact: dict[str, str] = {}  # folded name -> entity id
    loose: dict[str, str] = {}  # org_key -> entity id
    roster_types, rules = set(catalogue.types_with("roster")), _rules_of(catalogue.analysis["names"])
    for e in entities.values():
        if e.type not in roster_types:
            continue  # a roster lists organisations: "Zhangjiang Group" is not the region Zhangjiang
        for n in e.all_names():
            f = fold(n)
            exact.setdefault(f, e.id)
            loose.setdefault(_org_key(f, rules), e.id)
    assigned: dict[str, str] = {}
    tried: dict[str, int] = {}
    rows = iter(rows)
    folds = None if folds is None else iter(folds)
    while batch := list(islice(rows, _MERGE_BATCH)):
        # a short batch is the last: its new names are looked up by no later row, so not registered (millions of dict
        # inserts); a full one registers them, needlessly only when it happens to be the last
        _merge_batch(batch, entities, exact, loose, rules, tried, assigned if assignments else None,
                     len(batch) == _MERGE_BATCH, folds)
    return entities, assigned


# Rows merged at once: their names folded, keyed and looked up a column at a time. Only names of earlier batches go
# into the lookup dicts (millions of inserts into dicts of millions), so fewer, larger batches cost less: a roster of
# up to a million rows is one batch (measured at 300,000 rows, 3 runs alternating: 32,768 rows a batch 12.9 s,
# 262,144 rows 10.0 s, one batch 9.1 s CPU).
_MERGE_BATCH = 1 << 20


def _merge_batch(batch: list[RosterRow], entities: dict[str, Entity], exact: dict[str, str], loose: dict[str, str],
                 rules, tried: dict[str, int], assigned: dict[str, str] | None, register: bool = True,
                 folds=None) -> None:
    """Merge ``batch`` as :func:`merge_rosters` would merge row after row, then (``register``) its new names.

    Which entity each row joins is found for the whole batch at once (:func:`_batch_targets`); only building the
    entities goes row by row.
    """
    names_of = [row.names() for row in batch]
    counts = list(map(len, names_of))
    total = sum(counts)
    folded = fold_many(list(chain.from_iterable(names_of))) if folds is None else list(islice(folds, total))
    if len(folded) != total:
        raise ValueError("merge_rosters: fewer folds than the rows have names")
    owner = np.repeat(np.arange(len(batch)), counts)  # the batch row of each name
    targets, new_folds, new_keys = _batch_targets(folded, owner, len(batch), exact, loose, rules)
    fresh = [r for r, target in enumerate(targets) if target is None]  # the rows that make new entities
    starts = np.cumsum([0, *counts[:-1]]).tolist()
    slugs = iter(_slugs([batch[r] for r in fresh],
                        [folded[starts[r] + names_of[r].index(_base_name(batch[r]))] for r in fresh]))
    del folded, owner
    if not register:
        new_folds = new_keys = None
    eids: list[str] = []
    # Rows (and their name lists) are let go as they merge: with a batch of a million rows, the entities are not
    # built while every row is still held.
    batch.reverse()
    names_of.reverse()
    pop_row, pop_names = batch.pop, names_of.pop
    for target in targets:
        row, names = pop_row(), pop_names()
        if target is None:
            eid = next(slugs)
            if eid in entities:  # taken (the dict itself holds the ids taken so far): the next free one
                eid = _free_id(eid, entities, tried)
            ascii_name = row.name.isascii()
            en = row.name_en or (row.name if ascii_name else "")
            zh = row.name_zh or ("" if ascii_name else row.name)
            ja = row.name_ja
            aliases = dict.fromkeys(names)  # the names but the three given ones, once each, in order
            aliases.pop(en, None)
            aliases.pop(zh, None)
            aliases.pop(ja, None)
            ent = entities[eid] = Entity(eid, row.type, en, zh, ja, list(aliases), origin="roster")
        else:
            eid = target if type(target) is str else eids[target]
            ent = entities[eid]
            known = set(ent.all_names())
            ent.aliases.extend([n for n in dict.fromkeys(names) if n not in known])
        eids.append(eid)
        src = row.source_dict()  # the plain dict the graph stores, shared by the entity and its facts
        ent.sources.append(src)
        if row.segments:
            ent.segments.extend([Fact(sid, "roster", src) for sid in row.segments])
        if row.region:
            ent.located_in.append(Fact(row.region, "roster", src))
        if row.uncertain:
            ent.attrs["uncertain"] = True
        if row.note:
            ent.attrs.setdefault("roster_notes", []).append(row.note)
        if assigned is not None:
            assigned[f"{row.path}:{row.line}"] = eid
    if not register:
        return
    # The batch's new folds and keys go to the entity of the first row that brought them, as row by row.
    folds, rows = new_folds
    exact.update(zip(folds, map(eids.__getitem__, rows)))
    keys, rows = new_keys
    loose.update(zip(keys, map(eids.__getitem__, rows)))


def _firsts(codes):
    """Where each code of :func:`pandas.factorize` first occurs (codes are numbered in order of appearance)."""
    if not len(codes):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, codes[1:] > np.maximum.accumulate(codes)[:-1]])


def _batch_targets(folded: list[str], owner, rows: int, exact: dict[str, str], loose: dict[str, str], rules):
    """Where each row of a batch merges, as the row-by-row merge decides it: the first of the row's names (in
    order) whose fold is known, exactly or else by its :func:`org_key`, from before the batch or from an earlier row
    of the batch.

    ``folded``: the folds of the batch's names, row after row; ``owner``: the row of each (an int array);
    ``rows``: how many rows. Returns ``(targets, (new folds, their first rows), (new keys, their first rows))``:
    per row an entity id known before the batch, the index of the earlier row whose entity it joins, or None (a new
    entity).
    """
    import pandas as pd  # here, not at the top: pandas costs a third of a second to import, and the app's restart
    # and the CLI's small commands read no roster

    codes, folds = pd.factorize(np.array(folded, dtype=object))  # each distinct fold once, in order of appearance
    folds = folds.tolist()
    fold_row = owner[_firsts(codes)]  # the first row with each fold
    prior = list(map(exact.get, folds))  # the entity of a fold known before the batch
    known = np.fromiter(map(is_not, prior, repeat(None)), bool, len(folds))
    new = np.flatnonzero(~known)
    new_folds = [folds[i] for i in new.tolist()]
    # A fold known before the batch has its key in ``loose`` already: keys only for the new folds.
    key_codes, keys = pd.factorize(np.array(_org_keys(new_folds, rules), dtype=object))
    keys = keys.tolist()
    key_row = fold_row[new][_firsts(key_codes)]  # the first row with each key (the folds come in row order)
    loose_prior = list(map(loose.get, keys))
    key_of = np.full(len(folds), -1, dtype=np.int64)
    key_of[new] = key_codes
    # Per name: its fold known before the batch or from an earlier row, or its key so.
    k = key_of[codes]
    has_key = k >= 0
    k = np.where(has_key, k, 0)
    key_before = np.fromiter(map(is_not, loose_prior, repeat(None)), bool, len(keys))
    hit = known[codes] | (fold_row[codes] < owner)
    if len(keys):
        hit |= has_key & (key_before[k] | (key_row[k] < owner))
    at = np.flatnonzero(hit)
    hit_rows, first = np.unique(owner[at], return_index=True)
    targets: list = [None] * rows
    for r, p in zip(hit_rows.tolist(), at[first].tolist()):
        c = int(codes[p])
        target = prior[c]
        if target is None:
            if fold_row[c] < r:
                target = int(fold_row[c])
            else:
                kc = int(key_of[c])
                target = loose_prior[kc]
                if target is None:
                    target = int(key_row[kc])
        targets[r] = target
    fresh = np.flatnonzero(~key_before)
    return (targets, (new_folds, fold_row[new].tolist()),
            ([keys[i] for i in fresh.tolist()], key_row[fresh].tolist()))


def _copy(e: Entity) -> Entity:
    return Entity(id=e.id, type=e.type, name_en=e.name_en, name_zh=e.name_zh, name_ja=e.name_ja,
                  aliases=list(e.aliases), segments=list(e.segments), located_in=list(e.located_in),
                  part_of=list(e.part_of), sources=list(e.sources), attrs=dict(e.attrs), origin=e.origin)
