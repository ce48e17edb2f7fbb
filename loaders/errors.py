"""The one error type for bad input: it names the file, line and field, and says what to do."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input: a file that cannot be read, a row or field with an invalid value.

    Parameters
    ----------
    message : str
        What is wrong and what to do about it.
    path, line, field : optional
        Where: file path, 1-based line number, column or key name.

    Examples
    --------
    >>> str(InputError("unknown segment 'gears'", path="r.csv", line=3, field="segments"))
    "r.csv:3: field 'segments': unknown segment 'gears'"
    """

    def __init__(self, message: str, path=None, line: int | None = None, field: str | None = None):
        self.message = message
        self.path = None if path is None else str(path)
        self.line = line
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path or ""
        if self.line is not None:
            where += f":{self.line}"
        parts = [where] if where else []
        if self.field:
            parts.append(f"field '{self.field}'")
        parts.append(self.message)
        return ": ".join(parts)


class OutputError(InputError):
    """An output that cannot be written (read-only folder, a directory where a file is wanted, a full disk, …).

    The CLI exits 3 for it. Nothing half-written is left behind.

    Examples
    --------
    >>> str(OutputError("the folder is read-only; choose another --out", path="/ro/g.graphml"))
    '/ro/g.graphml: the folder is read-only; choose another --out'
    """


class ConnectionFailure(InputError):
    """A server that cannot be reached or used (refused, dropped, wrong scheme, authentication). The CLI exits 4.

    Examples
    --------
    >>> str(ConnectionFailure("connection refused; is the server running?", path="bolt://127.0.0.1:7687"))
    'bolt://127.0.0.1:7687: connection refused; is the server running?'
    """
