"""Per-segment weights for chain coverage, from a user's YAML mapping or two-column CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .errors import InputError


def _weight(value, path, line, segment) -> float:
    """A finite, non-negative number, or an InputError naming the file, line and segment."""
    import math

    given = value
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            value = None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"the weight of {str(segment)[:60]!r} must be a number such as 1 or 0.5, not "
                         f"{str(given)[:40]!r}", path=path, line=line, field=str(segment)[:60])
    try:
        value = float(value)
    except OverflowError:
        value = math.inf
    if not math.isfinite(value) or value < 0:
        raise InputError(f"the weight of {str(segment)[:60]!r} must be a finite number of 0 or more, not {value}",
                         path=path, line=line, field=str(segment)[:60])
    return value


def load_weights(path) -> dict[str, float]:
    """Per-segment weights from a YAML mapping or a two-column CSV (segment, weight).

    Weights are finite numbers of 0 or more; anything else (invalid YAML or CSV, NaN, a negative or non-numeric
    weight, YAML aliases) is an :class:`InputError` naming the file, line and segment.
    """
    from .clean import read_input
    from .yamlio import load_yaml_lines

    path = Path(path)
    if path.suffix.lower() == ".csv":
        data_bytes = read_input(path, "weights file")
        try:
            text = data_bytes.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError("not UTF-8; save the file as UTF-8", path=path,
                             line=data_bytes[:exc.start].count(b"\n") + 1) from None
        data = {}
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        start = 1
        try:
            for row in reader:
                i, start = reader.line_num, reader.line_num + 1
                if not row or not "".join(row).strip() or (i == 1 and row[0].strip().lower() == "segment"):
                    continue
                if len(row) != 2:
                    raise InputError(f"expected two cells 'segment,weight', found {len(row)}", path=path, line=i)
                data[row[0].strip()] = _weight(row[1], path, i, row[0].strip())
        except csv.Error as exc:
            raise InputError(f"malformed CSV ({exc}); expected lines 'segment,weight'", path=path,
                             line=start) from None
        return data
    try:
        raw, key_lines = load_yaml_lines(path, aliases=False)
    except InputError as exc:
        if "expected a mapping" not in exc.message:
            raise
        raise InputError("expected a mapping of segment id to weight (reducers: 1.5)", path=path) from None
    return {str(k): _weight(v, path, key_lines.get(str(k)), k) for k, v in raw.items() if k != "__line__"}
