"""Run every native scenario of scenarios.cpp against the compiled LiquidityGuard.mq5."""

from __future__ import annotations

import subprocess
from pathlib import Path

import harness
import pytest

SCENARIOS = harness.scenario_names()


def test_the_scenario_table_is_what_the_binary_runs(guard_binary: Path) -> None:
    listed = subprocess.run([str(guard_binary), "list"], capture_output=True, text=True, check=True)
    assert listed.stdout.split() == SCENARIOS
    assert len(SCENARIOS) >= 20


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario(guard_binary: Path, scenario: str, tmp_path: Path) -> None:
    proc = harness.run_scenario(guard_binary, scenario, tmp_path)
    assert proc.returncode == 0, f"{scenario} failed:\n{proc.stderr}"


def test_an_unknown_scenario_is_an_error_not_a_pass(guard_binary: Path, tmp_path: Path) -> None:
    proc = harness.run_scenario(guard_binary, "no_such_scenario", tmp_path)
    assert proc.returncode == 2


def test_ea_compiles_with_inputs_read_only_and_warnings_as_errors(gxx_available: str) -> None:
    # MQL5 inputs are read-only: with `input` = const, any assignment to one fails to compile
    harness.strict_check()


def test_an_ea_that_writes_to_an_input_fails_the_strict_build(
    gxx_available: str, tmp_path: Path
) -> None:
    for src in harness.MQL5_DIR.iterdir():
        if src.suffix in (".mq5", ".mqh"):
            (tmp_path / src.name).write_bytes(src.read_bytes())
    ea = tmp_path / harness.EA_MAIN
    text = ea.read_text(encoding="utf-8")
    bad = text.replace("void OnTimer()\n  {\n", "void OnTimer()\n  {\n   InpTimerMs = 5;\n")
    assert bad != text
    ea.write_text(bad, encoding="utf-8")
    with pytest.raises(harness.BuildError, match=r"read-only"):
        harness.strict_check(tmp_path, build_root=tmp_path / "build")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        # a property of the wrong kind does not compile in MQL5 either
        ("double v = PositionGetDouble(POSITION_TYPE);", "POSITION_TYPE"),
        # in C++ "a" + 5 would be pointer arithmetic; translated, it is refused
        ('string s = "count " + 5;', "operator"),
        # an API the shim does not implement is a loud gap, never a silent stub
        ("MqlTradeRequest r; MqlTradeResult res; OrderSendAsync(r, res);", "OrderSendAsync"),
        # an array cannot be copied by assignment in MQL5
        ("double a[]; double b[]; a = b;", "deleted"),
    ],
)
def test_the_shim_refuses_what_mql5_refuses(
    gxx_available: str, tmp_path: Path, body: str, error: str
) -> None:
    proc = harness.compile_snippet(f"void Check()\n  {{\n   {body}\n  }}\n", tmp_path)
    assert proc.returncode != 0
    assert error in proc.stderr


def test_a_valid_snippet_compiles(gxx_available: str, tmp_path: Path) -> None:
    body = 'double v = PositionGetDouble(POSITION_VOLUME); Print("n=" + IntegerToString(5), v);'
    proc = harness.compile_snippet(f"void Check()\n  {{\n   {body}\n  }}\n", tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_the_strict_build_flags_lossy_conversions_and_shadowing(
    gxx_available: str, tmp_path: Path
) -> None:
    # MetaEditor warns "possible loss of data" and "declaration hides global variable"
    lossy_src = "int Check(long x)\n  {\n   int y = x;\n   return y;\n  }\n"
    lossy = harness.compile_snippet(lossy_src, tmp_path / "a")
    assert lossy.returncode != 0
    assert "conversion" in lossy.stderr
    shadow_src = "int g_n = 0;\nint Check()\n  {\n   int g_n = 1;\n   return g_n;\n  }\n"
    shadow = harness.compile_snippet(shadow_src, tmp_path / "b")
    assert shadow.returncode != 0
    assert "shadows" in shadow.stderr


@pytest.mark.parametrize("seed", range(1, 21))
def test_random_trading_never_leaves_a_limit_breached(
    guard_binary: Path, seed: int, tmp_path: Path
) -> None:
    # 80 random steps per seed (manual trades on hedging or netting, price moves, new limits,
    # lca falling silent); after each, every cap, the leverage cap and the MSI floor hold, and in
    # fail-safe nothing grows
    proc = harness.run_scenario(guard_binary, "fuzz", tmp_path, env={"LCA_FUZZ_SEED": str(seed)})
    assert proc.returncode == 0, proc.stderr[-3000:]
