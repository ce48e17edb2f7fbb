"""Text cleaned once, at the door: what no export can hold and what makes two names look alike.

Names and metadata (roster cells, ``.meta.yaml`` values, upload titles) lose

- C0 and C1 control characters except tab, line feed and carriage return (XML 1.0 cannot hold C0 at all, so GraphML
  and GEXF with one are unreadable),
- the noncharacters U+FFFE and U+FFFF (also invalid in XML) and the other noncharacters (U+FDD0..U+FDEF, U+nFFFE/F),
- lone surrogates (no UTF-8 encoding exists for them, so JSON and every file writer fails),
- invisible format characters (Unicode category Cf: zero-width space, zero-width non-joiner, soft hyphen, BOM,
  bidirectional controls), which make look-alike names such as ``Agi\\u200bBot``. A zero-width joiner between two
  symbols (an emoji sequence such as 👩‍🔬) is kept.

Document texts keep their length, so every offset and quote still points into the text as decoded: the characters
that no file can hold (C0 controls, U+FFFE/U+FFFF, lone surrogates) become a space (U+FFFD for a surrogate), and
format characters stay (a quote must be the exact text).

Whatever is removed is reported, never silent: :class:`CleanNote` records (file, line, field, what) are returned
with the rows and issued as :class:`InputWarning`, which the command line prints on stderr.

Examples
--------
>>> clean_text("Agi\\u200bBot\\x07")
('AgiBot', ['U+200B ZERO WIDTH SPACE', 'U+0007 (control)'])
"""

from __future__ import annotations

import os
import re
import stat
import sys
import unicodedata
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import InputError

MAX_INPUT_ENV = "GRAPH_MAX_INPUT_MB"
DEFAULT_MAX_INPUT_MB = 50.0
_limit_override: list[float] = []

_KEEP = "\t\n\r"
_ZWJ = "\u200d"


class InputWarning(UserWarning):
    """Input was accepted after a change the user should know about (characters removed, a duplicate dropped)."""


@dataclass(frozen=True)
class CleanNote:
    """What was removed from one field: ``path:line: field 'x': removed ...``."""

    path: str | None
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = (self.path or "") + (f":{self.line}" if self.line is not None else "")
        parts = [where] if where else []
        if self.field:
            parts.append(f"field '{self.field}'")
        parts.append(self.message)
        return ": ".join(parts)


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern, re.Pattern]:
    """(characters removed from names and metadata, characters no file can hold)."""
    unsafe = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\ud800-\\udfff\\ufdd0-\\ufdef"
    nonchars = "".join(f"\\U{plane:04x}fffe\\U{plane:04x}ffff" for plane in range(0x11))
    # Category Cf, read from the running Python's Unicode tables (about 170 code points; planes 2-13 have none).
    fmt = [c for c in [*range(0x20000), *range(0xE0000, 0xE1000)]
           if unicodedata.category(chr(c)) == "Cf" and chr(c) not in _ZWJ]
    ranges, lo = [], None
    for i, c in enumerate(fmt):
        if lo is None:
            lo = c
        if i + 1 == len(fmt) or fmt[i + 1] != c + 1:
            ranges.append(f"\\U{lo:08x}" + (f"-\\U{c:08x}" if c != lo else ""))
            lo = None
    # A zero-width joiner counts as invisible unless it sits between two symbols (emoji sequences).
    names = re.compile(f"[{unsafe}{nonchars}{''.join(ranges)}]|(?<![\\U0001f000-\\U0001faff\\u2600-\\u27bf])\u200d"
                       "|\u200d(?![\\U0001f000-\\U0001faff\\u2600-\\u27bf])")
    # In document texts only what XML 1.0 or UTF-8 cannot hold at all (C1 controls and other noncharacters are legal).
    text = re.compile("[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\ud800-\\udfff\\ufffe\\uffff]")
    return names, text


