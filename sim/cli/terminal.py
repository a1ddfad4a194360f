"""The terminal of ``loyalsim``: every text a user wrote is printed exactly as written.

Rich reads ``[...]`` in a printed string as markup and ``:name:`` as an emoji code, and a
terminal obeys the control characters a YAML ``"\\e[2J"`` can put in a name. So a scenario named
``[/bold] x`` would crash a print, one named ``Tea :cup: club`` would lose words, one with an
escape sequence could clear the screen. The console of :func:`terminal` never replaces emoji
codes, and every user string that goes into a printed message, a table's title or a cell (a
scenario, design, rung or figure name, a path, a problem quoting a value) goes through
:func:`literal`.
"""

from __future__ import annotations

import re

from rich.console import Console
from rich.markup import escape

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Characters a terminal acts on rather than shows (all C0 and C1 controls but tab and
newline)."""


def terminal() -> Console:
    """The console every ``loyalsim`` command prints to: soft-wrapped, no emoji codes."""
    return Console(soft_wrap=True, emoji=False)


def literal(text: object) -> str:
    """``text`` ready to go into a rich markup string and be printed as written.

    Markup is escaped (``[red]`` prints as ``[red]``) and control characters are shown as
    Python escapes (``\\x1b``), so that no text a user wrote can style, break or take over the
    terminal.

    Parameters
    ----------
    text
        A user's text, or anything that holds some (a path, an exception); ``str()`` of it is
        used.
    """
    shown = _CONTROL_CHARACTERS.sub(
        lambda found: found.group().encode("unicode_escape").decode("ascii"), str(text)
    )
    return escape(shown)
