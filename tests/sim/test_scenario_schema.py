"""The scenario file's tables are pydantic models (strict, unknown keys refused), and their errors
read as before: the key, the value and what is allowed (docs/scenarios.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.sim import ScenarioError, load_scenario
from bridge.sim.scenario import schema

BASE = """name = "t"
start = 2019-02-05T10:00:00Z
end = 2019-02-05T12:00:00Z
[[symbols]]
name = "EURUSD"
"""
GENERATOR = """[generator]
preset = "S7"
[generator.symbols.EURUSD]
price = 1.1
"""


def test_every_scenario_table_is_a_strict_pydantic_model_refusing_unknown_keys() -> None:
    models = [getattr(schema, name) for name in schema.__all__]
    assert len(models) == 14
    for model in models:
        assert model.model_config.get("strict") is True, model
        assert model.model_config.get("extra") == "forbid", model


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (BASE + GENERATOR + "foo = 1\n",  # a key of the optional [generator] table
         "generator.symbols.EURUSD.foo is not a known key; allowed here: "
         "['beta', 'price', 'stress']"),
        (BASE + GENERATOR.replace("[generator.symbols", "tick_size = 1\n[generator.symbols"),
         "generator.tick_size is not a known key; allowed here: ['crash_tick_seconds', "
         "'history_days', 'preset', 'symbols', 'tick_seconds', 'warmup_tick_seconds']"),
        (BASE + GENERATOR + "[account]\nbalance = true\n",
         "account.balance = True has the wrong type; expected float"),
        (BASE + GENERATOR + "[account]\nbalance = 0\n", "account.balance = 0.0 must be > 0"),
        (BASE.replace('[[symbols]]\nname = "EURUSD"\n', "symbols = [3]\n") + GENERATOR,
         "symbols[0] must be a table, got 3"),
        (BASE + GENERATOR + "[[faults]]\nkind = 'requote'\nat = true\n",
         "faults[0].at = True has the wrong type; expected str or float or datetime"),
        (BASE.replace('name = "EURUSD"\n', 'name = "EURUSD"\ndigits = 9\n') + GENERATOR,
         "symbols[0].digits = 9 must be within 0..8"),
        # a missing key: its type in the words the wrong-type errors use
        (BASE.replace('name = "EURUSD"\n', "spread_points = 3\n") + GENERATOR,
         "symbols[0].name is missing; it is required (expected str)"),
        (BASE + GENERATOR + '[[book]]\nsymbol = "EURUSD"\ntype = "buy"\n',
         "book[0].volume is missing; it is required (expected float)"),
        (BASE + GENERATOR + "[[balance_ops]]\namount = 100.0\n",
         "balance_ops[0].time is missing; it is required (expected str or datetime or int or "
         "float)"),
    ],
)
def test_a_bad_table_names_the_key_the_value_and_what_is_allowed(tmp_path: Path, text: str,
                                                                 message: str) -> None:
    path = tmp_path / "s.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value) == f"{path}: {message}"  # the file, then the problem in it
    assert "<class" not in str(info.value)

