"""Balance operations in a scenario (`[[balance_ops]]`): deposits, withdrawals, credit and closed
trades before the replay's start form the account's history (a challenge already under way);
those after it happen when the replay passes their time; `history_deals_get` returns them all
with the broker's server-clock times, like a real terminal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bridge.sim import SimTerminal
from bridge.sim import constants as c
from bridge.sim.errors import ScenarioError

BASE = """name = "balance-ops"
start = 2026-11-05T11:50:00Z
end = 2026-11-05T12:20:00Z
crash_time = 2026-12-30T00:00:00Z
warmup_hours = 1

[server_time]
utc_offset_hours = 2
dst = "us"

[account]
{account}

[[symbols]]
name = "EURUSD"
spread_points = 8
daily_volatility = 0.005

[generator]
preset = "S2"
tick_seconds = 10.0

[generator.symbols.EURUSD]
price = 1.1000
beta = 0.0

[[balance_ops]]
time = 2026-11-02T08:00:00Z
amount = 100000.0
comment = "challenge deposit"

[[balance_ops]]
time = 2026-11-03T14:00:00Z
type = "trade"
amount = 4000.0

[[balance_ops]]
time = 2026-11-05T12:05:00Z
amount = 5000.0
comment = "deposit"

[[balance_ops]]
time = 2026-11-05T12:06:00Z
type = "credit"
amount = 1000.0
"""


def _utc(*args):
    return datetime(*args, tzinfo=UTC).timestamp()


def _sim(tmp_path, account: str = 'currency = "USD"') -> SimTerminal:
    path = tmp_path / "s.toml"
    path.write_text(BASE.format(account=account), encoding="utf-8")
    sim = SimTerminal.from_scenario(str(path))
    assert sim.initialize()
    return sim


def test_operations_before_the_start_are_the_accounts_history(tmp_path):
    sim = _sim(tmp_path)
    assert sim.account_info().balance == 104_000.0  # no automatic deposit on top
    deals = sim.history_deals_get(0, 2**31 - 1)
    assert [(d.type, d.profit) for d in deals] == [(c.DEAL_TYPE_BALANCE, 100_000.0),
                                                   (c.DEAL_TYPE_SELL, 4_000.0)]
    assert deals[0].comment == "challenge deposit"
    assert deals[1].entry == c.DEAL_ENTRY_OUT
    # server clock: UTC+2 in winter (US DST ended on 1 November)
    assert deals[0].time == int(_utc(2026, 11, 2, 8)) + 2 * 3600


def test_an_operation_during_the_replay_happens_at_its_time(tmp_path):
    sim = _sim(tmp_path)
    sim.advance_to(_utc(2026, 11, 5, 12, 4, 59))
    assert sim.account_info().balance == 104_000.0
    assert len(sim.history_deals_get(0, 2**31 - 1)) == 2
    sim.advance_to(_utc(2026, 11, 5, 12, 5, 30))
    assert sim.account_info().balance == 109_000.0
    sim.advance_to(_utc(2026, 11, 5, 12, 7))
    info = sim.account_info()
    assert (info.balance, info.credit) == (109_000.0, 1_000.0)
    assert info.equity == pytest.approx(110_000.0)
    kinds = [d.type for d in sim.history_deals_get(0, 2**31 - 1)]
    assert kinds[-2:] == [c.DEAL_TYPE_BALANCE, c.DEAL_TYPE_CREDIT]


def test_a_starting_balance_written_twice_is_refused(tmp_path):
    with pytest.raises(ScenarioError, match=r"account\.balance.*balance_ops"):
        _sim(tmp_path, 'currency = "USD"\nbalance = 10000.0')
