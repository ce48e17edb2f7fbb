"""Finding every alias of every entity in a text with one Aho-Corasick automaton (pyahocorasick).

Leftmost-longest, non-overlapping matches on the folded text (script variants, width and case folded); Latin aliases
only match at word boundaries. Stop phrases are matched like aliases and dropped, so they shadow aliases inside them.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable
from itertools import repeat

import ahocorasick

from .fold import fold, fold_many
from .records import Entity, Mention
from .text import Document

_WORD = re.compile(r"[0-9a-z]")
_STOP = "\x00stop"
_DOMAIN_DOTS = {"." + c for c in "abcdefghijklmnopqrstuvwxyz"}


_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _is_word_char(ch: str) -> bool:
    return bool(ch) and (ch.isascii() and (ch.isalnum() or ch == "_"))


def _shape(key: str) -> int:
    """A key's length and whether its first and last characters are ASCII word characters (Latin names match only
    at word boundaries), as one int: ``length << 2 | starts_with_word << 1 | ends_with_word``."""
    return (len(key) << 2) | ((key[0] in _WORD_CHARS) << 1) | (key[-1] in _WORD_CHARS)


def _chunks(items: Iterable, size: int):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_GRAM_SIZES = (2, 4, 8)  # several sizes: CJK names part from a text after a few characters, Latin ones after a word
_GRAM_BASE = 0x9E3779B97F4A7C15  # an odd 64-bit multiplier for the rolling hash


def _code_points(texts: list[str]):
    import numpy as np  # a dependency of pandas

    joined = "\x00".join(texts).encode("utf-32-le", "surrogatepass")
    return np.frombuffer(joined, dtype=np.uint32).astype(np.uint64)


def _gram_hashes(codes, q: int):
    """A 64-bit hash of every window of ``q`` code points (a rolling product, then mixed so that the top bits depend
    on every code point of the window)."""
    import numpy as np

    n = len(codes) - q + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    h = codes[:n].copy()
    for j in range(1, q):
        h *= np.uint64(_GRAM_BASE)
        h += codes[j:j + n]
    h ^= h >> np.uint64(31)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(29)
    return h


_GRAM_BITS = 27  # 2**27 bits (16 MB) per gram size: a bit per hash prefix


class TextGrams:
    """The character q-grams of the texts a matcher will search, as a bit per hash prefix, to cut the keys that
    cannot occur in them (:meth:`cut`). A shared bit (two grams, one prefix) can only make a gram look present, which
    keeps a key longer than needed, never shorter: the cut stays exact."""

    def __init__(self, texts: Iterable[str]):
        import numpy as np

        codes = _code_points(list(texts))
        self._bits = {}
        for q in _GRAM_SIZES:
            slot = _gram_hashes(codes, q) >> np.uint64(64 - _GRAM_BITS)
            bits = np.zeros(1 << (_GRAM_BITS - 3), dtype=np.uint8)
            np.bitwise_or.at(bits, (slot >> np.uint64(3)).astype(np.intp),
                             np.left_shift(1, (slot & np.uint64(7)).astype(np.uint8)).astype(np.uint8))
            self._bits[q] = bits

    def cut(self, keys: list[str]) -> list[int]:
        """Per key, the length of its shortest prefix that holds a q-gram the texts lack (then neither that prefix
        nor any longer one occurs in them), or the key's own length."""
        import numpy as np

        if not keys:
            return []
        lengths = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
        starts = np.zeros(len(keys), dtype=np.int64)
        np.cumsum(lengths[:-1] + 1, out=starts[1:])
        ends = starts + lengths
        codes = _code_points(keys)
        key_of = np.repeat(np.arange(len(keys)), lengths + 1)[:len(codes)]
        best = lengths.copy()
        for q, bits in self._bits.items():
            windows = _gram_hashes(codes, q)
            if not len(windows):
                continue
            slot = windows >> np.uint64(64 - _GRAM_BITS)
            missing = (bits[(slot >> np.uint64(3)).astype(np.intp)] >> (slot & np.uint64(7)).astype(np.uint8)) & 1 == 0
            owner = key_of[:len(windows)]
            missing &= np.arange(len(windows)) + q <= ends[owner]  # windows inside one key only
            at = np.flatnonzero(missing)
            if len(at):  # the first missing window of each key (``at`` is in order, so are its owners)
                owner_at = owner[at]
                first = np.flatnonzero(np.concatenate(([True], owner_at[1:] != owner_at[:-1])))
                keys_cut = owner_at[first]
                best[keys_cut] = np.minimum(best[keys_cut], at[first] - starts[keys_cut] + q)
        return best.tolist()


