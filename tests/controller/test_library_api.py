"""The library API of the controller (issue 13 item 7): a short `controller.__all__`, every value
type under `controller.types`, and the old `from controller import X` names still importable."""

from __future__ import annotations

import dataclasses
import enum
import importlib
import typing

import controller
import controller.types

LIBRARY_API = {"decide", "make_snapshot", "prepare_indicators", "Settings", "Snapshot",
               "Decision", "ControllerMemory", "SnapshotError"}

# controller.__all__ before it was shortened: bots and the bridge import these from `controller`.
NAMES_BEFORE = (
    "Account", "Action", "BookLevel", "Cap", "ControllerMemory", "CrashSign", "Decision",
    "Distance", "Event", "Limits", "MarketState", "Metrics", "ParsedSnapshot", "Position",
    "Regime", "Settings", "Signal", "Snapshot", "SnapshotError", "SymbolLimit", "SymbolMetrics",
    "SymbolSpec", "TradingState", "Urgency", "Alert", "decide", "decision_to_dict",
    "make_snapshot", "parse_snapshot", "prepare_indicators",
)


def _value_types(root: type, seen: set[type]) -> set[type]:
    """Every controller dataclass or enum reachable from `root`'s field annotations."""
    if root in seen:
        return seen
    seen.add(root)
    if not dataclasses.is_dataclass(root):
        return seen
    module = importlib.import_module(root.__module__)
    hints = typing.get_type_hints(root, vars(module))
    for hint in hints.values():
        for arg in _flatten(hint):
            if isinstance(arg, type) and arg.__module__.startswith("controller.") and (
                dataclasses.is_dataclass(arg) or issubclass(arg, enum.Enum)
            ):
                _value_types(arg, seen)
    return seen


def _flatten(hint: object) -> list[object]:
    args = typing.get_args(hint)
    if not args:
        return [hint]
    return [hint, *(leaf for arg in args for leaf in _flatten(arg))]


def test_controller_all_names_the_eight_library_entry_points() -> None:
    assert set(controller.__all__) == LIBRARY_API
    for name in controller.__all__:
        assert getattr(controller, name) is not None


def test_every_name_controller_exported_before_still_imports() -> None:
    missing = [name for name in NAMES_BEFORE if not hasattr(controller, name)]
    assert missing == []


def test_controller_types_holds_every_value_type_a_snapshot_or_decision_carries() -> None:
    reachable = _value_types(controller.Decision, set()) | _value_types(controller.Snapshot, set())
    reachable |= _value_types(controller.types.SymbolHistory, set())
    listed = {getattr(controller.types, name) for name in controller.types.__all__}
    missing = sorted(t.__name__ for t in reachable - listed)
    assert missing == []
    assert {"Account", "Position", "SymbolSpec", "MarketState", "BookLevel", "Event", "Action",
            "Cap", "Limits", "Metrics", "Regime", "TradingState", "Urgency"} <= set(
        controller.types.__all__)


def test_controller_types_and_controller_give_the_same_objects() -> None:
    for name in controller.types.__all__:
        if hasattr(controller, name):
            assert getattr(controller, name) is getattr(controller.types, name), name
