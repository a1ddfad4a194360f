"""Where each value of a YAML file is written: line numbers for the messages of ``validate``.

``yaml.safe_load`` gives the data and forgets where it came from. A planner told that
``programs.0.points.points_per_currency`` is negative wants the line too, so the file is also
composed into PyYAML's node tree, whose nodes keep their position, and every path is mapped to
the line of its key (or of its item, in a list). The same walk finds keys written twice in one
mapping, which ``safe_load`` silently resolves in favour of the last one.

Every YAML text a user gives (a scenario file, the value of ``--set``) is read by
:func:`load_yaml`, which refuses, with a message, what would otherwise hang or crash the
readers after it: an alias bomb (anchors repeated within anchors until the data is billions of
values), an alias that contains itself, nesting deep enough to exhaust Python's recursion, and
a value that YAML resolves to an impossible date or an integer of thousands of digits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml

MAX_DEPTH = 32
"""Deepest nesting of mappings and lists allowed: the bundled scenarios nest 8 levels at most (a
perk of a tier of a program design), and every reader after :func:`load_yaml` walks the data
recursively."""

MAX_VALUES = 100_000
"""Most values (keys, scalars, mappings and lists, each alias counted as all it repeats) a
document may hold: the bundled scenarios hold about 200, a day-by-day list over a century
36,500; an alias bomb holds billions."""


class YamlTextError(ValueError):
    """YAML text that cannot be read; the message says why, and where when it is known."""


class _ScenarioLoader(yaml.SafeLoader):
    """PyYAML's safe loader, with a value it cannot build reported where it is written."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Build ``node``; a ``ValueError`` (``2024-99-99`` read as a date, an integer of more
        than 4,300 digits) becomes a YAML error with the node's position."""
        try:
            return super().construct_object(node, deep)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"cannot read the value ({exc}); quote it to keep it as text",
                node.start_mark,
            ) from None


def load_yaml(text: str) -> Any:
    """The data of one YAML document, refused when it could hang or crash what reads it.

    Parameters
    ----------
    text
        The document: a scenario file's text, or a value given on the command line.

    Raises
    ------
    YamlTextError
        If the text is not YAML, is nested deeper than :data:`MAX_DEPTH`, holds more than
        :data:`MAX_VALUES` values once its aliases are expanded, has an alias inside the
        collection it names, or has a value that cannot be built (an impossible date).
    """
    try:
        _check_shape(yaml.parse(text, Loader=yaml.SafeLoader))
        return yaml.load(text, Loader=_ScenarioLoader)  # a SafeLoader: plain data only
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlTextError(f"not valid YAML{where}: {problem}") from None


def _check_shape(events: Iterable[yaml.Event]) -> None:
    """Refuse a document too deep or too large, from its parse events alone.

    The events come from PyYAML's parser, which does not recurse, and an alias is counted as
    the number of values of the node it names (known once that node has ended): so the check
    takes time in proportion to the text, whatever the aliases would expand to.
    """
    values = 0
    open_nodes: list[tuple[str | None, int]] = []  # per open collection: anchor, values before
    sizes: dict[str, int] = {}  # values of each anchored node that has ended
    for event in events:
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            if any(anchor == event.anchor for anchor, _ in open_nodes):
                raise YamlTextError(
                    f"alias *{event.anchor} at line {line} repeats a collection that holds "
                    "it: the data would never end"
                )
            values += sizes.get(event.anchor, 0)  # an unknown anchor: the loader says so
        elif isinstance(event, yaml.ScalarEvent):
            values += 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.CollectionStartEvent):
            open_nodes.append((event.anchor, values))
            values += 1
            if len(open_nodes) > MAX_DEPTH:
                raise YamlTextError(
                    f"nested more than {MAX_DEPTH} levels deep at line {line}; the bundled "
                    "scenarios nest 8 at most"
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, before = open_nodes.pop()
            if anchor is not None:
                sizes[anchor] = values - before
        if values > MAX_VALUES:
            raise YamlTextError(
                f"more than {MAX_VALUES:,} values (reached at line {line}), counting each "
                "alias (*name) as all the values it repeats; the bundled scenarios hold about 200"
            )


KeyPath = tuple[str | int, ...]
"""Where a value is in the document: mapping keys and list positions from the root."""


@dataclass(frozen=True)
class YamlSource:
    """A YAML document's lines: ``lines[path]`` is the 1-based line where ``path`` is written."""

    lines: dict[KeyPath, int] = field(default_factory=dict)
    duplicates: list[tuple[KeyPath, int, int]] = field(default_factory=list)
    """Keys written twice in one mapping: (path, first line, repeated line)."""

    def line_of(self, path: KeyPath) -> int | None:
        """The line of ``path``, or of its nearest written ancestor (``None``: unknown)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


def yaml_source(text: str) -> YamlSource:
    """Map every path of a YAML document to its line, and find repeated keys.

    Parameters
    ----------
    text
        The document. It must already be known to parse (:func:`load_yaml` succeeded: the
        walk below recurses and expands every alias).
    """
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    source = YamlSource()
    if root is not None:
        source.lines[()] = root.start_mark.line + 1
        _walk(root, (), source)
    return source


def _walk(node: yaml.Node, path: KeyPath, source: YamlSource) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            here = (*path, key)
            line = key_node.start_mark.line + 1
            if key in seen:
                source.duplicates.append((here, seen[key], line))
            seen[key] = line
            source.lines[here] = line
            _walk(value_node, here, source)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            here = (*path, index)
            source.lines[here] = item.start_mark.line + 1
            _walk(item, here, source)
