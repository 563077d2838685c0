"""The simulated terminal has the MetaTrader5 module's names, signatures, constants and fields
(metatrader5-stubs and shared/reference/mt5-api.md)."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import numpy as np
import pytest

from bridge.sim import SimTerminal
from bridge.sim import constants as c
from bridge.sim import records as r

STUBS = Path(__import__("sysconfig").get_paths()["purelib"]) / "MetaTrader5-stubs" / "__init__.pyi"


@pytest.fixture(scope="module")
def stub_tree() -> ast.Module:
    if not STUBS.is_file():
        pytest.fail(f"metatrader5-stubs is a test dependency but {STUBS} is missing")
    return ast.parse(STUBS.read_text())


def _stub_constants(tree: ast.Module) -> dict[str, int]:
    out = {}
    for node in tree.body:
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.value
            and "Final[int]" in ast.unparse(node.annotation)
        ):
            out[node.target.id] = eval(compile(ast.Expression(node.value), "<stub>", "eval"))
    return out


def test_every_stub_constant_has_the_stub_value(stub_tree: ast.Module) -> None:
    consts = _stub_constants(stub_tree)
    assert len(consts) > 200
    for name, value in consts.items():
        assert getattr(c, name) == value, name
        assert getattr(SimTerminal, name) == value, name
    assert set(c.MT5_CONSTANT_NAMES) == set(consts)


def test_reference_values_that_bite() -> None:
    assert (c.BOOK_TYPE_SELL, c.BOOK_TYPE_BUY) == (1, 2)
    assert (c.TIMEFRAME_H1, c.TIMEFRAME_D1, c.TIMEFRAME_MN1) == (16385, 16408, 49153)
    assert (c.ORDER_FILLING_FOK, c.ORDER_FILLING_IOC, c.ORDER_FILLING_RETURN) == (0, 1, 2)
    assert (c.SYMBOL_FILLING_FOK, c.SYMBOL_FILLING_IOC) == (1, 2)
    assert c.RES_E_INTERNAL_FAIL_CONNECT == -10004
    assert c.DEAL_REASON_SO == 6


def test_namedtuples_match_the_stub_classes(stub_tree: ast.Module) -> None:
    classes = {n.name: n for n in stub_tree.body if isinstance(n, ast.ClassDef)}
    for name in (
        "OrderSendResult",
        "TradePosition",
        "Tick",
        "TradeOrder",
        "TerminalInfo",
        "TradeRequest",
    ):
        fields = [
            s.target.id
            for s in classes[name].body
            if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
        ]
        assert list(getattr(r, name)._fields) == fields, name
        assert getattr(r, name).__name__ == name


def test_namedtuples_match_the_reference_field_counts() -> None:
    counts = {
        "AccountInfo": 28,
        "TerminalInfo": 22,
        "SymbolInfo": 96,
        "Tick": 8,
        "BookInfo": 4,
        "TradeRequest": 17,
        "OrderCheckResult": 9,
        "OrderSendResult": 11,
        "TradeOrder": 24,
        "TradePosition": 19,
        "TradeDeal": 18,
    }
    for name, n in counts.items():
        assert len(getattr(r, name)._fields) == n, name
    assert r.TradeDeal._fields[:3] == ("ticket", "order", "time")
    assert r.SymbolInfo._fields[-3:] == ("name", "page", "path")
    assert r.AccountInfo._fields[10:17] == (
        "balance",
        "credit",
        "profit",
        "equity",
        "margin",
        "margin_free",
        "margin_level",
    )


def test_dtypes_are_the_real_ones() -> None:
    assert r.RATES_DTYPE.names == (
        "time",
        "open",
        "high",
        "low",
        "close",
        "tick_volume",
        "spread",
        "real_volume",
    )
    assert r.RATES_DTYPE["tick_volume"] == np.dtype("<u8")
    assert r.RATES_DTYPE["spread"] == np.dtype("<i4")
    assert r.TICKS_DTYPE.names == (
        "time",
        "bid",
        "ask",
        "last",
        "volume",
        "time_msc",
        "flags",
        "volume_real",
    )
    assert r.TICKS_DTYPE["flags"] == np.dtype("<u4")


def test_signatures_follow_the_stubs(stub_tree: ast.Module) -> None:
    kinds = {
        "posonlyargs": inspect.Parameter.POSITIONAL_ONLY,
        "args": inspect.Parameter.POSITIONAL_OR_KEYWORD,
        "kwonlyargs": inspect.Parameter.KEYWORD_ONLY,
    }
    funcs = [n for n in stub_tree.body if isinstance(n, ast.FunctionDef)]
    assert len(funcs) >= 10
    for fn in funcs:
        ours = inspect.signature(getattr(SimTerminal, fn.name))
        params = {p.name: p.kind for p in list(ours.parameters.values())[1:]}
        for attr, kind in kinds.items():
            for a in getattr(fn.args, attr):
                assert a.arg in params, f"{fn.name} lacks {a.arg}"
                assert params[a.arg] == kind, f"{fn.name}({a.arg}) is {params[a.arg]}, not {kind}"


def test_the_documented_functions_exist() -> None:
    names = [
        "initialize",
        "login",
        "shutdown",
        "version",
        "last_error",
        "account_info",
        "terminal_info",
        "symbols_get",
        "symbol_info",
        "symbol_info_tick",
        "symbol_select",
        "market_book_add",
        "market_book_get",
        "market_book_release",
        "positions_total",
        "positions_get",
        "orders_get",
        "history_deals_get",
        "order_calc_margin",
        "order_calc_profit",
        "order_check",
        "order_send",
        "copy_rates_from_pos",
        "copy_rates_range",
        "copy_ticks_range",
    ]
    for n in names:
        assert callable(getattr(SimTerminal, n)), n
    for n in (
        "copy_rates_from_pos",
        "copy_rates_range",
        "copy_ticks_range",
        "order_calc_margin",
        "order_calc_profit",
    ):
        first = list(inspect.signature(getattr(SimTerminal, n)).parameters.values())[1]
        assert first.kind is inspect.Parameter.POSITIONAL_ONLY, n
    for n in ("positions_get", "orders_get"):
        ps = list(inspect.signature(getattr(SimTerminal, n)).parameters.values())[1:]
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in ps), n


def test_field_lists_appear_verbatim_in_the_reference(shared_data: Path) -> None:
    ref = shared_data.parent / "reference" / "mt5-api.md"
    if not ref.is_file():
        pytest.skip(f"{ref} not found")
    text = ref.read_text(encoding="utf-8")
    lists = {
        tuple(x.strip() for x in m.group(1).split(","))
        for m in re.finditer(r"`([a-z_0-9]+(?:,\s*[a-z_0-9]+){3,})`", text)
    }
    for name in (
        "AccountInfo",
        "TerminalInfo",
        "SymbolInfo",
        "Tick",
        "BookInfo",
        "TradeRequest",
        "OrderCheckResult",
        "OrderSendResult",
        "TradeOrder",
        "TradePosition",
        "TradeDeal",
    ):
        assert tuple(getattr(r, name)._fields) in lists, name
