"""Issue 10 item 6: a scheduled event lowers the caps of the affected symbols and cuts those first;
the reason names the event."""

from __future__ import annotations

from dataclasses import replace

from controller import Event, Settings, decide
from tests.controller.builders import T0, account, fx, pos, snapshot

S = Settings()
QUOTES = {"GBPUSD": (1.2699, 1.2701), "EURJPY": (164.99, 165.01), "USDJPY": (149.99, 150.01),
          "EURUSD": (1.0999, 1.1001)}


def _book():
    specs = [fx("GBPUSD"), fx("EURJPY"), fx("USDJPY"), fx("EURUSD")]
    # GBPUSD 0.10 lot ≈ 12 700 USD (the larger, first by LVI), EURJPY 0.06 lot ≈ 6 600 USD:
    # EffLev 1.93 on 10 000, below the 2.0 rule
    snap = snapshot(account(equity=10_000.0, margin=400.0), specs,
                    [pos(1, "GBPUSD", 0.10), pos(2, "EURJPY", 0.06)], QUOTES)
    boj = Event(time=T0 + 3600.0, currencies=("JPY",), cap_factor=0.5, label="BoJ decision")
    return replace(snap, events=(boj,))


def test_item06_a_jpy_event_cuts_eurjpy_not_gbpusd_and_names_the_event():
    d = decide(_book(), S)
    assert d.binding_cap == "extras"
    assert d.actions
    assert {a.symbol for a in d.actions} == {"EURJPY"}
    assert "BoJ decision" in d.actions[0].reason


def test_item06_the_affected_symbol_gets_no_headroom_and_its_limit_names_the_event():
    d = decide(_book(), S)
    limits = {x.symbol: x for x in d.limits.symbols}
    assert limits["EURJPY"].max_volume <= limits["EURJPY"].current_volume
    assert "BoJ decision" in limits["EURJPY"].reason
