"""Ecosystem Graph Explorer: build, analyse and export a provenance-linked graph of an industry cluster.

>>> from graph import build_graph, to_frames
>>> G = build_graph()
>>> nodes, edges = to_frames(G)
"""

from .build import build_graph, mark_location_conflicts
from .display import describe_claim, format_value, sentence_text
from .frames import to_frames
from .io import read_graph, write_graph

__all__ = ["build_graph", "to_frames", "write_graph", "read_graph", "describe_claim", "sentence_text",
           "mark_location_conflicts", "format_value"]
