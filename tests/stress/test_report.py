"""The stress report for traders (issue 14 item 9): its table cells, words and legend, built from a
small summary whose figures are those of the full run of 1 December 2026 (gbp-flash-2016 on the
esma preset, calm-2019 on offshore), without running a replay."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from rich.console import Console

from bridge.stress.report import console_table, write_report

_ESMA = {"currency": "USD", "balance": 10000.0, "leverage": 30, "margin_call": 100.0,
         "stop_out": 50.0, "negative_balance_protection": True}
_OFFSHORE = {"currency": "USD", "balance": 10000.0, "leverage": 100, "margin_call": 50.0,
             "stop_out": 20.0, "negative_balance_protection": False}


def _m(**kw: Any) -> dict[str, Any]:
    base = {"max_drawdown": 0.0, "stop_outs": 0, "negative_balance": 0.0, "owed_at_end": 0.0,
            "final_equity": 10000.0, "return": 0.0, "slippage_paid": 0.0,
            "first_order_time": None, "warning_to_order_s": None, "return_given_up": 0.0,
            "mean_eff_lev": 1.0,
            "mean_eff_lev_before_crash": None, "regime_available_share": 1.0,
            "regime_seconds": {}}
    return {**base, **kw}


def _summary() -> dict[str, Any]:
    crash = {
        "kind": "crash", "window": "gbp-flash-2016", "preset": "esma",
        "description": "Sterling flash crash in Asian hours.", "data": "GBPUSD H1 (MT5 broker)",
        "modelled": True, "start": 1475773200.0, "end": 1475816400.0,
        "crash_time": 1475795223.0, "guard_seconds": 5.0, "account": _ESMA,
        "book": [{"symbol": "GBPUSD", "side": "buy", "volume": 1.6}],
        "first_warning_time": 1475795225.0, "equal_exposure": None,
        "policies": {
            "none": _m(max_drawdown=1.0, stop_outs=1, negative_balance=8908.8,
                       final_equity=0.0, **{"return": -1.0}, slippage_paid=4977.6,
                       mean_eff_lev=19.8, mean_eff_lev_before_crash=20.1,
                       regime_seconds={"NORMAL": 22020.0, "NO_EXPANSION": 5.0,
                                       "MINIMUM": 6900.0, "WAIT": 14275.0}),
            "full": _m(max_drawdown=0.03906799999999999, final_equity=9609.32,
                       **{"return": -0.03906799999999999}, slippage_paid=55.96,
                       first_order_time=1475773205.0, warning_to_order_s=-22020.0,
                       return_given_up=-0.960932,
                       mean_eff_lev=1.2, mean_eff_lev_before_crash=1.4674356823983121,
                       regime_seconds={"NORMAL": 22020.0, "NO_EXPANSION": 5.0,
                                       "MINIMUM": 6900.0, "WAIT": 14275.0}),
            "static-20": _m(max_drawdown=1.0, stop_outs=1, negative_balance=8670.86,
                            final_equity=0.0, **{"return": -1.0}, return_given_up=0.0,
                            mean_eff_lev=20.0, mean_eff_lev_before_crash=20.0,
                            regime_available_share=None),
        },
    }
    calm = {
        "kind": "calm", "window": "calm-2019", "preset": "offshore",
        "description": "Calm control.", "data": "EURUSD ticks (Dukascopy)", "modelled": False,
        "start": 1549238400.0, "end": 1549411200.0, "crash_time": None, "guard_seconds": 5.0,
        "account": _OFFSHORE, "book": [{"symbol": "EURUSD", "side": "buy", "volume": 17.0}],
        "first_warning_time": None, "equal_exposure": None,
        "policies": {
            "none": _m(final_equity=9329.75, **{"return": -0.067025}, mean_eff_lev=19.9,
                       regime_seconds={"NORMAL": 144000.0}),
            "full": _m(final_equity=9925.35, **{"return": -0.007464999999999944},
                       slippage_paid=2.9, first_order_time=1549238405.0,
                       return_given_up=-0.05956000000000006,
                       regime_seconds={"NORMAL": 144000.0}),
        },
    }
    return {"generated_utc": "2026-12-01T09:45:00+00:00", "checks": [],
            "equal_exposure_pooled": None, "frontier": None,
            "scenarios": {"gbp-flash-2016-esma": crash, "calm-2019-offshore": calm}}


class _Tables(HTMLParser):
    """Every <table> of a page as a list of rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.tables:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _report(tmp_path: Path, summary: dict[str, Any] | None = None) -> str:
    write_report(summary or _summary(), [], tmp_path, plots=False)
    return (tmp_path / "report.html").read_text(encoding="utf-8")


def _metrics_tables(page: str) -> list[dict[str, dict[str, str]]]:
    """Every scenario's metrics table, in page order: {policy: {column: cell}}."""
    parser = _Tables()
    parser.feed(page)
    return [{row[0]: dict(zip(t[0], row, strict=True)) for row in t[1:]}
            for t in parser.tables if t and t[0][:2] == ["policy", "max drawdown"]]


