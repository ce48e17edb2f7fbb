"""Where the bundled knowledge and documents live."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
SEEDS_DIR = ROOT / "seeds"
BUNDLED_ROSTERS = (DATA_DIR / "rosters" / "shanghai_reference.csv",)
