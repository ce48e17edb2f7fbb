"""pandas views of the graph."""

from __future__ import annotations

import networkx as nx
import pandas as pd


def to_frames(G: nx.MultiDiGraph) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes and edges as data frames.

    Returns
    -------
    nodes : DataFrame
        One row per node: ``id`` and every node attribute (lists stay lists).
    edges : DataFrame
        One row per edge: ``source``, ``target``, ``key`` and every edge attribute.

    Examples
    --------
    >>> from graph import build_graph
    >>> nodes, edges = to_frames(build_graph())
    >>> int((nodes["type"] == "Company").sum()) > 5
    True
    """
    nodes = pd.DataFrame([{"id": n, **d} for n, d in G.nodes(data=True)])
    edges = pd.DataFrame([{"source": u, "target": v, "key": k, **d} for u, v, k, d in G.edges(keys=True, data=True)])
    if nodes.empty:
        nodes = pd.DataFrame(columns=["id", "type", "name"])
    if edges.empty:
        edges = pd.DataFrame(columns=["source", "target", "key", "type", "method"])
    return nodes, edges
