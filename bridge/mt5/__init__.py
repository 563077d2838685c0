"""The `MetaTrader5` module's shape, once: its integer constants (`constants`), its result
records (`records`) and the functions lca calls (`port.Mt5Module`). Used by the live code, the
simulated terminal, `bridge.mt5remote` and the tests; imports nothing from the rest of lca."""
