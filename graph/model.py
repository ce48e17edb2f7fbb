"""The model a graph was built with: its data/ folder's catalogue, and the type roles and analysis choices in it.

A graph records where its model lives (``G.graph["data_dir"]``, absent for the bundled data/), so analysis, export
and rendering read the same schema the graph was built with instead of loading the default folder again.
"""

from __future__ import annotations

import networkx as nx

from loaders.catalogue import Catalogue, load_catalogue


def catalogue_of(G: nx.MultiDiGraph) -> Catalogue:
    """The validated data/ catalogue ``G`` was built with (cached per folder).

    Examples
    --------
    >>> from graph import build_graph
    >>> catalogue_of(build_graph()).types_with("place")
    ('Region', 'Cluster')
    """
    return load_catalogue(G.graph.get("data_dir"))


def types_with(G: nx.MultiDiGraph, role: str) -> tuple[str, ...]:
    """Node types of ``G``'s schema that have ``role`` (see data/schema.yaml ``roles``)."""
    return catalogue_of(G).types_with(role)


def nodes_with(G: nx.MultiDiGraph, role: str) -> list[str]:
    """Nodes of ``G`` whose type has ``role``."""
    types = set(types_with(G, role))
    return [n for n, t in G.nodes(data="type") if t in types]
