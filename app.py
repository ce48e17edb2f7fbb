"""Ecosystem Graph Explorer: the Streamlit page. It only renders; the logic lives in graph/."""

import streamlit as st

from graph import build_graph, to_frames
from graph.query import claim_rows, found_entities

st.set_page_config(page_title="Ecosystem Graph Explorer", layout="wide")


@st.cache_resource(show_spinner="Building the graph from the bundled documents and roster…")
def bundled_graph():
    return build_graph()


G = bundled_graph()
st.title("Ecosystem Graph Explorer")
st.caption("Shanghai embodied-AI chain: the founding plan, the reference roster, and what they say.")

nodes, edges = to_frames(G)
cols = st.columns(3)
cols[0].metric("Nodes", G.number_of_nodes())
cols[1].metric("Edges", G.number_of_edges())
cols[2].metric("Documents", len(G.graph["documents"]))

st.subheader("Entities found in the documents")
st.dataframe([{k: r[k] for k in ("type", "name", "name_zh", "name_ja", "mentions")} for r in found_entities(G)],
             use_container_width=True)

st.subheader("Claims")
st.dataframe([{"metric": r["metric"], "value": r["value"], "unit": r["unit"], "qualifier": r["qualifier"],
               "about": ", ".join(r["subject_names"]), "quote": r["text"], "sentence": r["sentence_text"]}
              for r in claim_rows(G)], use_container_width=True)