_TEXT_BYTES_OK = bytes(c for c in range(256) if c >= 0x20 or c in b"\t\n\r")


def _document_text_is_clean(text: str) -> bool:
    """True when ``text`` has nothing :func:`clean_document_text` replaces: a check in C at ~1 GB/s, where a regex
    character class over the text runs at 60 MB/s."""
    try:
        data = text.encode("utf-8")  # a lone surrogate cannot be encoded
    except UnicodeEncodeError:
        return False
    # C0 bytes never occur inside a multi-byte UTF-8 sequence; U+FFFE and U+FFFF are EF BF BE and EF BF BF.
    return not data.translate(None, _TEXT_BYTES_OK) and b"\xef\xbf\xbe" not in data and b"\xef\xbf\xbf" not in data


def _describe(ch: str) -> str:
    cp = ord(ch)
    try:
        name = unicodedata.name(ch)
    except ValueError:
        name = "(lone surrogate)" if 0xD800 <= cp <= 0xDFFF else (
            "(control)" if unicodedata.category(ch) == "Cc" else "(noncharacter)")
        return f"U+{cp:04X} {name}"
    return f"U+{cp:04X} {name}"


def clean_text(value: str) -> tuple[str, list[str]]:
    """``value`` without invisible and unencodable characters, and what was removed (one entry per kind).

    Examples
    --------
    >>> clean_text("智元\\ufeff机器人")
    ('智元机器人', ['U+FEFF ZERO WIDTH NO-BREAK SPACE'])
    >>> clean_text("ok")
    ('ok', [])
    """
    if value.isprintable():  # no control, format, surrogate or unassigned character: nothing to remove (C speed)
        return value, []
    names, _ = _patterns()
    if names.search(value) is None:
        return value, []
    removed = list(dict.fromkeys(_describe(m.group()) for m in names.finditer(value)))
    return names.sub("", value), removed


def clean_document_text(text: str) -> tuple[str, int]:
    """A document text with characters no file can hold replaced one for one (so offsets stay), and how many.

    Examples
    --------
    >>> clean_document_text("a\\x0cb\\ud800")
    ('a b\\ufffd', 2)
    """
    if _document_text_is_clean(text):
        return text, 0
    _, unsafe = _patterns()
    count = 0

    def repl(m: re.Match) -> str:
        nonlocal count
        count += 1
        return "\ufffd" if 0xD800 <= ord(m.group()) <= 0xDFFF else " "

    return unsafe.sub(repl, text), count


def clean_field(value: str, notes: list[CleanNote], path=None, line: int | None = None,
                field: str | None = None) -> str:
    """:func:`clean_text` that appends a :class:`CleanNote` to ``notes`` when anything was removed."""
    cleaned, removed = clean_text(value)
    if removed:
        notes.append(CleanNote(None if path is None else str(path), line, field,
                               "removed invisible or control characters: " + ", ".join(removed)))
    return cleaned


def warn_all(notes) -> None:
    """Issue each note as an :class:`InputWarning` (the command line prints them on stderr)."""
    for note in notes:
        warnings.warn(str(note), InputWarning, stacklevel=3)


# ----------------------------------------------------------------------------------------------- reading input files
def path_text(path) -> str:
    """A path as text any file can hold: bytes of the file name that are not UTF-8 (which Python keeps as lone
    surrogates) become U+FFFD.

    Examples
    --------
    >>> path_text("/tmp/\\udcff.txt") == "/tmp/\\ufffd.txt"
    True
    """
    return os.fsencode(str(path)).decode("utf-8", "replace")


