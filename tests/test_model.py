"""The model checks itself at load: a typo in any cross-reference of data/ stops with file, line and field.

Each case copies data/, plants one typo and expects :class:`InputError` naming the file, the line of the typo and the
field. A last test fails when a ``.py`` file outside tests names an entity, segment or metric id of data/.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from conftest import ROOT
from loaders.catalogue import load_catalogue
from loaders.errors import InputError

DATA = ROOT / "data"

# (file, text to replace (must occur), replacement, field named in the error)
BROKEN = [
    ("schema.yaml", "roles: [entity, matchable, place], lane: context", "roles: [entity, matchable, plase], lane: context",
     "node_types.Region.roles"),
    ("schema.yaml", "roles: [document], lane: evidence", "roles: [document], lane: evidense", "node_types.Document.lane"),
    ("schema.yaml", "LOCATED_IN:   {sources: [Company,", "LOCATED_IN:   {sources: [Compnay,", "edge_types.LOCATED_IN.sources"),
    ("relations.yaml", "    type: LOCATED_IN\n", "    type: LOCATED_INN\n", "type"),
    ("relations.yaml", "    target_types: [Region, Cluster]\n", "    target_types: [Regoin, Cluster]\n", "target_types"),
    ("relations.yaml", "    source_types: [Company, Institution]\n    target_types: [Product, Dataset]\n",
     "    source_types: [Company, Scene]\n    target_types: [Product, Dataset]\n", "source_types"),
    ("relations.yaml", "  - source: national_local_humanoid_center\n", "  - source: national_local_humanoid_centre\n",
     "source"),
    ("claims.yaml", "unit: share_of_chain, subject_types: [Region, Cluster]",
     "unit: share_of_chain, subject_types: [Region, Clustr]", "subject_types"),
    ("claims.yaml", "members: [Company, Institution]", "members: [Company, Institutoin]", "members"),
    ("disputes.yaml", "    metric: chain_share\n", "    metric: chain_shar\n", "metric"),
    ("disputes.yaml", "    subject: shanghai\n", "    subject: shangai\n", "subject"),
    ("taxonomy.yaml", "{id: reducers, stage: upstream, group: limbs,", "{id: reducers, stage: upstream, group: limb,",
     "group"),
    ("taxonomy.yaml", "{id: reducers, stage: upstream,", "{id: reducers, stage: upstrem,", "stage"),
    ("taxonomy.yaml", "{id: reducers, stage: upstream, group: limbs, source: B,",
     "{id: reducers, stage: upstream, group: limbs, source: Z,", "source"),
    ("entities.yaml", "    part_of: [{id: pudong, source: *geo}]\n", "    part_of: [{id: pudongg, source: *geo}]\n",
     "part_of"),
    ("entities.yaml", "    type: Region\n    level: city\n", "    type: Regoin\n    level: city\n", "type"),
    ("analysis.yaml", "  fallback: zhangjiang\n", "  fallback: zhangjang\n", "default_region.fallback"),
    ("analysis.yaml", "  stated_share_metric: chain_share\n", "  stated_share_metric: chain_shares\n",
     "coverage.stated_share_metric"),
    ("analysis.yaml", "    segments: [complete_machines]\n", "    segments: [complete_machine]\n",
     "coverage.makers.segments"),
    ("analysis.yaml", "    stages: [upstream]\n", "    stages: [upsteam]\n", "coverage.makers.stages"),
]


def _broken_copy(tmp_path: Path, name: str, old: str, new: str) -> tuple[Path, int]:
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("rosters"))
    path = target / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"the test's anchor text is no longer in data/{name}: {old!r}"
    line = text[: text.index(old) + len(old) - len(old.lstrip("\n"))].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target, line


@pytest.mark.parametrize("name, old, new, field", BROKEN, ids=[f"{b[0]}:{b[3]}" for b in BROKEN])
def test_a_typo_in_a_reference_stops_the_load(tmp_path, name, old, new, field):
    data_dir, line = _broken_copy(tmp_path, name, old, new)
    with pytest.raises(InputError) as info:
        load_catalogue(data_dir)
    err = info.value
    assert Path(err.path).name == name
    assert err.field == field
    # the error points at the typo's line or the line of the entry that holds it
    assert err.line is not None and line - 12 <= err.line <= line + 1, (err.line, line)
    assert "valid" in str(err) or "unknown" in str(err)


def test_the_bundled_model_loads_and_answers_by_role():
    cat = load_catalogue()
    assert cat.types_with("organisation") == ("Company", "Institution")
    assert set(cat.types_with("segmented")) <= set(cat.schema["edge_types"]["IN_SEGMENT"]["sources"])
    assert set(cat.types_with("place")) <= set(cat.schema["edge_types"]["LOCATED_IN"]["targets"])
    lanes = [lane["id"] for lane in cat.lanes()]
    assert lanes == ["context", *[s.id.split(":", 1)[1] for s in cat.stages()], "evidence"]
    with pytest.raises(KeyError):
        cat.types_with("organization")


def _string_constants(path: Path) -> set[str]:
    """String literals of a module, docstrings left out (their examples may name real ids)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return {n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings}


def test_no_code_outside_tests_names_an_entity_segment_or_metric():
    cat = load_catalogue()
    ids = {eid for eid, e in cat.entities.items() if e.origin == "catalogue"}
    ids |= {e.id.split(":", 1)[1] for e in cat.segments()} | {e.id for e in cat.segments()}
    ids |= {m["metric"] for m in cat.metric_rules}
    ids -= {"count", "share", "money", "date"}  # claim kinds: categories of the number grammar, also a metric name
    names = {n for e in cat.entities.values() if e.origin == "catalogue" for n in (e.name_en, e.name_zh)
             if n and len(n) > 3}
    code = [p for p in ROOT.rglob("*.py") if not {"tests", "benchmarks", ".git", "node_modules"} & set(p.parts)
            and ".work" not in p.parts]
    found = []
    for path in code:
        for s in _string_constants(path):
            if s in ids or s in names:
                found.append(f"{path.relative_to(ROOT)}: {s!r}")
    assert not found, "domain values belong in data/: " + "; ".join(found)
