"""Every result table of every bundled scenario is bit-identical to its recorded fingerprint.

The fingerprints (``tests/data/golden_tables.json``, written by ``tests/golden.py``) guard
refactors: moving code must not move a single value. A change meant to change results
regenerates them in the same commit and says why.
"""

from __future__ import annotations

import golden
import pytest

EXPECTED = golden.load()
CASES = dict(golden.cases())


def test_every_case_has_a_recorded_fingerprint():
    assert sorted(CASES) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(CASES))
def test_result_tables_are_unchanged(name):
    changed = golden.differences(EXPECTED[name], CASES[name]())
    assert not changed, f"{name} changed:\n" + "\n".join(changed[:40])
