"""`[safe_leverage.symbol_classes]` reaches the live guard, not only `lca decide`: a symbol's
class (and so its ESMA L_max) is the one the user wrote, on the terminal port too."""

from __future__ import annotations

from bridge.app import build_guard
from bridge.config import AppConfig, RunSettings
from controller.settings import SafeLeverageSettings, SymbolClass


def test_the_configured_symbol_class_is_the_guards_own(tmp_path):
    config = AppConfig(run=RunSettings(journal=f"sqlite:///{tmp_path}/j.db", log_file="",
                                       compare_unguarded=False),
                       safe_leverage=SafeLeverageSettings(symbol_classes={"GBPUSD": "crypto"}))
    guard = build_guard(config)
    guard.start()
    assert guard.snapshot is not None
    assert guard.snapshot.symbols["GBPUSD"].symbol_class is SymbolClass.CRYPTO
    assert guard.snapshot.symbols["EURUSD"].symbol_class is SymbolClass.MAJOR_FX  # guessed
    guard.cycle()
    assert guard.decision is not None
    # the book's harmonic L_max: GBPUSD weighs in at crypto's 2, not major FX's 30
    assert guard.decision.metrics.l_max is not None
    assert guard.decision.metrics.l_max < 5.0
    guard.stop("test")
    guard.journal.close()
