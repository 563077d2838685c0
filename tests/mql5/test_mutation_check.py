"""The mutation check stays meaningful: every mutant still applies, and a mutant is really caught.

The full check (all mutants, about 35 s) runs as ``uv run python tests/mql5/mutation_check.py``.
"""

from __future__ import annotations

from pathlib import Path

import harness
import pytest
from mutation_check import MUTANTS, Mutant, apply_mutant, check_mutant


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_each_mutant_applies_exactly_once_and_changes_the_source(
    mutant: Mutant, tmp_path: Path
) -> None:
    apply_mutant(mutant, harness.MQL5_DIR, tmp_path)
    original = (harness.MQL5_DIR / mutant.file).read_text(encoding="utf-8")
    assert (tmp_path / mutant.file).read_text(encoding="utf-8") != original


def test_there_are_at_least_six_mutants_with_distinct_names() -> None:
    assert len({m.name for m in MUTANTS}) == len(MUTANTS) >= 6


def test_a_mutant_whose_text_is_gone_is_reported(tmp_path: Path) -> None:
    stale = Mutant("stale", "LgEnforce.mqh", "this text is not in the EA", "x")
    with pytest.raises(ValueError, match="occurs 0 times"):
        apply_mutant(stale, harness.MQL5_DIR, tmp_path)


def test_rounding_the_close_volume_down_is_caught(gxx_available: str, tmp_path: Path) -> None:
    mutant = next(m for m in MUTANTS if "rounded down" in m.name)
    caught, why = check_mutant(mutant, tmp_path)
    assert caught, why