def _metrics_table(page: str) -> dict[str, dict[str, str]]:
    """The first metrics table (the crash window's)."""
    tables = _metrics_tables(page)
    assert tables, "no metrics table in the report"
    return tables[0]


def _given_up_column(row: dict[str, str]) -> str:
    return next(v for k, v in row.items() if "given up" in k)


def test_the_given_up_column_is_filled_on_crash_windows_too(tmp_path: Path):
    rows = _metrics_table(_report(tmp_path))
    # summary.json: return_given_up = none's return − full's = −100 % − (−3.9 %) = −96.1 points
    assert _given_up_column(rows["full"]) == "−96.1 pt"
    assert _given_up_column(rows["none"]) == "0.0 pt"
    assert _given_up_column(rows["static-20"]) == "0.0 pt"


def test_the_given_up_column_is_filled_in_the_console_table():
    console = Console(record=True, width=400)
    console.print(console_table(_summary()))
    text = console.export_text()
    line = next(x for x in text.splitlines() if "│ full " in x and "9,609" in x)
    assert "−96.1 pt" in line


def _offshore(summary: dict[str, Any]) -> dict[str, Any]:
    """The crash window on the offshore preset: no negative-balance protection, the debt kept."""
    sc = summary["scenarios"]["gbp-flash-2016-esma"]
    sc["account"] = _OFFSHORE
    sc["policies"]["none"].update(final_equity=-8908.8, owed_at_end=8908.8,
                                  **{"return": -1.89088})
    return summary


def test_a_negative_balance_is_said_in_words_with_what_became_of_it(tmp_path: Path):
    rows = _metrics_table(_report(tmp_path))
    assert rows["none"]["below zero"] == \
        "went below zero by 8,909 USD (written off by negative-balance protection)"
    assert rows["full"]["below zero"] == "no"
    rows = _metrics_table(_report(tmp_path, _offshore(_summary())))
    assert rows["none"]["below zero"] == \
        "went below zero by 8,909 USD (no protection: 8,909 USD still owed to the broker)"


def test_the_guards_first_order_is_said_before_or_after_the_first_warning(tmp_path: Path):
    summary = _summary()
    rows = _metrics_table(_report(tmp_path, summary))
    # warning_to_order_s = first order − first warning = −22 020 s: the order came first
    assert rows["full"]["guard's first order"] == "6.1 h before the first warning"
    assert rows["none"]["guard's first order"] == "no order"
    full = summary["scenarios"]["gbp-flash-2016-esma"]["policies"]["full"]
    full.update(warning_to_order_s=125.0, first_order_time=1475795350.0)
    assert _metrics_table(_report(tmp_path, summary))["full"]["guard's first order"] == \
        "2 min after the first warning"
    full.update(warning_to_order_s=0.0, first_order_time=1475795225.0)
    assert _metrics_table(_report(tmp_path, summary))["full"]["guard's first order"] == \
        "at the first warning"
    calm = _metrics_tables(_report(tmp_path, _summary()))[1]  # an order, and no warning at all
    assert calm["full"]["guard's first order"] == "no warning came"


def test_money_columns_carry_the_account_currency(tmp_path: Path):
    rows = _metrics_table(_report(tmp_path))
    assert rows["none"]["slippage paid"] == "4,978 USD"
    assert rows["full"]["final equity"] == "9,609 USD"


class _Legend(HTMLParser):
    """The <dt> terms and <dd> texts of the element with id `legend_id`."""

    def __init__(self, legend_id: str = "legend") -> None:
        super().__init__()
        self._id = legend_id
        self.terms: dict[str, str] = {}
        self._depth = 0
        self._tag: str | None = None
        self._term = ""

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if dict(attrs).get("id") == self._id:
            self._depth = 1
        elif self._depth:
            self._depth += tag not in ("br", "img")
            if tag in ("dt", "dd"):
                self._tag = tag
                if tag == "dt":
                    self._term = ""
                else:
                    self.terms[self._term] = ""

    def handle_endtag(self, tag: str) -> None:
        if self._depth:
            self._depth -= 1
            if tag in ("dt", "dd"):
                self._tag = None

    def handle_data(self, data: str) -> None:
        if self._tag == "dt":
            self._term += data
        elif self._tag == "dd":
            self.terms[self._term] += data


def test_every_column_has_a_legend_with_its_unit_and_sign(tmp_path: Path):
    page = _report(tmp_path)
    legend = _Legend()
    legend.feed(page)
    columns = next(iter(_metrics_table(page).values())).keys()
    assert set(columns) <= set(legend.terms), set(columns) - set(legend.terms)
    given = legend.terms["given up vs none"]
    assert "percentage points" in given
    assert "positive" in given
    assert "negative" in given
    assert "before" in legend.terms["guard's first order"]
    assert "account currency" in legend.terms["slippage paid"]
    assert "%" in legend.terms["max drawdown"]
    console = Console(record=True, width=160)
    console.print(console_table(_summary()))
    text = " ".join(console.export_text().split())
    for column in columns:
        assert f"{column}:" in text, column  # the console table's caption is the same legend


