"""`quick_init`: the faster `__init__` of the controller's frozen records builds the same record."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import FrozenInstanceError, dataclass, field

import pytest

from controller.decision_types import Action, Side, Urgency
from controller.quick_init import _writable_twin, quick_init


@dataclass(frozen=True, slots=True)
class _Plain:
    ticket: int
    symbol: str
    volume: float = 0.5
    note: str | None = None


@quick_init
@dataclass(frozen=True, slots=True)
class _Quick:
    ticket: int
    symbol: str
    volume: float = 0.5
    note: str | None = None


def _fields(record: _Plain | _Quick) -> tuple[object, ...]:
    return (record.ticket, record.symbol, record.volume, record.note)


def test_quick_init_sets_the_same_fields_positionally_by_keyword_and_by_default() -> None:
    for args, kwargs in (((1, "EURUSD", 0.25, "x"), {}), ((2, "GBPUSD"), {}),
                         ((), {"symbol": "USDJPY", "ticket": 3, "note": "n"})):
        assert _fields(_Quick(*args, **kwargs)) == _fields(_Plain(*args, **kwargs))  # type: ignore[arg-type]


def test_quick_init_record_stays_frozen_equal_hashable_and_printable() -> None:
    a, b = _Quick(1, "EURUSD"), _Quick(1, "EURUSD")
    assert a == b
    assert hash(a) == hash(b)
    assert a != _Quick(2, "EURUSD")
    assert repr(a) == "_Quick(ticket=1, symbol='EURUSD', volume=0.5, note=None)"
    with pytest.raises(FrozenInstanceError):
        a.volume = 1.0  # type: ignore[misc]
    assert dataclasses.replace(a, volume=2.0) == _Quick(1, "EURUSD", 2.0)
    assert pickle.loads(pickle.dumps(a)) == a


def test_quick_init_refuses_missing_and_unknown_arguments_like_the_dataclass() -> None:
    with pytest.raises(TypeError):
        _Quick(1)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        _Quick(1, "EURUSD", size=2)  # type: ignore[call-arg]


def test_quick_init_is_on_the_decision_records() -> None:
    a = Action("p", 7, "EURUSD", Side.SELL, 0.1, Urgency.FORCED, 1.0, 1, 2, True, False, "r")
    assert Action.__init__.__qualname__ == "Action.__init__"
    assert (a.ticket, a.side, a.reason, a.full_close) == (7, Side.SELL, "r", False)


def test_quick_init_refuses_what_it_cannot_copy_exactly() -> None:
    @dataclass(frozen=True, slots=True)
    class WithFactory:
        values: list[int] = field(default_factory=list)

    @dataclass(frozen=True, slots=True)
    class WithPostInit:
        x: int

        def __post_init__(self) -> None:
            pass

    @dataclass(slots=True)
    class NotFrozen:
        x: int

    for cls in (WithFactory, WithPostInit, NotFrozen):
        with pytest.raises(TypeError, match="quick_init"):
            quick_init(cls)


def test_quick_replace_gives_the_record_dataclasses_replace_gives() -> None:
    from controller.memory import ControllerMemory, Regime, TradingState
    from controller.quick_init import quick_replace

    base = _Quick(1, "EURUSD", 0.25, "x")
    for changes in ({}, {"volume": 0.75}, {"symbol": "GBPUSD", "note": None}, {"ticket": 9}):
        new, old = quick_replace(base, **changes), dataclasses.replace(base, **changes)
        assert type(new) is _Quick
        assert _fields(new) == _fields(old)
        assert new == old
    mem = ControllerMemory(reading_key="k", lock_reason="r")
    new_mem = quick_replace(mem, regime=Regime.WAIT, regime_since=5.0, vol_high=True,
                            state=TradingState.REDUCING)
    old_mem = dataclasses.replace(mem, regime=Regime.WAIT, regime_since=5.0, vol_high=True,
                                  state=TradingState.REDUCING)
    assert new_mem == old_mem
    assert repr(new_mem) == repr(old_mem)
    with pytest.raises(TypeError):
        quick_replace(base, nope=1)
    with pytest.raises(FrozenInstanceError):
        quick_replace(base, volume=1.0).volume = 2.0  # type: ignore[misc]


@dataclass(frozen=True, slots=True)
class _PlainWide:
    ticket: int
    symbol: str
    side: int
    volume: float
    price: float
    note: str | None = None
    tag: str = "t"


@quick_init
@dataclass(frozen=True, slots=True)
class _QuickWide:
    ticket: int
    symbol: str
    side: int
    volume: float
    price: float
    note: str | None = None
    tag: str = "t"


def _wide(record: _PlainWide | _QuickWide) -> tuple[object, ...]:
    return (record.ticket, record.symbol, record.side, record.volume, record.price, record.note,
            record.tag)


def test_quick_init_of_many_fields_through_the_twin_builds_the_same_frozen_record() -> None:
    assert _writable_twin(_QuickWide) is not None  # 7 fields: built through the twin
    for args, kwargs in (((1, "EURUSD", 0, 0.25, 1.1, "x", "y"), {}),
                         ((2, "GBPUSD", 1, 1.0, 1.3), {}),
                         ((), {"price": 9.0, "symbol": "USDJPY", "ticket": 3, "side": 0,
                               "volume": 0.1, "tag": "z"})):
        quick, plain = _QuickWide(*args, **kwargs), _PlainWide(*args, **kwargs)  # type: ignore[arg-type]
        assert type(quick) is _QuickWide
        assert _wide(quick) == _wide(plain)
        assert all(a is b for a, b in zip(_wide(quick), _wide(plain), strict=True))
    a = _QuickWide(1, "EURUSD", 0, 0.5, 1.1)
    assert a == _QuickWide(1, "EURUSD", 0, 0.5, 1.1)
    assert hash(a) == hash(_QuickWide(1, "EURUSD", 0, 0.5, 1.1))
    assert repr(a) == ("_QuickWide(ticket=1, symbol='EURUSD', side=0, volume=0.5, price=1.1, "
                       "note=None, tag='t')")
    with pytest.raises(FrozenInstanceError):
        a.volume = 1.0  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(a)) == a
    assert dataclasses.replace(a, tag="u") == _QuickWide(1, "EURUSD", 0, 0.5, 1.1, None, "u")


def test_quick_init_of_many_fields_keeps_a_subclass_its_own_class() -> None:
    class Sub(_QuickWide):
        __slots__ = ()

    s = Sub(1, "EURUSD", 0, 0.5, 1.1)
    assert type(s) is Sub
    assert _wide(s) == (1, "EURUSD", 0, 0.5, 1.1, None, "t")
    with pytest.raises(FrozenInstanceError):
        s.volume = 1.0  # type: ignore[misc]
