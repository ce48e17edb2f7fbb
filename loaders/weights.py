"""Per-segment weights for chain coverage, from a user's YAML mapping or two-column CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

from .errors import InputError


def load_weights(path) -> dict[str, float]:
    """Per-segment weights from a YAML mapping or a two-column CSV (segment, weight)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the weights file: {exc}", path=path) from exc
    if path.suffix.lower() == ".csv":
        data = {}
        for i, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            if not row or (i == 1 and row[0].strip().lower() == "segment"):
                continue
            try:
                data[row[0].strip()] = float(row[1])
            except (IndexError, ValueError) as exc:
                raise InputError("expected 'segment,weight' with a number", path=path, line=i, field="weight") from exc
        return data
    data = yaml.safe_load(text) or {}
    if not isinstance(data, dict) or not all(isinstance(v, (int, float)) for v in data.values()):
        raise InputError("expected a mapping of segment id to number", path=path)
    return data