class _Visible(HTMLParser):
    """The text a reader sees (no <script>, <style> or attributes)."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self._hidden += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)


_INTERNAL = ("Must show", "must show", "seed-003", "plots loaded", "neg. balance", "warn→order",
             "NBP", "regime known", "live code path", "deterministic replay driver",
             "EffLev pre-crash", "MODELLED intrabar")


def test_the_report_speaks_a_traders_words(tmp_path: Path):
    visible = _Visible()
    visible.feed(_report(tmp_path))
    text = " ".join("".join(visible.text).split())
    for word in _INTERNAL:
        assert word not in text, word
    console = Console(record=True, width=160)
    console.print(console_table(_summary()))
    shown = " ".join(console.export_text().split())
    for word in _INTERNAL:
        assert word not in shown, word


def _with_warnings(summary: dict[str, Any]) -> dict[str, Any]:
    """The crash window's warning figures (full run of 1 December 2026, gbp-flash-2016)."""
    full = summary["scenarios"]["gbp-flash-2016-esma"]["policies"]["full"]
    full.update(lead_seconds=-2.0, lead_seconds_switched_on=-2.0,
                first_market_warning_time=1475795225.0,
                first_market_switch_on_time=1475795225.0,
                signal_first_on={"thin_depth": 1475795225.0, "crash_flag": 1475795230.0},
                signals_on_at_start=[], eff_lev_at_first_warning=None, eff_lev_at_crash=1.05,
                orders_warning_to_crash=None, no_new_exposure_seconds_warning_to_crash=None,
                false_alarms={"crash_flag_steps": 40, "crash_flag_episodes": 2,
                              "minimum_steps": 1380, "wait_steps": 2855, "unasked_cuts": 5,
                              "unasked_cut_caps": {"extras (triggered by l_safe)": 5},
                              "rollover_only_cuts": 0})
    return summary


def test_the_warnings_table_says_before_or_after_the_crash_and_has_its_legend(tmp_path: Path):
    page = _report(tmp_path, _with_warnings(_summary()))
    parser = _Tables()
    parser.feed(page)
    (table,) = [t for t in parser.tables if t[0][:2] == ["policy", "first warning vs crash"]]
    cells = dict(zip(table[0], table[1], strict=True))
    assert cells["first warning vs crash"] == "2 s after the crash"
    legend = _Legend("legend-warnings")
    legend.feed(page)
    assert set(table[0]) <= set(legend.terms), set(table[0]) - set(legend.terms)
    for word in ("lead (on)", "lead (switched on)", "MINIMUM steps", "cuts not asked"):
        assert word not in page, word


def test_the_same_leverage_verdict_is_said_in_words(tmp_path: Path):
    summary = _summary()
    summary["scenarios"]["gbp-flash-2016-esma"]["equal_exposure"] = {
        "full_mean_eff_lev_before_crash": 1.4674356823983121,
        "full_max_drawdown": 0.03906799999999999, "comparable": ["static-2", "static-20"],
        "lower_drawdown": [], "holds": True, "matched": "static-2",
        "matched_mean_eff_lev_before_crash": 2.0278231460114857,
        "matched_max_drawdown": 0.18735100715165665, "margin": 0.14828300715165665,
        "detail": "full beat static at equal pre-crash exposure: full max DD 3.91% at mean "
                  "pre-crash EffLev 1.47; nearest static-2 18.74% at 2.03 (margin +14.83%)"}
    summary["equal_exposure_pooled"] = {
        "scenarios": 1, "holds_in": 1, "full_mean_max_drawdown": 0.03906799999999999,
        "matched_static_mean_max_drawdown": 0.18735100715165665, "margin": 0.148283,
        "holds": True, "detail": "full beat static at equal pre-crash exposure in 1 of 1 crash "
                                 "runs; mean max DD full 3.91% against the nearest static 18.74%"}
    visible = _Visible()
    visible.feed(_report(tmp_path, summary))
    text = " ".join("".join(visible.text).split())
    assert ("The same leverage into the crash: the full guard lost 3.9 % at its worst with "
            "leverage 1.47 before the crash; the nearest static book that carried as much or "
            "more, static-2 (leverage 2.03), lost 18.7 %: 14.8 points more. Holds.") in text
    assert ("In 1 of 1 crash windows no static book with as much leverage into the crash lost "
            "less than the full guard; on average the full guard lost 3.9 % at its worst, the "
            "nearest static books 18.7 %.") in text
    assert "max DD" not in text
    assert "pre-crash EffLev" not in text
