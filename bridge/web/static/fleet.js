// lca fleet page: polls /api/fleet every 2 s; one row per account; no library, no build step.
"use strict";
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]));
const num = (x, d = 2) => (x === null || x === undefined) ? "—" : Number(x).toFixed(d);
const money = (x) => (x === null || x === undefined) ? "—" : Math.round(x).toLocaleString("en-US");
const ago = (s) => s === null || s === undefined ? "—" : s < 120 ? `${Math.round(s)} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;
const when = (t) => new Date(t * 1000).toISOString().slice(0, 16).replace("T", " ");

function distance(loss, move) {
  if (loss === null || loss === undefined) return "—";
  return money(loss) + (move === null || move === undefined ? "" : ` (${num(move, 1)} %)`);
}

function row(a) {
  const lease = a.holder ? `${esc(a.holder.host)} pid ${a.holder.pid}, ${ago(a.lease_age)} ago` : `<span class="sev-WAIT">no guard</span>`;
  const snap = a.snapshot_time === null ? "—" : a.simulated ? `${when(a.snapshot_time)} (sim)` : `${ago(a.snapshot_age)} ago`;
  const prop = a.prop_limit ? `${esc(a.prop_limit.replace("_", " "))}: ${distance(a.prop_loss, a.prop_move_pct)}` : "—";
  return `<tr data-account="${esc(a.account)}"><td>${esc(a.account)}</td><td class="sev-${esc(a.state)}">${esc(a.state ?? "—")}</td>` +
    `<td>${num(a.eff_lev)}</td><td>${num(a.msi)}</td><td>${money(a.equity)}</td>` +
    `<td>${distance(a.stop_out_loss, a.stop_out_move_pct)}</td><td>${prop}</td><td>${lease}</td><td>${snap}</td></tr>`;
}

async function refresh() {
  try {
    const r = await fetch("/api/fleet", {credentials: "same-origin"});
    if (!r.ok) throw new Error("/api/fleet: " + r.status);
    const rows = await r.json();
    const head = "<tr>" + ["account", "state", "EffLev", "MSI", "equity", "to stop-out", "to prop limit", "lease", "last snapshot"].map((c) => `<th>${c}</th>`).join("") + "</tr>";
    $("fleet").innerHTML = head + (rows.length ? rows.map(row).join("") : `<tr><td colspan="9">no account in the journal yet</td></tr>`);
    $("count").textContent = `${rows.length} account(s)`;
    $("clock").textContent = new Date().toISOString().slice(0, 19).replace("T", " ") + " UTC";
    document.body.dataset.loaded = "1";
  } catch (e) {
    $("count").textContent = String(e);
  }
}

refresh();
setInterval(refresh, 2000);
