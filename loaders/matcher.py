"""Finding every alias of every entity in a text with one Aho-Corasick automaton (pyahocorasick).

Leftmost-longest, non-overlapping matches on the folded text (script variants, width and case folded); Latin aliases
only match at word boundaries. Stop phrases are matched like aliases and dropped, so they shadow aliases inside them.
"""

from __future__ import annotations

import re
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
        # order), checked with exists(); no dict of every key beside it (half a gigabyte with a 1M-row roster).
        self._automaton = automaton = ahocorasick.Automaton()
        exists, add = automaton.exists, automaton.add_word
        for phrase in stop_phrases:
            key = fold(phrase)
            if key and not exists(key):
                add(key, (_STOP, len(key), _is_word_char(key[0]), _is_word_char(key[-1])))
        for chunk in _chunks(entities, 4096):  # names folded a few thousand entities at a time, in one call each
            named = [(ent.id, n) for ent in chunk for n in ent.all_names()]
            for (eid, _), key in zip(named, fold_many([n for _, n in named])):
                key = key.strip()
                if len(key) < 2 and not _WORD.search(key):
                    continue  # a single CJK character is too ambiguous to be a name
                if not exists(key):
                    add(key, (eid, len(key), _is_word_char(key[0]), _is_word_char(key[-1])))
        self._size = len(automaton)
        if self._size:
            automaton.make_automaton()

    def add(self, entities: Iterable[Entity], before: frozenset[str] | set[str] = frozenset()) -> None:
        """Add the names of more ``entities``, as if they had been listed after the first ones but before the
        entities in ``before`` (their keys pass to the new owner); the automaton is made again.

        ``AliasMatcher(first + more + last)`` equals ``AliasMatcher(first + last)`` followed by
        ``.add(more, before={ids of last})``, without folding and adding a million names again.
        """
        automaton = self._automaton
        exists, add, get = automaton.exists, automaton.add_word, automaton.get
        for chunk in _chunks(entities, 4096):
            named = [(ent.id, n) for ent in chunk for n in ent.all_names()]
            for (eid, _), key in zip(named, fold_many([n for _, n in named])):
                key = key.strip()
                if len(key) < 2 and not _WORD.search(key):
                    continue
                if not exists(key) or get(key)[0] in before:
                    add(key, (eid, len(key), _is_word_char(key[0]), _is_word_char(key[-1])))
        self._size = len(automaton)
        if self._size:
            automaton.make_automaton()

    @property
    def owner(self) -> dict[str, str]:
        """Folded alias -> the entity id that owns it (stop phrases: an internal marker); computed on demand."""
        return {key: value[0] for key, value in self._automaton.items()}

    def __len__(self) -> int:
        return self._size

    def find(self, doc: Document) -> list[Mention]:
        """Every mention in ``doc``, with sentence index, original span and exact quote."""
        if not self._size or not doc.sentences:  # a document without sentences is blank
            return []
        ft = doc.folded
        folded, text, doc_id, sentences = ft.folded, doc.text, doc.id, doc.sentences
        to_original = None if ft.is_identity else ft.to_original
        word, stop, n = _WORD_CHARS, _STOP, len(folded)
        out = []
        j, last = 0, len(sentences) - 1
        beyond = len(text) + 1
        next_start = sentences[1].start if last else beyond
        # One pass per match (word boundaries, offsets, sentence, record): this loop sets the throughput.
        for end_idx, (eid, length, latin_start, latin_end) in self._automaton.iter_long(folded):
            if eid == stop:
                continue
            start, end = end_idx - length + 1, end_idx + 1
            if latin_start and start > 0 and (folded[start - 1] in word or folded[start - 1] in "./@"):
                continue  # inside a word, or part of a web address (japanese.shanghai.gov.cn)
            if latin_end and end < n and (folded[end] in word or folded[end:end + 2] in _DOMAIN_DOTS):
                continue
            if to_original is not None:
                start, end = to_original(start, end)
            if start >= next_start:  # matches come in text order, so the sentence pointer only moves on
                while j < last and sentences[j + 1].start <= start:
                    j += 1
                next_start = sentences[j + 1].start if j < last else beyond
            out.append(Mention(eid, doc_id, j, start, end, text[start:end]))
        return out
