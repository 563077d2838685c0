"""docs/grafana-lca.json: valid JSON, and every metric it queries is one the guard exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

from prometheus_client import generate_latest

from bridge.metrics import MetricsObserver

DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "grafana-lca.json"


def test_every_metric_of_the_grafana_dashboard_is_exported():
    dash = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    queried = {name for panel in dash["panels"] for target in panel["targets"]
               for name in re.findall(r"\b(lca_[a-z_]+)", target["expr"])}
    assert queried
    observer = MetricsObserver()
    exported = set()
    for family in observer.registry.collect():  # labelled families too, with no sample yet
        exported.add(family.name)
        exported.update(f"{family.name}{s}" for s in ("_total", "_bucket", "_count", "_sum"))
    assert queried <= exported, queried - exported
    assert generate_latest(observer.registry)  # the registry renders
