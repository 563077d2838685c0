"""The JSON wire of the mt5linux client (bridge/mt5remote_wire.py), without a server: a reply
that is not lca's data format is a clear error naming what is wrong."""

from __future__ import annotations

import pytest

from bridge.mt5remote_wire import BadReply, rebuild


def test_a_record_without_the_fields_lca_reads_is_a_clear_error_not_an_attribute_error():
    with pytest.raises(BadReply, match="record TradePosition lacks price_open"):
        rebuild({"nt": ["TradePosition", ["ticket", "symbol", "type", "volume",
                                           "price_current", "profit", "swap", "time", "magic"],
                         [1, "GBPUSD", 0, 1.0, 1.2, 0.0, 0.0, 0, 0]]}, {})
