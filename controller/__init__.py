"""The functional core: the risk model of DESIGN §3 as pure functions over frozen snapshots."""
