"""Ecosystem Graph Explorer: build, analyse and export a provenance-linked graph of an industry cluster.

>>> from graph import build_graph, to_frames
>>> G = build_graph()
>>> nodes, edges = to_frames(G)
"""

from .build import build_graph, mark_location_conflicts
from .display import describe_claim, format_value, sentence_text
from .io import read_graph, write_graph

__all__ = ["build_graph", "to_frames", "write_graph", "read_graph", "describe_claim", "sentence_text",
           "mark_location_conflicts", "format_value"]


def __getattr__(name):
    # to_frames needs pandas (half a second to import); the explorer's first page and most commands do not.
    if name == "to_frames":
        from .frames import to_frames

        return to_frames
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
