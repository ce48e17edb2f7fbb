"""The README documents every command, option, roster column, metadata key, node and edge type and attribute, and
the schema declares every attribute the graph carries (in the spirit of datasette's tests/test_docs.py)."""

from __future__ import annotations

import argparse
import re

import pytest

from conftest import ROOT
from graph.cli import make_parser
from loaders.catalogue import load_catalogue

README = (ROOT / "README.md").read_text(encoding="utf-8")
CATALOGUE = load_catalogue()


def _commands() -> list[tuple[str, argparse.ArgumentParser]]:
    sub = next(a for a in make_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return list(sub.choices.items())


@pytest.mark.parametrize("name, parser", _commands(), ids=[c for c, _ in _commands()])
def test_every_command_and_option_is_in_the_readme(name, parser):
    assert re.search(rf"python -m graph {name}\b", README), f"README shows no 'python -m graph {name}'"
    missing = [opt for a in parser._actions for opt in a.option_strings if opt.startswith("--") and opt != "--help"
               and not re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", README)]
    assert not missing, f"options of '{name}' missing from the README: {missing}"


def test_every_roster_column_is_in_the_readme():
    from loaders.rosters import OPTIONAL_COLUMNS, ROSTER_COLUMNS

    missing = [c for c in ROSTER_COLUMNS + OPTIONAL_COLUMNS if f"`{c}`" not in README]
    assert not missing, f"roster columns missing from the README: {missing}"


def test_every_metadata_key_is_in_the_readme():
    from loaders.text import metadata_keys

    missing = [k for k in metadata_keys() if f"`{k}`" not in README]
    assert not missing, f"document metadata keys missing from the README: {missing}"


def test_every_type_and_attribute_of_the_schema_is_in_the_readme():
    schema = CATALOGUE.schema
    names = [*schema["node_types"], *schema["edge_types"], *schema["node_attributes"], *schema["edge_attributes"],
             *schema["roles"], *schema["methods"]]
    missing = [n for n in names if f"`{n}`" not in README]
    assert not missing, f"schema names missing from the README: {missing}"


def test_every_attribute_the_graph_carries_is_declared(seed_graph):
    schema = CATALOGUE.schema
    node_keys = {k for _, d in seed_graph.nodes(data=True) for k in d}
    edge_keys = {k for *_, d in seed_graph.edges(data=True) for k in d}
    assert node_keys <= set(schema["node_attributes"]), node_keys - set(schema["node_attributes"])
    assert edge_keys <= set(schema["edge_attributes"]), edge_keys - set(schema["edge_attributes"])


def test_every_analysis_choice_is_in_the_readme():
    keys = ["default_region", "from_documents", "fallback", "stated_share_metric", "firm_count_metric",
            "makers_count_metric", "makers", "place_prefixes", "legal_suffixes"]
    assert set(keys) <= {k for k in _flat_keys(CATALOGUE.analysis)}, "the test's list is out of date"
    missing = [k for k in _flat_keys(CATALOGUE.analysis) if f"`{k}`" not in README]
    assert not missing, f"data/analysis.yaml keys missing from the README: {missing}"


def _flat_keys(d: dict):
    for k, v in d.items():
        yield k
        if isinstance(v, dict):
            yield from _flat_keys(v)
