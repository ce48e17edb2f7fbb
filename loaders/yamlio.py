"""YAML reading that remembers line numbers, so errors can point at the line, and that cannot be blown up.

Aliases (``*name``) make YAML a compression format: nine lines of nested aliases ("billion laughs") stand for 10**9
values, and any code that copies the loaded data (``strip_lines`` does) runs out of memory. So files a user gives
(``NAME.meta.yaml``, ``--weights``) may not use anchors or aliases at all, and the project's own ``data/`` files,
which use a few (``&seed``, ``&geo``), are refused when their expansion exceeds :data:`MAX_EXPANDED_NODES`; both are
checked on the composed node tree, before anything is constructed or copied.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import yaml

from .errors import InputError

LINE_KEY = "__line__"
MAX_EXPANDED_NODES = 1_000_000  # data/entities.yaml expands to about 1,500


class _LineLoader(yaml.SafeLoader):
    pass


class _NoAliasLoader(_LineLoader):
    """Refuses anchors and aliases as soon as the parser meets one (nothing has been built yet)."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            what = f"alias *{event.anchor}" if isinstance(event, yaml.AliasEvent) else f"anchor &{event.anchor}"
            raise _Refused(f"YAML {what} is not allowed in this file; write the value out in full",
                           event.start_mark.line + 1)
        return super().compose_node(parent, index)


class _Refused(Exception):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message, self.line = message, line