class AliasMatcher:
    """An automaton over the names and aliases of ``entities``.

    Parameters
    ----------
    entities : iterable of Entity
        Earlier entities win when two share an alias.
    stop_phrases : iterable of str
        Phrases that name nothing but contain an alias.
    texts : iterable of str, optional
        The folded texts (``doc.folded.folded``) that :meth:`find` will be given, when known: then a key with a
        q-gram none of them has is cut to its shortest such prefix and kept without an owner. Every trie state the
        search of these texts can reach, and its links, stays as it was, so :meth:`find` returns exactly what the
        full automaton would, from a fraction of the trie (a million-row roster: a few million states instead of
        34 million). Such a matcher refuses other texts.

    Examples
    --------
    >>> from loaders.records import Entity
    >>> from loaders.text import document_from_text
    >>> m = AliasMatcher([Entity("agibot", "Company", "AgiBot", "智元机器人", aliases=["Zhiyuan Robotics"])])
    >>> [x.quote for x in m.find(document_from_text("智元機器人 and AGIBOT, not AgiBots.", "d"))]
    ['智元機器人', 'AGIBOT']
    """

    def __init__(self, entities: Iterable[Entity], stop_phrases: Iterable[str] = (), texts: Iterable[str] | None = None):
        # The automaton is its own table of owners: the first to add a key keeps it (stop phrases, then entities in
        # order), checked with exists(); no dict of every key beside it (half a gigabyte with a 1M-row roster). Its
        # value is the key's number (STORE_INTS: no Python object per key), which indexes two int arrays: the
        # owner's index in ``_owners`` and the key's _shape.
        self._automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        self._owners: list[str] = [_STOP]  # index 0: the stop phrases
        self._key_owner = array("i")
        self._key_shape = array("i")
        self._texts = None if texts is None else frozenset(texts)
        self._grams = None if texts is None else TextGrams(self._texts)
        stops = [k for k in map(fold, stop_phrases) if k]
        self._put(stops, [0] * len(stops))
        self._add(entities)

    def _put(self, keys: list[str], owners_of: list[int], before: frozenset[str] | set[str] = frozenset()) -> None:
        """Add ``keys`` in order, the i-th owned by ``owners_of[i]``; a key already there keeps its owner unless that
        is in ``before``. With texts, a key that cannot occur in them is added as its cut prefix, without an owner
        (0, like a stop phrase: never reported, as it never occurs)."""
        automaton, owners, key_owner, key_shape = self._automaton, self._owners, self._key_owner, self._key_shape
        exists, get, add_word = automaton.exists, automaton.get, automaton.add_word
        cuts = self._grams.cut(keys) if self._grams is not None else repeat(1 << 62)
        for key, owner, cut in zip(keys, owners_of, cuts):
            if cut < len(key):
                key, owner = key[:cut], 0
            if not exists(key):
                add_word(key, len(key_owner))
                key_owner.append(owner)
                key_shape.append(_shape(key))
            elif before and owner and owners[key_owner[get(key)]] in before:
                key_owner[get(key)] = owner  # the key passes to the new owner (same key, same shape)

    def _add(self, entities: Iterable[Entity], before: frozenset[str] | set[str] = frozenset()) -> None:
        owners = self._owners
        for chunk in _chunks(entities, 4096):  # names folded a few thousand entities at a time, in one call each
            named = [(len(owners) + i, n) for i, ent in enumerate(chunk) for n in ent.all_names()]
            owners.extend(ent.id for ent in chunk)
            keys, key_owners = [], []
            for (idx, _), key in zip(named, fold_many([n for _, n in named])):
                key = key.strip()
                if len(key) < 2 and not _WORD.search(key):
                    continue  # a single CJK character is too ambiguous to be a name
                keys.append(key)
                key_owners.append(idx)
            self._put(keys, key_owners, before)
        automaton = self._automaton
        self._size = len(automaton)
        if self._size:
            automaton.make_automaton()

    def add(self, entities: Iterable[Entity], before: frozenset[str] | set[str] = frozenset()) -> None:
        """Add the names of more ``entities``, as if they had been listed after the first ones but before the
        entities in ``before`` (their keys pass to the new owner); the automaton is made again.

        ``AliasMatcher(first + more + last)`` equals ``AliasMatcher(first + last)`` followed by
        ``.add(more, before={ids of last})``, without folding and adding a million names again.
        """
        self._add(entities, before)

    @property
    def owner(self) -> dict[str, str]:
        """Folded alias -> the entity id that owns it (stop phrases: an internal marker); computed on demand."""
        owners = self._owners
        key_owner = self._key_owner
        return {key: owners[key_owner[k]] for key, k in self._automaton.items()}

    def __len__(self) -> int:
        return self._size

    def find(self, doc: Document) -> list[Mention]:
        """Every mention in ``doc``, with sentence index, original span and exact quote."""
        if not self._size or not doc.sentences:  # a document without sentences is blank
            return []
        ft = doc.folded
        if self._texts is not None and ft.folded not in self._texts:
            raise ValueError(f"this matcher was built for other texts than document {doc.id!r}; build one for it")
        folded, text, doc_id, sentences = ft.folded, doc.text, doc.id, doc.sentences
        to_original = None if ft.is_identity else ft.to_original
        word, owners, key_owner, key_shape, n = _WORD_CHARS, self._owners, self._key_owner, self._key_shape, len(folded)
        out = []
        j, last = 0, len(sentences) - 1
        beyond = len(text) + 1
        next_start = sentences[1].start if last else beyond
        # One pass per match (word boundaries, offsets, sentence, record): this loop sets the throughput.
        for end_idx, k in self._automaton.iter_long(folded):
            owner = key_owner[k]
            if not owner:
                continue  # a stop phrase
            shape = key_shape[k]
            start, end = end_idx - (shape >> 2) + 1, end_idx + 1
            if shape & 2 and start > 0 and (folded[start - 1] in word or folded[start - 1] in "./@"):
                continue  # inside a word, or part of a web address (japanese.shanghai.gov.cn)
            if shape & 1 and end < n and (folded[end] in word or folded[end:end + 2] in _DOMAIN_DOTS):
                continue
            if to_original is not None:
                start, end = to_original(start, end)
            if start >= next_start:  # matches come in text order, so the sentence pointer only moves on
                while j < last and sentences[j + 1].start <= start:
                    j += 1
                next_start = sentences[j + 1].start if j < last else beyond
            out.append(Mention(owners[owner], doc_id, j, start, end, text[start:end]))
        return out
