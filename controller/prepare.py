"""Prepare the indicator state of every symbol (and of the portfolio) from histories."""

from __future__ import annotations

from collections.abc import Mapping

from controller.indicators import (
    PortfolioIndicators,
    SymbolHistory,
    SymbolIndicators,
    prepare_portfolio,
    prepare_symbol,
)
from controller.settings import Settings

__all__ = ["prepare_indicators"]


def prepare_indicators(
    histories: Mapping[str, SymbolHistory], settings: Settings
) -> tuple[dict[str, SymbolIndicators], PortfolioIndicators | None]:
    """Per-symbol indicators, and the portfolio covariance when there are histories."""
    indicators = {s: prepare_symbol(h, settings.indicators) for s, h in histories.items()}
    portfolio = prepare_portfolio(histories, settings.indicators) if histories else None
    return indicators, portfolio
