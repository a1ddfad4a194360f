"""A commented starter scenario, written from the schema itself (``loyalsim new``).

Every field of every section appears with its default value and, above it, a comment with its
description, unit and the source of the default, so a planner can start from a file that
documents itself and replace the values with their own. Because the text is generated from
``sim.scenario.Scenario``, it is never out of date.
"""

from __future__ import annotations

import textwrap
from typing import Any

import yaml
from pydantic import BaseModel

from sim.scenario import Scenario

HEADER = """\
# {name}: a starter scenario written by `loyalsim new`.
#
# Every field below holds its default, with its description, unit and the source of the
# default in the comment above it (docs/scenario.md lists the allowed ranges). Replace the
# values with your business's own figures, delete the fields you keep at their defaults, and
# check the file with `loyalsim validate {file}`.
#
# Loyalty-program designs go under `programs:` (see the scenarios/ folder for one file per
# program type); `loyalsim compare {file}` weighs each against no program.
"""

WIDTH = 96


def starter_text(name: str = "My business", file: str = "scenario.yaml") -> str:
    """The YAML text of a starter scenario with every field commented.

    The name and file go into the header's comments on one line each, so that a line break in
    them cannot end a comment and put text into the YAML (the name itself is written by YAML).
    """
    lines = [HEADER.format(name=" ".join(name.splitlines()), file=" ".join(file.splitlines()))]
    defaults = Scenario(name=name)
    lines += _section(defaults, 0)
    return "\n".join(lines) + "\n"


def _comment(field: Any, indent: int) -> list[str]:
    extra = field.json_schema_extra or {}
    text = (field.description or "").strip()
    details = [extra.get("unit"), extra.get("source")]
    note = "; ".join(str(d) for d in details if d)
    full = f"{text} [{note}]" if note else text
    pad = " " * indent
    return textwrap.wrap(
        full, WIDTH - indent, initial_indent=pad + "# ", subsequent_indent=pad + "# "
    )


def _section(model: BaseModel, indent: int) -> list[str]:
    pad = " " * indent
    out: list[str] = []
    data = model.model_dump(mode="json")
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        out += _comment(field, indent)
        if isinstance(value, BaseModel):
            out.append(f"{pad}{name}:")
            out += _section(value, indent + 2)
            out.append("")
            continue
        plain = data[name]
        if plain is None:
            out.append(f"{pad}# {name}:   (not set)")
            continue
        dumped = yaml.safe_dump(
            {name: plain}, sort_keys=False, default_flow_style=False, width=WIDTH
        )
        out += [pad + line for line in dumped.rstrip("\n").splitlines()]
    return out
