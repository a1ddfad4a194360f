"""Where each value of a YAML file is written: line numbers for the messages of ``validate``.

``yaml.safe_load`` gives the data and forgets where it came from. A planner told that
``programs.0.points.points_per_currency`` is negative wants the line too, so the file is also
composed into PyYAML's node tree, whose nodes keep their position, and every path is mapped to
the line of its key (or of its item, in a list). The same walk finds keys written twice in one
mapping, which ``safe_load`` silently resolves in favour of the last one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

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
        The document. It must already be known to parse (``yaml.safe_load`` succeeded).
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
