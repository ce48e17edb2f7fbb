"""Subject attribution (loaders/subjects.py) costs linear work in the number of claims of one sentence.

Counted, not timed: the Python calls made from loaders/subjects.py (generator steps included) and the characters
handed to the resolver's own regular expressions, for a sentence with N and with 4N numbers. A claim that searched
its sentence from the start, or looked at every cue span or definite description of its sentence, makes these grow
sixteen-fold; per-sentence precomputation keeps them near four-fold.
"""

from __future__ import annotations

import re
import sys

import pytest

from loaders.extract import Extractors
from loaders.text import document_from_text

SUBJECTS = "subjects.py"


class _CountingPattern:
    """A compiled pattern that adds up how many characters each search could scan."""

    def __init__(self, pattern: re.Pattern, tally: list[int]):
        self.pattern, self.tally = pattern, tally

    def _add(self, text, pos=0, endpos=None):
        self.tally[0] += max(0, (len(text) if endpos is None else min(endpos, len(text))) - pos)

    def search(self, text, pos=0, endpos=sys.maxsize):
        self._add(text, pos, endpos)
        return self.pattern.search(text, pos, endpos)

    def match(self, text, pos=0, endpos=sys.maxsize):
        self._add(text, pos, endpos)
        return self.pattern.match(text, pos, endpos)

    def finditer(self, text, pos=0, endpos=sys.maxsize):
        self._add(text, pos, endpos)
        return self.pattern.finditer(text, pos, endpos)

    def __getattr__(self, name):
        return getattr(self.pattern, name)


def _work(extractors, text: str) -> tuple[int, int, int]:
    """(claims, calls made from loaders/subjects.py, characters given to its patterns) of one document."""
    resolver = extractors.claims.subjects
    tally = [0]
    saved = {k: v for k, v in vars(resolver).items() if isinstance(v, re.Pattern)}
    calls = [0]

    def profile(frame, event, arg):
        if frame.f_code.co_filename.endswith(SUBJECTS):
            calls[0] += 1

    doc = document_from_text(text, "t")
    found = extractors.matcher.find(doc)
    mentions, _, _ = extractors.places.merge(doc, found, extractors.catalogue.entities)
    try:
        for k, v in saved.items():
            setattr(resolver, k, _CountingPattern(v, tally))
        sys.setprofile(profile)
        claims = extractors.claims.extract(doc, mentions)
    finally:
        sys.setprofile(None)
        for k, v in saved.items():
            setattr(resolver, k, v)
    return len(claims), calls[0], tally[0]


@pytest.mark.parametrize("unit", [
    lambda n: "上海有" + "、".join(f"{i}家企业" for i in range(n)) + "。",  # one place, one clause, n counts
    lambda n: "the company has 5 robots, " * n,  # n definite descriptions, n counts
    lambda n: "浦东新区集聚企业12家，其中张江有机器人30台，" * n,  # names and back-references in every clause
])
def test_subject_work_is_linear_in_the_claims_of_a_sentence(catalogue, unit):
    extractors = Extractors(catalogue, dict(catalogue.entities))
    small, large = (_work(extractors, unit(n)) for n in (300, 1200))
    assert small[0] >= 300 and large[0] >= 4 * small[0] * 0.9  # the claims are there
    ratio = large[0] / small[0]
    assert large[1] <= small[1] * ratio * 1.5, (small, large)  # calls: linear (quadratic would be ~16x)
    assert large[2] <= small[2] * ratio * 1.5 + 1000, (small, large)  # characters searched: linear
