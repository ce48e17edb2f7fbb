"""Finding every alias of every entity in a text with one Aho-Corasick automaton (pyahocorasick).

Leftmost-longest, non-overlapping matches on the folded text (script variants, width and case folded); Latin aliases
only match at word boundaries. Stop phrases are matched like aliases and dropped, so they shadow aliases inside them.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable

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


class AliasMatcher:
    """An automaton over the names and aliases of ``entities``.

    Parameters
    ----------
    entities : iterable of Entity
        Earlier entities win when two share an alias.
    stop_phrases : iterable of str
        Phrases that name nothing but contain an alias.

    Examples
    --------
    >>> from loaders.records import Entity
    >>> from loaders.text import document_from_text
    >>> m = AliasMatcher([Entity("agibot", "Company", "AgiBot", "智元机器人", aliases=["Zhiyuan Robotics"])])
    >>> [x.quote for x in m.find(document_from_text("智元機器人 and AGIBOT, not AgiBots.", "d"))]
    ['智元機器人', 'AGIBOT']
    """

    def __init__(self, entities: Iterable[Entity], stop_phrases: Iterable[str] = ()):
        # The automaton is its own table of owners: the first to add a key keeps it (stop phrases, then entities in
        # order), checked with exists(); no dict of every key beside it (half a gigabyte with a 1M-row roster). Its
        # value is the key's number (STORE_INTS: no Python object per key), which indexes two int arrays: the
        # owner's index in ``_owners`` and the key's _shape.
        self._automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        self._owners: list[str] = [_STOP]  # index 0: the stop phrases
        self._key_owner = array("i")
        self._key_shape = array("i")
        exists = self._automaton.exists
        for phrase in stop_phrases:
            key = fold(phrase)
            if key and not exists(key):
                self._new_key(key, 0)
        self._add(entities)

    def _new_key(self, key: str, owner: int) -> None:
        self._automaton.add_word(key, len(self._key_owner))
        self._key_owner.append(owner)
        self._key_shape.append(_shape(key))

    def _add(self, entities: Iterable[Entity], before: frozenset[str] | set[str] = frozenset()) -> None:
        automaton, owners, key_owner, new_key = self._automaton, self._owners, self._key_owner, self._new_key
        exists, get = automaton.exists, automaton.get
        for chunk in _chunks(entities, 4096):  # names folded a few thousand entities at a time, in one call each
            named = [(len(owners) + i, n) for i, ent in enumerate(chunk) for n in ent.all_names()]
            owners.extend(ent.id for ent in chunk)
            for (idx, _), key in zip(named, fold_many([n for _, n in named])):
                key = key.strip()
                if len(key) < 2 and not _WORD.search(key):
                    continue  # a single CJK character is too ambiguous to be a name
                if not exists(key):
                    new_key(key, idx)
                elif before and owners[key_owner[get(key)]] in before:
                    key_owner[get(key)] = idx  # the key passes to the new owner (same key, same shape)
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
