"""The cap rules (controller/caps.py): one interface, a `RULES` tuple in the decision's order,
`[components]` selecting them by name; `CapName` and `Side` equal to their strings; the broker
keep factor as a setting."""

from __future__ import annotations

import json

import pytest

from controller import Settings, decide
from controller.cap_settings import BrokerLevelSettings, ComponentSettings
from controller.caps import RULES, active_rules
from controller.decision_types import CapName, Side
from controller.serialize import decision_to_dict
from tests.controller.builders import account, fx, pos, seed_example, snapshot

_SWITCHED = {"rules": CapName.RULE, "safe_leverage": CapName.L_SAFE, "regime": CapName.REGIME,
             "buffer": CapName.BUFFER, "broker_levels": CapName.BROKER,
             "extras": CapName.EXTRAS}


def _eurusd(margin: float = 1_000.0):
    return snapshot(account(equity=10_000.0, margin=margin), [fx()], [pos(1, "EURUSD", 0.1)],
                    {"EURUSD": (1.0999, 1.1001)})


def test_rules_have_unique_cap_names_in_the_order_the_decision_lists_caps():
    names = [r.name for r in RULES]
    assert len(set(names)) == len(names)
    assert names == [CapName.RULE, CapName.L_SAFE, CapName.REGIME, CapName.BUFFER,
                     CapName.BROKER, CapName.PROP, CapName.WEEKEND, CapName.EXTRAS]


def test_all_components_on_select_every_rule():
    assert active_rules(ComponentSettings()) == RULES


@pytest.mark.parametrize("switch", sorted(_SWITCHED))
def test_each_component_switch_removes_exactly_its_own_rule(switch: str):
    kept = {r.name for r in active_rules(ComponentSettings(**{switch: False}))}
    assert kept == {r.name for r in RULES} - {_SWITCHED[switch]}


def test_liquidity_switch_removes_no_rule():
    assert active_rules(ComponentSettings(liquidity=False)) == RULES


def test_every_cap_of_a_decision_is_named_by_the_rule_that_set_it():
    d = decide(seed_example(), Settings())
    rule_names = {r.name for r in RULES} | {CapName.WEEKEND_GAP}
    assert d.caps
    assert all(isinstance(c.name, CapName) and c.name in rule_names for c in d.caps)
    assert isinstance(d.binding_cap, CapName)


def test_cap_names_and_sides_are_their_strings_in_json():
    d = decide(seed_example(), Settings())
    assert d.actions
    assert all(isinstance(a.side, Side) for a in d.actions)
    data = json.loads(json.dumps(decision_to_dict(d)))
    assert data["binding_cap"] == "rule"
    assert {a["side"] for a in data["actions"]} == {"sell"}
    assert [c["name"] for c in data["caps"]] == [str(c.name) for c in d.caps]
    assert Side.SELL == "sell"
    assert CapName.L_SAFE == "l_safe"
    assert f"{CapName.BROKER}" == "broker"


def test_broker_keep_factor_defaults_to_1_2():
    assert Settings().broker_levels.keep_factor == 1.2


def test_broker_keep_factor_sets_the_kept_msi_and_the_published_floor():
    # margin call 100 %, stop-out 50 %: broker floor max(1.00, 2 × 0.50) = 1.00 (MSI)
    s = Settings(broker_levels=BrokerLevelSettings(keep_factor=1.5))
    d = decide(_eurusd(), s)
    broker = next(c for c in d.caps if c.name == CapName.BROKER)
    assert "MSI ≥ 1.50" in broker.reason
    assert d.limits.msi_floor == pytest.approx(1.5)
    # the cap is the EffLev at which MSI falls to 1.5 with margin ∝ position value
    pv = d.metrics.position_value
    assert broker.value == pytest.approx(pv / (1_000.0 * 1.5))


def test_broker_keep_factor_below_1_is_refused_naming_the_field():
    with pytest.raises(ValueError, match="keep_factor"):
        Settings.model_validate({"broker_levels": {"keep_factor": 0.9}})
