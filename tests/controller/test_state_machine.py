"""A rule-based state machine over the trading states: the market moves, the controller decides,
its slices are executed; in every state no action adds exposure, in HALTED and INSOLVENT nothing
may be added and everything is being closed, and a daily lock lasts until the next reset."""

from __future__ import annotations

import hypothesis.strategies as st
from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from controller import Settings, TradingState, decide
from controller.memory import ControllerMemory
from controller.settings import PropSettings
from tests.controller.builders import T0, account, fx, pos, snapshot

PROP = Settings(prop=PropSettings(enabled=True, daily_loss_fraction=0.05,
                                  max_drawdown_fraction=0.10, initial_balance=100_000.0))


class TradingStates(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.time = T0
        self.balance = 100_000.0
        self.equity = 100_000.0
        self.volumes = {1: 10.0, 2: 8.0}
        self.memory = ControllerMemory()
        self.decision = None
        self.before: dict[int, float] = {}

    def _snapshot(self):
        positions = [pos(t, "EURUSD", v, price=1.1) for t, v in self.volumes.items() if v > 0]
        margin = sum(v for v in self.volumes.values()) * 110_000 / 30
        return snapshot(account(equity=self.equity, margin=margin, balance=self.balance),
                        [fx()], positions, {"EURUSD": (1.0999, 1.1001)}, time=self.time)

    @rule(change=st.floats(-0.04, 0.03), minutes=st.integers(1, 600))
    def market_moves_and_guard_decides(self, change, minutes):
        self.time += 60.0 * minutes
        self.equity += change * 100_000.0
        before = {t: v for t, v in self.volumes.items() if v > 0}
        self.before = before
        d = decide(self._snapshot(), PROP, memory=self.memory)
        self.decision = d
        for a in d.actions:
            assert a.ticket in before
            assert a.volume <= before[a.ticket] + 1e-9
            assert a.side == "sell"  # every position is long: only sells reduce
            if a.not_before <= self.time:
                self.volumes[a.ticket] = round(self.volumes[a.ticket] - a.volume, 10)
        self.memory = d.memory

    @invariant()
    def closed_states_add_nothing(self):
        d = self.decision
        if d is None:
            return
        if d.state in (TradingState.HALTED, TradingState.INSOLVENT):
            assert not d.limits.new_exposure_allowed
            closing: dict[int, float] = {}
            for a in d.actions:
                closing[a.ticket] = closing.get(a.ticket, 0.0) + a.volume
            assert closing.keys() == self.before.keys()
            for ticket, volume in self.before.items():
                assert abs(closing[ticket] - volume) < 1e-9
        if d.state is TradingState.HALTED:
            assert all(x.max_volume == 0.0 for x in d.limits.symbols)
        if d.state is not TradingState.ACTIVE:
            for row in d.limits.symbols:
                assert row.max_volume <= row.current_volume + 1e-9

    @invariant()
    def lock_holds_until_the_reset(self):
        if self.memory.locked and self.memory.lock_until is not None:
            assert self.decision is not None
            assert self.decision.state in (TradingState.HALTED, TradingState.INSOLVENT)


TestTradingStates = TradingStates.TestCase
TestTradingStates.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