def _expanded_size(root, limit: int) -> int:
    """How many nodes the tree has once every alias is expanded; stops past ``limit`` or at a recursive alias."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise _Refused("a YAML alias refers to itself (recursive data)", node.start_mark.line + 1)
        active.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [x for pair in node.value for x in pair]
        else:
            children = ()
        for child in children:
            total += size(child)
            if total > limit:
                raise _Refused(f"the YAML expands to more than {limit:,} values through its aliases (*name); "
                               "write the values out or use fewer aliases", child.start_mark.line + 1)
        active.discard(key)
        sizes[key] = total
        return total

    return size(root)


def _construct_mapping(loader, node, deep=False):
    mapping = yaml.SafeLoader.construct_mapping(loader, node, deep=True)
    mapping[LINE_KEY] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


if getattr(yaml, "__with_libyaml__", False):
    class _CLineLoader(yaml.CSafeLoader):
        """The same loader on libyaml's parser (C): 20 times faster on a ``NAME.meta.yaml``, which makes reading a
        short document mostly YAML. Used only when a file parses cleanly (see :func:`_load_fast`)."""

    _CLineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
else:  # PyYAML built without libyaml: the pure-Python loader only
    _CLineLoader = None


def _load_fast(text: str, aliases: bool):
    """``(data, root node)`` through libyaml, or None: no libyaml, an anchor or alias where they are refused, or any
    error. The pure-Python loader then reads the file again and raises its usual error with file and line."""
    if _CLineLoader is None:
        return None
    loader = None
    try:
        if not aliases and ("&" in text or "*" in text):  # refused before anything is composed, as _NoAliasLoader
            for event in yaml.parse(text, Loader=_CLineLoader):
                if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                    return None
        loader = _CLineLoader(text)
        node = loader.get_single_node()
        if node is not None and aliases:
            _expanded_size(node, MAX_EXPANDED_NODES)
        return (loader.construct_document(node) if node is not None else None), node
    except Exception:  # noqa: BLE001 - whatever it is, the pure-Python loader reports it precisely
        return None
    finally:
        if loader is not None:
            loader.dispose()


try:  # optional: without it every file goes through PyYAML
    import yaml_rs
except ImportError:  # pragma: no cover - it is in requirements.txt
    yaml_rs = None

# Where PyYAML (YAML 1.1) and yaml_rs (YAML 1.2) may read a text differently, or PyYAML refuses what yaml_rs takes:
# anchors and aliases (refused in users' files), tags, directives, tabs, the line breaks only YAML 1.1 has (NEL,
# U+2028, U+2029) and the characters PyYAML's reader refuses.
# Document markers (--- and ...) need no check: yaml_rs gives a list for several documents, refused below.
# Each check is a search for one byte or character (memchr speed): a regex alternating them, or a search for two or
# three bytes, costs more than yaml_rs's whole reading. What PyYAML's reader refuses: C0 controls but tab and line
# breaks, DEL, C1 controls (C2 80-9F in UTF-8, NEL among them), U+FFFE and U+FFFF (lone surrogates are not UTF-8).
_QUICK_BYTES = bytes(c for c in range(256) if (c >= 0x20 or c in b"\n\r") and c != 0x7F and c not in b"&*!")
_C1 = re.compile(b"\xc2[\x80-\x9f]")


def _not_quick(data: bytes, text: str) -> bool:
    """True when ``text`` (``data`` decoded) has any of what :func:`load_yaml_quick` leaves to PyYAML (see above).

    Examples
    --------
    >>> [_not_quick(t.encode(), t) for t in ("a: b", "a: &x b", "%YAML 1.1\\n", "a: \\x85", "a: \\u3000")]
    [False, True, True, True, False]
    """
    return bool(data.translate(None, _QUICK_BYTES)
                or b"%" in data and (data.startswith(b"%") or b"\n%" in data or b"\r%" in data)
                or b"\xc2" in data and _C1.search(data)
                or "\u2028" in text or "\u2029" in text or "\ufffe" in text or "\uffff" in text)


_IMPLICIT = yaml.SafeLoader.yaml_implicit_resolvers  # first character -> [(tag, regex)]: YAML 1.1's plain types
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


def _implicit_matchers(date: bool) -> dict[str, tuple]:
    """First character -> the ``match`` of each of YAML 1.1's plain types that may start with it (the timestamp's
    left out when ``date``), for :func:`_text_in_pyyaml`; most texts start with a character that has none."""
    return {ch: tuple(rx.match for tag, rx in pairs if not (date and tag == _TIMESTAMP))
            for ch, pairs in _IMPLICIT.items()}


_MATCHERS = {False: _implicit_matchers(False), True: _implicit_matchers(True)}


def _text_in_pyyaml(value: str, date: bool = False) -> bool:
    """False when PyYAML would read ``value`` written plain as something else than this text (``yes``, ``1:20``,
    ``2025-04-20``, ``~``, empty) or refuse it (a plain scalar cannot start with ``%``, ``@`` or a backquote);
    ``date``: a date or time is as good as its text."""
    if not value or value[0] in "%@`":
        return False
    for match in _MATCHERS[date].get(value[0], ()):
        if match(value):
            return False
    return True


def load_yaml_quick(path: Path, dates=()) -> dict | None:
    """A small flat YAML mapping of texts and lists of texts (``NAME.meta.yaml``) read by yaml_rs (Rust, 8 times
    PyYAML's libyaml binding on such a file, where building Python marks and nodes per value dominates), or None.

    None whenever the reading could differ from :func:`load_yaml_lines` by PyYAML: yaml_rs missing, the file
    unreadable or over the size limit, anything :func:`_not_quick` finds, a YAML error or a duplicate key, a value that
    is not a text or a list of texts, or a text PyYAML would read as another type, except a date or time under a key
    in ``dates``: the caller must then turn both readings into the same text (``2025-04-20``), or refuse both. The
    caller reads the file with :func:`load_yaml_lines` after a None, which gives the lines and the messages; no line
    marks here (``__line__`` is absent).

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "a.meta.yaml").write_text('title: "Plan"\\nsources: [x, y]\\n')
    >>> _ = (d / "b.meta.yaml").write_text("title: yes")  # PyYAML reads true
    >>> load_yaml_quick(d / "a.meta.yaml"), load_yaml_quick(d / "b.meta.yaml")
    ({'title': 'Plan', 'sources': ['x', 'y']}, None)
    """
    if yaml_rs is None:
        return None
    from .clean import read_input

    try:
        data = read_input(path, "YAML file")
        if data.startswith(codecs.BOM_UTF8):
            data = data[3:]
        text = data.decode("utf-8")
        if _not_quick(data, text):
            return None
        mapping = yaml_rs.loads(text, parse_datetime=False)
    except Exception:  # noqa: BLE001 - whatever it is, load_yaml_lines reports it precisely
        return None
    if not isinstance(mapping, dict):
        return None
    for key, value in mapping.items():
        if isinstance(value, str):
            if not _text_in_pyyaml(value, key in dates):
                return None
        elif not isinstance(value, list) or not all(isinstance(v, str) and _text_in_pyyaml(v) for v in value):
            return None
    return mapping


def load_yaml(path: Path, aliases: bool = True) -> dict:
    """Read a YAML mapping; every nested mapping carries its line under ``__line__``.

    ``aliases=False`` (files a user gives) refuses anchors and aliases; otherwise their expansion is bounded by
    :data:`MAX_EXPANDED_NODES`. Any problem is an :class:`InputError` with the file and line.
    """
    return load_yaml_lines(path, aliases)[0]


def load_yaml_lines(path: Path, aliases: bool = True) -> tuple[dict, dict[str, int]]:
    """:func:`load_yaml` and the line of each top-level key (``{key: line}``), for errors about one key."""
    from .clean import read_input

    data_bytes = read_input(path, "YAML file", limited=not aliases)  # the size limit is for files users give
    try:
        text = data_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("not UTF-8; save the file as UTF-8", path=path,
                         line=data_bytes[:exc.start].count(b"\n") + 1) from exc
    loader = None
    fast = _load_fast(text, aliases)
    try:
        if fast is not None:
            data, node = fast
        else:
            loader = (_LineLoader if aliases else _NoAliasLoader)(text)  # the reader refuses control characters here
            node = loader.get_single_node()
            if node is not None and aliases:
                _expanded_size(node, MAX_EXPANDED_NODES)
            data = loader.construct_document(node) if node is not None else None
    except _Refused as exc:
        raise InputError(exc.message, path=path, line=exc.line) from None
    except yaml.reader.ReaderError as exc:
        raise InputError(f"invalid YAML: character U+{exc.character if isinstance(exc.character, int) else 0:04X} is "
                         "not allowed in YAML; remove it", path=path,
                         line=text[:exc.position].count("\n") + 1) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(f"invalid YAML: {getattr(exc, 'problem', None) or exc}", path=path,
                         line=None if mark is None else mark.line + 1) from None
    except RecursionError:
        raise InputError("the YAML is nested too deeply", path=path) from None
    except (ValueError, OverflowError) as exc:  # e.g. a date 2025-13-45 or an integer of 5,000 digits
        line, key = _failing_value(node)
        raise InputError(f"invalid value: {exc}; correct it, or quote it to keep it as text", path=path, line=line,
                         field=key) from None
    finally:
        if loader is not None:
            loader.dispose()
    if not isinstance(data, dict):
        raise InputError("expected a mapping (key: value lines) at the top level", path=path)
    key_lines = {}
    if isinstance(node, yaml.MappingNode):
        for k, _ in node.value:
            key_lines.setdefault(str(k.value), k.start_mark.line + 1)
    return data, key_lines


def _failing_value(node) -> tuple[int | None, str | None]:
    """Line and key of the first top-level value that cannot be constructed."""
    for k, v in getattr(node, "value", ()) if isinstance(node, yaml.MappingNode) else ():
        probe = _LineLoader("")
        try:
            probe.construct_document(v)
        except (ValueError, OverflowError, yaml.YAMLError):
            return v.start_mark.line + 1, str(k.value)
        finally:
            probe.dispose()
    return None, None


def strip_lines(value):
    """A copy of ``value`` without the ``__line__`` keys."""
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in value.items() if k != LINE_KEY}
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    return value
