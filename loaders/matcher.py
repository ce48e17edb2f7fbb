"""Finding every alias of every entity in a text with one Aho-Corasick automaton (ahocorasick_rs).

Leftmost-longest, non-overlapping matches on the folded text (script variants, width and case folded); Latin aliases
only match at word boundaries. Stop phrases are matched like aliases and dropped, so they shadow aliases inside them.

ahocorasick_rs (Rust, Apache-2.0; the gazetteer's too) rather than pyahocorasick: pyahocorasick keeps each trie node's
transitions in a list searched per character, and the thousands of CJK first characters of a roster's names made its
scan of the real texts 10-19 MB/s; ahocorasick_rs scans them at 50-90 MB/s, leftmost-longest by definition (the
leftmost match, the longest there), with character offsets. Its automaton is built from a list in one call.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable
from itertools import chain, compress, islice, repeat
from operator import itemgetter

import ahocorasick_rs

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


_REBUILD_KEYS = 200_000  # a Rust automaton of this many keys is built in about a second
_GRAM_SIZES = (2, 3, 4, 8)  # CJK names part from a text after a few characters, Latin ones after a word
_GRAM_SPLITS = {2: (1, 1), 3: (2, 1), 4: (2, 2), 8: (4, 4)}  # q = a + b: a q-gram's hash from an a- and a b-gram's
_GRAM_STAGES = ((3,), (8, 4, 2))  # the keys 3-grams rule out (most) are dropped before the other sizes are hashed
_GRAM_BASE = 0x9E3779B97F4A7C15  # an odd 64-bit multiplier for the polynomial
_GRAM_MIX = 0xBF58476D1CE4E5B9  # an odd multiplier whose product's top bits depend on every bit of the polynomial
_GRAM_BITS = 27  # 2**27 bits (16 MB) per gram size: a bit per hash prefix


def _code_points(texts: list[str]):
    import numpy as np  # a dependency of pandas

    joined = "\x00".join(texts).encode("utf-32-le", "surrogatepass")
    return np.frombuffer(joined, dtype=np.uint32).astype(np.uint64)


def _gram_slots(codes, sizes=_GRAM_SIZES):
    """``(q, slots)`` per gram size in ``sizes``: for every window of ``q`` code points, the top :data:`_GRAM_BITS`
    bits of a 64-bit hash of it, ``M * P_q[i]`` mod 2^64, where ``P_q[i] = c[i] B^(q-1) + ... + c[i+q-1]`` is made in
    one pass from smaller ones (``P_(a+b)[i] = P_a[i] B^b + P_b[i+a]``)."""
    import numpy as np

    made, todo = [], list(sizes)  # every size needed, smaller ones first (a size's parts before it)
    while todo:
        q = todo.pop()
        if q > 1 and q not in made:
            made.append(q)
            todo.extend(_GRAM_SPLITS[q])
    made.sort()
    uses = {q: (q in sizes) + sum(_GRAM_SPLITS[p].count(q) for p in made) for q in [1, *made]}
    poly = {1: codes}  # (no closure over it: a reference cycle would keep these arrays until a collection)
    for q in made:
        if len(codes) < q:
            return
        a, b = _GRAM_SPLITS[q]
        h = poly[a][:len(codes) - q + 1] * np.uint64(pow(_GRAM_BASE, b, 1 << 64))
        h += poly[b][a:a + len(h)]
        poly[q] = h
        for part in (a, b):  # a part no later size needs is let go
            uses[part] -= 1
            if not uses[part]:
                del poly[part]
        if q in sizes:
            slots = poly.pop(q) if uses[q] == 1 else poly[q].copy()  # (the polynomial itself is still needed)
            uses[q] -= 1
            slots *= np.uint64(_GRAM_MIX)
            slots >>= np.uint64(64 - _GRAM_BITS)
            yield q, slots.view(np.int64)
            del slots


class TextGrams:
    """The character q-grams of the texts a matcher will search, as a bit per hash prefix, to rule out the keys that
    cannot occur in them (:meth:`absent`). A shared bit (two grams, one prefix) can only make a gram look present,
    which keeps a key that does not occur, never drops one that does: the test stays exact."""

    def __init__(self, texts: Iterable[str]):
        import numpy as np

        codes = _code_points(sorted(texts))  # sorted: the windows across two texts, hence the bits, do not vary
        self._bits = {q: np.zeros(1 << (_GRAM_BITS - 3), dtype=np.uint8) for q in _GRAM_SIZES}
        for q, slots in _gram_slots(codes):
            if len(slots) < 1 << 22:
                np.bitwise_or.at(self._bits[q], slots >> 3, np.left_shift(1, slots & 7).astype(np.uint8))
            else:  # many windows: a byte per slot for a moment, then a bit (several times faster than ufunc.at)
                seen = np.zeros(1 << _GRAM_BITS, dtype=bool)
                seen[slots] = True
                self._bits[q] = np.packbits(seen, bitorder="little")

    def absent(self, keys: list[str]):
        """Per key (a numpy bool array), True when it holds a q-gram none of the texts has: then it occurs in none
        of them. False keys may or may not occur."""
        import numpy as np

        out = np.zeros(len(keys), dtype=bool)
        if not keys:
            return out
        codes = _code_points(keys)
        if int(np.count_nonzero(codes == 0)) != len(keys) - 1:  # a key holds a NUL: its number would be off
            codes = _code_points([k if "\x00" not in k else "" for k in keys])  # (not tested: kept)
        alive = np.arange(len(keys))  # the keys still in ``codes``, in order
        for stage in _GRAM_STAGES:
            # key of every position (among ``alive``): the separators (NUL) before it; a window holding one spans two
            # keys (or a key's own NUL: then it is not tested, which can only keep a key)
            before = np.zeros(len(codes) + 1, dtype=np.int32)
            np.cumsum(codes == 0, out=before[1:])
            dead = np.zeros(len(alive), dtype=bool)
            for q, slots in _gram_slots(codes, stage):
                n = len(slots)
                missing = self._bits[q][slots >> 3]
                missing >>= (slots & 7).astype(np.uint8)
                missing = (missing & 1) == 0
                missing &= before[q:q + n] == before[:n]  # windows inside one key only
                dead[before[:n][missing]] = True
            out[alive[dead]] = True
            if not dead.any():
                break
            codes = codes[~dead[before[:-1]]]  # the dead keys' code points out (each key's trailing NUL with it)
            alive = alive[~dead]
        return out


def _automaton(keys: list[str]) -> ahocorasick_rs.AhoCorasick:
    return ahocorasick_rs.AhoCorasick(keys, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)


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
        q-gram none of them has is left out. A leftmost-longest scan reports the same matches without keys that
        never occur, so :meth:`find` returns exactly what the full automaton would, from a fraction of the keys (a
        million-row roster: thousands instead of millions). Such a matcher refuses other texts.

    Examples
    --------
    >>> from loaders.records import Entity
    >>> from loaders.text import document_from_text
    >>> m = AliasMatcher([Entity("agibot", "Company", "AgiBot", "智元机器人", aliases=["Zhiyuan Robotics"])])
    >>> [x.quote for x in m.find(document_from_text("智元機器人 and AGIBOT, not AgiBots.", "d"))]
    ['智元機器人', 'AGIBOT']
    """

    def __init__(self, entities: Iterable[Entity], stop_phrases: Iterable[str] = (), texts: Iterable[str] | None = None):
        # key -> its number (its pattern index in the automaton, in the order added), which indexes two arrays:
        # the owner's index in ``_owners`` and whether the key starts / ends with a Latin word character.
        self._number: dict[str, int] = {}
        self._owners: list[str] = [_STOP]  # index 0: the stop phrases
        self._key_owner = array("i")
        self._key_edges = array("b")
        self._segments: list[tuple[ahocorasick_rs.AhoCorasick, int]] = []  # (automaton, number of its first key)
        self._covered = 0  # the keys numbered below this are in an automaton
        self._texts = None if texts is None else frozenset(texts)
        self._grams = None if texts is None else TextGrams(self._texts)
        stops = [k for k in map(fold, stop_phrases) if k]
        self._put(stops, [0] * len(stops))
        self._add(entities)

    def _put(self, keys: list[str], owners_of, before: frozenset[str] | set[str] = frozenset()) -> None:
        """Add ``keys`` in order, the i-th owned by ``owners_of[i]``; a key already there keeps its owner unless that
        is in ``before``. With texts, the keys that cannot occur in them are left out."""
        if self._grams is not None and keys:
            keep = (~self._grams.absent(keys)).tolist()
            keys, owners_of = list(compress(keys, keep)), list(compress(owners_of, keep))
        number, owners, key_owner, key_edges = self._number, self._owners, self._key_owner, self._key_edges
        word = _WORD_CHARS
        for key, owner in zip(keys, owners_of):
            k = number.get(key)
            if k is None:
                number[key] = len(key_owner)
                key_owner.append(owner)
                key_edges.append(((key[0] in word) << 1) | (key[-1] in word))
            elif before and owner and owners[key_owner[k]] in before:
                key_owner[k] = owner  # the key passes to the new owner

    def _add(self, entities: Iterable[Entity], before: frozenset[str] | set[str] = frozenset()) -> None:
        owners = self._owners
        for chunk in _chunks(entities, 16384):  # names folded many thousand entities at a time, in one call each
            names_of = [ent.all_names() for ent in chunk]
            names = list(chain.from_iterable(names_of))
            key_owners = list(chain.from_iterable(repeat(i, len(ns)) for i, ns in enumerate(names_of, len(owners))))
            owners.extend(ent.id for ent in chunk)
            keys = [k.strip() for k in fold_many(names)]
            # a single CJK character is too ambiguous to be a name
            named = [len(k) > 1 or _WORD.search(k) is not None for k in keys]
            self._put(list(compress(keys, named)), list(compress(key_owners, named)), before)
        # ahocorasick_rs takes its patterns in one call and adds none later. Keys added to a matcher of up to
        # _REBUILD_KEYS keys (a build's, pruned to its documents, or a catalogue's) are built into one automaton with
        # the others at once, here, where adding them is paid for; to a bigger one, they get an automaton of their own
        # (a few discovered names, not a million roster names again), merged or rebuilt when scanning (see _matches).
        first = self._covered
        if len(self._number) > first:
            if first and len(self._number) <= _REBUILD_KEYS:
                self._segments = [(_automaton(list(self._number)), 0)]
            else:
                self._segments.append((_automaton(list(islice(self._number, first, None))), first))
            self._covered = len(self._number)

    def add(self, entities: Iterable[Entity], before: frozenset[str] | set[str] = frozenset()) -> None:
        """Add the names of more ``entities``, as if they had been listed after the first ones but before the
        entities in ``before`` (their keys pass to the new owner); the new keys get an automaton of their own.

        ``AliasMatcher(first + more + last)`` equals ``AliasMatcher(first + last)`` followed by
        ``.add(more, before={ids of last})``, without folding and adding a million names again.
        """
        self._add(entities, before)

    def _matches(self, folded: str):
        """``(key number, start, end)`` of the leftmost-longest, non-overlapping matches of every key in ``folded``.

        With several automata (keys added later), each one's matches stand when no two of them overlap: the leftmost
        match of all is then one automaton's leftmost, and nothing of the others starts before its end, so the scan
        of all keys would go on as each one's did. Otherwise all keys are put in one automaton, once, and it scans.
        """
        segments = self._segments
        if len(segments) == 1:
            return segments[0][0].find_matches_as_indexes(folded)
        streams = []
        for automaton, first in segments:
            found = automaton.find_matches_as_indexes(folded)
            if found:
                streams.append([(k + first, s, e) for k, s, e in found] if first else found)
        if len(streams) < 2:
            return streams[0] if streams else []
        merged = sorted(chain.from_iterable(streams), key=itemgetter(1))
        if all(a[2] <= b[1] for a, b in zip(merged, islice(merged, 1, None))):
            return merged
        self._segments = [(_automaton(list(self._number)), 0)]  # (covers every key: nothing is added meanwhile)
        return self._segments[0][0].find_matches_as_indexes(folded)

    @property
    def owner(self) -> dict[str, str]:
        """Folded alias -> the entity id that owns it (stop phrases: an internal marker); computed on demand."""
        owners, key_owner = self._owners, self._key_owner
        return {key: owners[key_owner[k]] for key, k in self._number.items()}

    def __len__(self) -> int:
        return len(self._number)

    def find(self, doc: Document) -> list[Mention]:
        """Every mention in ``doc``, with sentence index, original span and exact quote."""
        if not self._segments or not doc.sentences:  # a document without sentences is blank
            return []
        ft = doc.folded
        if self._texts is not None and ft.folded not in self._texts:
            raise ValueError(f"this matcher was built for other texts than document {doc.id!r}; build one for it")
        folded, text, doc_id, sentences = ft.folded, doc.text, doc.id, doc.sentences
        to_original = None if ft.is_identity else ft.to_original
        word, owners, key_owner, key_edges, n = _WORD_CHARS, self._owners, self._key_owner, self._key_edges, len(folded)
        out = []
        j, last = 0, len(sentences) - 1
        beyond = len(text) + 1
        next_start = sentences[1].start if last else beyond
        # One pass per match (word boundaries, offsets, sentence, record): this loop sets the throughput.
        for k, start, end in self._matches(folded):
            owner = key_owner[k]
            if not owner:
                continue  # a stop phrase
            edges = key_edges[k]
            if edges & 2 and start > 0 and (folded[start - 1] in word or folded[start - 1] in "./@"):
                continue  # inside a word, or part of a web address (japanese.shanghai.gov.cn)
            if edges & 1 and end < n and (folded[end] in word or folded[end:end + 2] in _DOMAIN_DOTS):
                continue
            if to_original is not None:
                start, end = to_original(start, end)
            if start >= next_start:  # matches come in text order, so the sentence pointer only moves on
                while j < last and sentences[j + 1].start <= start:
                    j += 1
                next_start = sentences[j + 1].start if j < last else beyond
            out.append(Mention(owners[owner], doc_id, j, start, end, text[start:end]))
        return out
