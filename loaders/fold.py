"""Folding text for matching: NFKC, lower case, traditional and Japanese kanji to simplified Chinese.

Every character folds on its own, so offsets into the folded text map back to the original text: most characters
fold to exactly one character (identity offsets); the few that expand ("㈱" -> "(株)") are tracked in segments.
The variant table comes from OpenCC (jp2t then t2s), built once per process.

Examples
--------
>>> folded = fold_text("ＡｇｉＢｏｔ と 緑的諧波")
>>> folded.folded
'agibot と 绿的谐波'
>>> folded.to_original(0, 6)
(0, 6)
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

_CJK_RANGES = ((0x3400, 0xA000), (0xF900, 0xFB00))


@lru_cache(maxsize=1)
def _variant_map() -> dict[str, str]:
    import opencc

    chars = [chr(c) for lo, hi in _CJK_RANGES for c in range(lo, hi)]
    # One call over newline-separated characters: phrase rules cannot join across the newlines.
    converted = opencc.OpenCC("t2s").convert(opencc.OpenCC("jp2t").convert("\n".join(chars))).split("\n")
    return {a: b for a, b in zip(chars, converted) if a != b and len(b) == 1}


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[int, str], dict[str, str], re.Pattern]:
    variants = _variant_map()
    single: dict[int, str] = {}
    multi: dict[str, str] = {}
    for code in range(0x10000):
        if 0xD800 <= code < 0xE000:
            continue
        ch = chr(code)
        folded = unicodedata.normalize("NFKC", ch).lower()
        folded = "".join(variants.get(c, c) for c in folded)
        if ch in "\n\t\r\v\f":
            folded = " "  # a hard-wrapped name ("Development\nImplementation Plan") still matches
        if folded == ch:
            continue
        if len(folded) == 1:
            single[code] = folded
        else:
            multi[ch] = folded
    pattern = re.compile("[" + "".join(re.escape(c) for c in sorted(multi)) + "]")
    return single, multi, pattern


@lru_cache(maxsize=1)
def _ascii_folds_alone() -> bool:
    """True when no ASCII character expands: then an ASCII text (``str.isascii`` is a flag, not a scan) needs no
    search for expanding characters, a search that ``re`` makes one character at a time (7 ms per MB of English)."""
    return not any(c.isascii() for c in _tables()[1])


@lru_cache(maxsize=1)
def _code_table():
    """``single`` as a numpy array indexed by code point (every code point; unmapped ones map to themselves)."""
    import numpy as np  # a dependency of pandas

    table = np.arange(0x110000, dtype=np.uint32)
    single = _tables()[0]
    table[np.fromiter(single.keys(), dtype=np.uint32, count=len(single))] = np.fromiter(
        (ord(v) for v in single.values()), dtype=np.uint32, count=len(single))
    return table


_LONG = 4096  # characters from which one array lookup beats str.translate (measured: 8x on a roster's names)
_CHUNK = 1 << 20  # characters per array lookup


def _translate(text: str, single: dict[int, str]) -> str:
    """``text.translate(single)`` for characters that fold to one character. str.translate looks every
    non-ASCII character up in the dict as a new int object; a long text (the names of thousands of roster rows at
    once) goes through one numpy lookup over its UTF-32 code points instead (same result)."""
    if len(text) < _LONG or text.isascii():
        return text.translate(single)
    if len(text) > _CHUNK:  # a slice at a time: the UTF-32 copies of 60 million characters at once are a gigabyte
        return "".join([_translate(text[i:i + _CHUNK], single) for i in range(0, len(text), _CHUNK)])
    import numpy as np

    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return _code_table()[codes].tobytes().decode("utf-32-le", "surrogatepass")


def fold(text: str) -> str:
    """The folded form of ``text`` (no offsets); used for aliases, cue words and keys."""
    single, multi, pattern = _tables()
    if not multi or (text.isascii() and _ascii_folds_alone()) or pattern.search(text) is None:
        return _translate(text, single)  # the common case, without building a FoldedText (hot in builds)
    return fold_text(text).folded


def fold_many(texts: list[str]) -> list[str]:
    """``[fold(t) for t in texts]`` with one call for the lot: folding is character by character and NUL folds to
    itself, so the fold of the NUL-joined texts split at NUL is each text's fold (texts holding a NUL are folded
    one by one). A roster of a million rows folds its names this way in a fraction of the time.

    Examples
    --------
    >>> fold_many(["ＡｇｉＢｏｔ", "緑的諧波"])
    ['agibot', '绿的谐波']
    """
    if len(texts) < 2 or any("\x00" in t for t in texts):
        return [fold(t) for t in texts]
    return fold("\x00".join(texts)).split("\x00")


@dataclass
class FoldedText:
    """A text and its folded form, with the map from folded offsets back to original offsets."""

    original: str
    folded: str
    # Segments of the folded text: start in folded text, start in original, and whether it is one expanded char.
    _folded_starts: list[int] = field(default_factory=list)
    _original_starts: list[int] = field(default_factory=list)
    _expanded: list[bool] = field(default_factory=list)

    @property
    def is_identity(self) -> bool:
        """True when folded offsets are original offsets (no character expanded or shrunk)."""
        return not self._folded_starts

    def to_original_offset(self, i: int) -> int:
        """Original offset of the character at folded offset ``i``."""
        if not self._folded_starts:
            return i
        j = bisect_right(self._folded_starts, i) - 1
        if j < 0:
            return i
        if self._expanded[j]:
            return self._original_starts[j]
        return self._original_starts[j] + (i - self._folded_starts[j])

    def span(self, start: int, end: int) -> "FoldedText":
        """The folded form of ``original[start:end]`` (original offsets), from this text's fold when offsets are
        the identity, so a document is folded once and its sentences are slices of that fold."""
        if not self._folded_starts:
            return FoldedText(self.original[start:end], self.folded[start:end])
        # Most sentences of a text that has an expanding character ("…", "㈱") lie within one run of one-for-one
        # characters: their fold is a slice of this fold too, not a second fold.
        starts = self._original_starts
        j = bisect_right(starts, start) - 1
        if j >= 0 and not self._expanded[j] and (j + 1 == len(starts) or end <= starts[j + 1]):
            i = self._folded_starts[j] + start - starts[j]
            return FoldedText(self.original[start:end], self.folded[i:i + end - start])
        return fold_text(self.original[start:end])

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original span of the folded span ``[start, end)``."""
        if end <= start:
            o = self.to_original_offset(start)
            return o, o
        return self.to_original_offset(start), self.to_original_offset(end - 1) + 1


def fold_text(text: str) -> FoldedText:
    """Fold ``text`` and keep the offsets (see module docstring)."""
    single, multi, pattern = _tables()
    if not multi or (text.isascii() and _ascii_folds_alone()) or pattern.search(text) is None:
        return FoldedText(text, _translate(text, single))
    pieces: list[str] = []
    f_starts: list[int] = []
    o_starts: list[int] = []
    expanded: list[bool] = []
    pos = npos = 0
    for m in pattern.finditer(text):
        s = m.start()
        if s > pos:
            seg = _translate(text[pos:s], single)
            pieces.append(seg)
            f_starts.append(npos)
            o_starts.append(pos)
            expanded.append(False)
            npos += len(seg)
        rep = multi[text[s]]
        pieces.append(rep)
        f_starts.append(npos)
        o_starts.append(s)
        expanded.append(True)
        npos += len(rep)
        pos = s + 1
    if pos < len(text):
        pieces.append(_translate(text[pos:], single))
        f_starts.append(npos)
        o_starts.append(pos)
        expanded.append(False)
    return FoldedText(text, "".join(pieces), f_starts, o_starts, expanded)
