"""YAML reading that remembers line numbers, so errors can point at the line, and that cannot be blown up.

Aliases (``*name``) make YAML a compression format: nine lines of nested aliases ("billion laughs") stand for 10**9
values, and any code that copies the loaded data (``strip_lines`` does) runs out of memory. So files a user gives
(``NAME.meta.yaml``, ``--weights``) may not use anchors or aliases at all, and the project's own ``data/`` files,
which use a few (``&seed``, ``&geo``), are refused when their expansion exceeds :data:`MAX_EXPANDED_NODES`; both are
checked on the composed node tree, before anything is constructed or copied.
"""

from __future__ import annotations

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
