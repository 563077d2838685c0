"""Hypothesis invariants of the planner and the decision (DESIGN §3.4, STYLE "going beyond").

- a plan never increases exposure;
- every volume is a multiple of the step and ≥ the minimum, or a full close;
- after a full plan EffLev ≤ target;
- in HALTED no action increases exposure (and everything open is closed).
"""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from controller import Settings, TradingState, decide
from controller.memory import ControllerMemory
from controller.settings import PropSettings
from tests.controller.builders import account, fx, pos, snapshot

S = Settings()
SYMBOLS = {"EURUSD": (1.0999, 1.1001), "USDJPY": (149.99, 150.01), "GBPUSD": (1.2699, 1.2701)}
STEPS = {"EURUSD": (0.01, 0.01), "USDJPY": (0.1, 0.1), "GBPUSD": (0.01, 0.05)}


@st.composite
def books(draw):
    n = draw(st.integers(1, 8))
    positions = []
    for i in range(n):
        sym = draw(st.sampled_from(sorted(SYMBOLS)))
        step, vmin = STEPS[sym]
        k = draw(st.integers(max(1, round(vmin / step)), 400))
        positions.append(pos(1000 + i, sym, round(k * step, 10), kind=draw(st.integers(0, 1)),
                             profit=draw(st.floats(-500, 500))))
    equity = draw(st.floats(2_000, 200_000))
    margin = draw(st.floats(50, 50_000))
    hedging = draw(st.booleans())
    specs = [fx(s, step=STEPS[s][0], vmin=STEPS[s][1]) for s in SYMBOLS]
    return snapshot(account(equity=equity, margin=margin, hedging=hedging), specs, positions,
                    SYMBOLS)


def _unit(snap, symbol):
    spec = snap.symbols[symbol]
    m = snap.market[symbol]
    return spec.trade_contract_size * m.mid * snap.rates[spec.currency_profit]


def _covered_value_after(snap, actions):
    """Account-currency value of both legs of the covered (hedged) volume left after a plan."""
    legs: dict[str, list[float]] = {}
    for p in snap.positions:
        legs.setdefault(p.symbol, [0.0, 0.0])[p.type] += p.volume
    for a in actions:
        legs[a.symbol][0 if a.side == "sell" else 1] -= a.volume
    return sum(2.0 * min(long, short) * _unit(snap, s) for s, (long, short) in legs.items())


def _on_grid(volume, step):
    k = volume / step
    return abs(k - round(k)) < 1e-6


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(books())
def test_plan_never_increases_exposure_and_respects_volumes(snap):
    d = decide(snap, S)
    by_ticket = {p.ticket: p for p in snap.positions}
    closed: dict[int, float] = {}
    for a in d.actions:
        p = by_ticket[a.ticket]  # only existing positions are touched
        assert a.side == ("sell" if p.type == 0 else "buy")  # the opposite side: a close
        assert a.symbol == p.symbol
        assert a.volume > 0.0
        spec = snap.symbols[a.symbol]
        if not a.full_close:
            assert _on_grid(a.volume, spec.volume_step), a
            assert a.volume >= spec.volume_min - 1e-9, a
        closed[a.ticket] = closed.get(a.ticket, 0.0) + a.volume
    for ticket, lots in closed.items():
        assert lots <= by_ticket[ticket].volume + 1e-9


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(books())
def test_after_a_full_plan_eff_lev_is_at_most_the_target(snap):
    d = decide(snap, S)
    pv_after = sum(p.volume * _unit(snap, p.symbol) for p in snap.positions)
    pv_after -= sum(a.volume * _unit(snap, a.symbol) for a in d.actions)
    if d.actions:
        # the target is reached, except for a hedge's covered volume, which a partial plan
        # leaves in place rather than open net exposure by cutting one leg (issue 10 item 1)
        covered = _covered_value_after(snap, d.actions)
        excess = pv_after - d.target_eff_lev * snap.account.equity
        assert excess <= covered + 1e-6 * pv_after + 1e-6
    else:
        # no plan only when no cap asks for one, or the cut is below the minimum
        asked = any(c.triggered for c in d.caps)
        pv = d.metrics.position_value
        cut = pv - d.target_eff_lev * snap.account.equity
        covered = _covered_value_after(snap, d.actions)
        assert not asked or cut <= S.plan.min_cut_fraction * pv + 1e-6 or cut <= covered + 1e-6


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(books())
def test_halted_closes_everything_and_adds_nothing(snap):
    # a prop account whose daily loss is already breached: HALTED
    prop = PropSettings(enabled=True, daily_loss_fraction=0.05, max_drawdown_fraction=None,
                        initial_balance=snap.account.equity * 1.2)
    s = Settings(prop=prop)
    memory = ControllerMemory(locked=True, lock_until=snap.time + 3600, lock_reason="daily loss")
    d = decide(snap, s, memory=memory)
    assert d.state is TradingState.HALTED
    assert all(x.max_volume == 0.0 for x in d.limits.symbols)
    assert not d.limits.new_exposure_allowed
    closed = {}
    for a in d.actions:
        closed[a.ticket] = closed.get(a.ticket, 0.0) + a.volume
    for p in snap.positions:
        assert math.isclose(closed.get(p.ticket, 0.0), p.volume, rel_tol=1e-9, abs_tol=1e-9)
