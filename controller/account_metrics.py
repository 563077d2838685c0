"""The `Metrics` record of a decision: the account's quantities of §3.1–3.3 in one place
(money in the account currency, EffLev and MSI as multiples, MU a fraction of equity)."""

from __future__ import annotations

from controller.book import Book
from controller.book_liquidity import BookLiquidity
from controller.decision_types import Metrics
from controller.margin_state import LeverageMetrics, band_names
from controller.settings import Bands
from controller.snapshot import Account
from controller.structure import Structure

__all__ = ["decision_metrics"]


def decision_metrics(acct: Account, book: Book, lev: LeverageMetrics, bands: Bands,
                     liq: BookLiquidity, st: Structure, multiplier: float) -> Metrics:
    """Equity, margin and position value, EffLev / MU / MSI with their bands and the leverage
    state, LVI and DepthRatio, σ, LR, L_safe, the stress margin and the cash buffer, the crash
    flag and the §3.5 `multiplier`."""
    eff_band, mu_band, msi_band, lev_state = band_names(lev, acct.equity, bands)
    return Metrics(
        equity=acct.equity, balance=acct.balance, margin=acct.margin,
        free_margin=acct.equity - acct.margin, position_value=book.total_pv,
        net_notional=book.net_notional, eff_lev=lev.eff_lev, mu=lev.mu, msi=lev.msi,
        margin_level_pct=100.0 * lev.msi if lev.msi is not None else None,
        eff_lev_band=eff_band, mu_band=mu_band, msi_band=msi_band, leverage_state=lev_state,
        lvi=liq.lvi, depth_ratio=liq.depth_ratio, sigma=st.sigma, liquidity_risk=st.lr,
        l_safe=st.l_safe, l_max=st.l_max, stress_margin=st.stress_margin,
        margin_growth=st.growth, cash_buffer_required=st.buffer_required,
        crash_flag=liq.crash_flag, crash_signs=liq.crash_signs, multiplier=multiplier,
        crash_evidence=liq.crash_evidence,
    )