def max_input_bytes() -> int:
    """The largest input file or upload accepted, in bytes: ``--max-input-mb``, else ``$GRAPH_MAX_INPUT_MB``, else 50.

    Examples
    --------
    >>> with input_limit(2):
    ...     max_input_bytes()
    2097152
    """
    if _limit_override:
        mb = _limit_override[-1]
    else:
        raw = os.environ.get(MAX_INPUT_ENV, "").strip()
        try:
            mb = float(raw) if raw else DEFAULT_MAX_INPUT_MB
        except ValueError:
            raise InputError(f"must be a number of megabytes (MiB), not {raw!r}", path="environment",
                             field=MAX_INPUT_ENV) from None
        if not mb > 0:
            raise InputError(f"must be a positive number of megabytes (MiB), not {raw!r}", path="environment",
                             field=MAX_INPUT_ENV)
    return int(mb * 1024 * 1024)


@contextmanager
def input_limit(megabytes: float | None):
    """Within the block, accept inputs up to ``megabytes`` MiB (None: leave the limit as it is)."""
    if megabytes is None:
        yield
        return
    if not megabytes > 0:
        raise InputError(f"must be a positive number of megabytes, not {megabytes!r}", field="max-input-mb")
    _limit_override.append(float(megabytes))
    try:
        yield
    finally:
        _limit_override.pop()


def _mb(n: int) -> str:
    x = n / 2 ** 20
    return f"{x:,.0f}" if x >= 100 else f"{x:.3g}"


def check_size(size: int, path, what: str = "file") -> None:
    """Refuse ``size`` bytes above :func:`max_input_bytes`, saying how to raise the limit."""
    limit = max_input_bytes()
    if size > limit:
        raise InputError(f"the {what} is {_mb(size)} MB, more than the limit of {_mb(limit)} MB; split it, or raise "
                         f"the limit with --max-input-mb or {MAX_INPUT_ENV}", path=path)


def _read_up_to(fd: int, n: int) -> bytes:
    """``n`` bytes from the file descriptor ``fd``, or fewer at the end of the file (os.read may return less)."""
    data = os.read(fd, n)
    if 0 < len(data) < n:
        parts, got = [data], len(data)
        while got < n:
            more = os.read(fd, n - got)
            if not more:
                break
            parts.append(more)
            got += len(more)
        data = b"".join(parts)
    return data


def read_input(path, what: str = "file", limited: bool = True) -> bytes:
    """The bytes of a regular file no larger than :func:`max_input_bytes`; anything else is an :class:`InputError`.

    Devices (``/dev/zero`` never ends), FIFOs (a read blocks until a writer comes), directories and sockets are refused
    before they are opened. ``limited=False`` (the project's own data/ files) skips the size limit.
    """
    if not isinstance(path, Path):  # (a Path is taken as it is: making it again costs more than the stat)
        path = Path(path)
    try:
        st = os.stat(path)
    except OSError as exc:
        raise InputError(f"cannot read the {what}: {exc.strerror}; check the path", path=path) from None
    if not stat.S_ISREG(st.st_mode):
        kind = ("a directory" if stat.S_ISDIR(st.st_mode) else "a named pipe (FIFO)" if stat.S_ISFIFO(st.st_mode)
                else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
                else "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
        raise InputError(f"is {kind}, not a regular file; give the path of a {what}", path=path)
    limit = max_input_bytes() if limited else -1
    if limited and st.st_size > limit:
        check_size(st.st_size, path, what)
    try:
        if limited:
            # os.open/os.read rather than open(): no buffered file object for a read in one piece (a third of the
            # time of reading a 5 kB document). read(n) allocates n bytes first: asking for the size seen (plus one,
            # to see growth) rather than the limit saves a 50 MB allocation per file; a file growing while it is
            # read still stops at the limit
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0))
            try:
                data = _read_up_to(fd, min(st.st_size, limit) + 1)
                if len(data) > st.st_size:
                    data += _read_up_to(fd, limit + 1 - len(data))
            finally:
                os.close(fd)
        else:
            with open(path, "rb") as fh:
                data = fh.read()
    except OSError as exc:
        raise InputError(f"cannot read the {what}: {exc.strerror}", path=path) from None
    if limited and len(data) > st.st_size:  # it grew
        check_size(len(data), path, what)
    return data
