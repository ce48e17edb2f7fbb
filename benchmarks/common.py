"""What every benchmark shares: the result row, the scales, a timer and a scratch folder."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "tests"):  # the library, and the real-server helpers the tests use
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

# Full scale is what the targets are stated for; quick is a smoke run in under a minute.
SCALES = {
    "full": {"firms": 1_000_000, "docs": 1000, "doc_bytes": 10_000, "extract_firms": 10_000, "extract_mb": 10,
             "baseline_kb": 200, "graphml_firms": 100_000, "neo4j_nodes": 100_000, "neo4j_rels": 300_000,
             "neo4j_row_rows": 3000, "render_nodes": 10_000, "pyvis_nodes": (2000, 10_000),
             "browser_nodes": (500, 2000, 10_000), "pyvis_browser_nodes": (500, 2000), "browser_timeout": 120,
             "app_firms": 100_000, "restart_sizes": ((100_000, 5, False), (1_000_000, 10, True)), "app_browser": True,
             "places_mb": 5},
    "quick": {"firms": 10_000, "docs": 100, "doc_bytes": 10_000, "extract_firms": 10_000, "extract_mb": 2,
              "baseline_kb": 50, "graphml_firms": 5_000, "neo4j_nodes": 5000, "neo4j_rels": 15_000,
              "neo4j_row_rows": 600, "render_nodes": 10_000, "pyvis_nodes": (2000,),
              "browser_nodes": (500, 2000), "pyvis_browser_nodes": (), "browser_timeout": 30,
              "app_firms": 10_000, "restart_sizes": ((10_000, 5, False),),
              # --quick stays within 2 minutes: the app's chromium rows (figures without a target) at full scale only
              "app_browser": False, "places_mb": 0.5},
}


@dataclass
class Row:
    """One line of the report: what was measured, the peer it is set against (what and its figure), the target, and
    whether it is met (None: no target)."""

    name: str
    measured: str
    target: str = ""
    met: bool | None = None
    peer: str = ""

    def cells(self) -> list[str]:
        return [self.name, self.measured, self.peer or "-", self.target or "-",
                {True: "met", False: "NOT MET", None: "-"}[self.met]]


class Timer:
    """``with Timer() as t: ...`` then ``t.seconds`` (wall clock) and ``t.cpu`` (CPU seconds of this process, which
    other processes on a shared machine do not inflate)."""

    def __enter__(self):
        self.start, self.cpu_start = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        self.cpu = time.process_time() - self.cpu_start


def scratch(name: str) -> Path:
    """A folder under benchmarks/.work/ (git-ignored) for generated inputs, reused between runs."""
    path = ROOT / "benchmarks" / ".work" / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def synthetic_inputs(firms: int, docs: int, doc_bytes: int, realistic: bool = False) -> tuple[Path, list[Path]]:
    """The synthetic roster and documents for this scale, generated once and kept in benchmarks/.work/.

    ``realistic``: register names in three scripts with repeats and rows that merge into each other and into data/
    (:func:`synthetic.write_realistic_roster`) instead of one simple row per firm.
    """
    from synthetic import GENERATOR_VERSION, write_documents, write_realistic_roster, write_roster

    kind = "realistic" if realistic else "simple"
    folder = scratch(f"synthetic-v{GENERATOR_VERSION}-{kind}-{firms}-{docs}-{doc_bytes}")
    roster = folder / "roster.csv"
    doc_dir = folder / "docs"
    paths = sorted(doc_dir.glob("*.txt")) if doc_dir.exists() else []
    if not roster.exists() or len(paths) != docs:
        if realistic:
            pairs = [r["_mention"] for r in write_realistic_roster(roster, firms) if "_mention" in r]
        else:
            pairs = [(r["name"], r["name_zh"]) for r in write_roster(roster, firms)]
        paths = write_documents(doc_dir, pairs, docs, doc_bytes)
    return roster, paths


def fmt_seconds(s: float) -> str:
    return f"{s:.2f} s" if s >= 0.1 else f"{s * 1000:.0f} ms"


def pyahocorasick_automaton(keys):
    """A pyahocorasick automaton over ``keys`` (e.g. ``AliasMatcher.owner``): the peer whose raw ``iter`` the
    matching rows compare against (the matcher itself scans with ahocorasick_rs)."""
    import ahocorasick

    automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    for i, key in enumerate(keys):
        automaton.add_word(key, i)
    automaton.make_automaton()
    return automaton
