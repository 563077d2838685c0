"""The lease holder (one guard per account) as the metric lca_lease_holder{account,host,pid} = 1
and on the dashboard's state; gone after a clean stop, which releases the lease."""

from __future__ import annotations

import os
import socket

from tests.web.test_dashboard import AUTH, live  # noqa: F401  (the fixture)


def test_the_lease_holder_is_a_metric_and_on_the_dashboard_state(live):  # noqa: F811
    guard, sim, client = live
    sim.advance(1.0)
    guard.fast_guard()
    host, pid = socket.gethostname(), os.getpid()
    line = (f'lca_lease_holder{{account="{guard.journal.account}",host="{host}",'
            f'pid="{pid}"}} 1.0')
    assert line in client.get("/metrics", headers=AUTH).text.splitlines()
    lease = client.get("/api/state", headers=AUTH).json()["lease"]
    assert lease == {"key": guard.lease.key, "host": host, "pid": pid}
    guard.stop("test over")
    assert "lca_lease_holder{" not in client.get("/metrics", headers=AUTH).text
