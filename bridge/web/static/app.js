// lca dashboard: polls /api/* once a second and draws inline SVG; no library, no build step.
"use strict";
const $ = (id) => document.getElementById(id);
const fmt = (x, d = 2) => (x === null || x === undefined || Number.isNaN(x)) ? "n/a" : Number(x).toFixed(d);
const pct = (x) => (x === null || x === undefined) ? "n/a" : (100 * x).toFixed(1) + " %";
const esc = (s) => String(s ?? "").replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]));
const when = (t) => t ? new Date(t * 1000).toISOString().slice(0, 19).replace("T", " ") : "";

async function get(path) {
  const r = await fetch(path, {credentials: "same-origin"});
  if (!r.ok) throw new Error(path + ": " + r.status);
  return r.json();
}

function bar(id, value, max, marks) {
  const svg = $(id);
  if (!svg) return;
  const x = (v) => Math.max(0, Math.min(200, 200 * v / max));
  let s = `<rect x="0" y="4" width="200" height="8" fill="#e3e6ec"/>`;
  if (value !== null && value !== undefined) s += `<rect x="0" y="4" width="${x(value)}" height="8" fill="#3b6fd8"/>`;
  for (const [v, color] of marks) s += `<line x1="${x(v)}" x2="${x(v)}" y1="0" y2="16" stroke="${color}" stroke-width="2"/>`;
  svg.innerHTML = s;
}

function chart(id, times, values, color) {
  const pts = times.map((t, i) => [t, values[i]]).filter((p) => p[1] !== null && p[1] !== undefined);
  const svg = $(id);
  if (pts.length < 2) { svg.innerHTML = `<text x="10" y="60" font-size="12">waiting for data</text>`; return; }
  const t0 = pts[0][0], t1 = pts[pts.length - 1][0] || t0 + 1;
  let lo = Math.min(...pts.map((p) => p[1])), hi = Math.max(...pts.map((p) => p[1]));
  if (hi - lo < 1e-9) { hi += 1; lo -= 1; }
  const X = (t) => 30 + 365 * (t - t0) / Math.max(1e-9, t1 - t0), Y = (v) => 110 - 100 * (v - lo) / (hi - lo);
  const line = pts.map((p) => `${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join(" ");
  svg.innerHTML = `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${line}"/>` +
    `<text x="0" y="14" font-size="10">${fmt(hi)}</text><text x="0" y="112" font-size="10">${fmt(lo)}</text>`;
}

function table(id, rows, cols) {
  const head = "<tr>" + cols.map((c) => `<th>${esc(c[0])}</th>`).join("") + "</tr>";
  const body = rows.slice(0, 30).map((r) => "<tr>" + cols.map((c) => `<td>${esc(c[1](r))}</td>`).join("") + "</tr>").join("");
  $(id).innerHTML = head + body;
}

function showState(s) {
  $("account").textContent = s.account ? `account ${s.account}` : "";
  $("lease").textContent = s.lease ? `lease held by ${s.lease.host} pid ${s.lease.pid}` : "";
  $("mode").textContent = (s.mode || (s.read_only ? "journal" : "")) + (s.shadow ?
    ` (nothing sent): would have closed ${s.shadow.lots.toFixed(2)} lots; ${s.shadow.saved >= 0 ? "saved" : "cost"} ${Math.abs(s.shadow.saved).toFixed(2)} ${s.currency || ""}` : "");
  $("paused").textContent = s.paused ? "PAUSED" : "running";
  $("connected").textContent = s.connected === false ? "terminal LOST" : "terminal ok";
  $("clock").textContent = when(s.time || s.now);
  $("regime").textContent = s.regime || "–";
  $("regime").className = "value sev-" + (s.regime || "");
  $("state").textContent = s.state || "–";
  $("state").className = "value sev-" + (s.state || "");
  $("crash").textContent = s.crash_flag ? "UP: " + (s.crash_signs || []).join(", ") : "down";
  $("crash").className = "value" + (s.crash_flag ? " sev-crash" : "");
  $("target").textContent = s.target_eff_lev !== undefined ? `${fmt(s.target_eff_lev)} · ${s.binding_cap}` : "–";
  $("reasons").textContent = (s.reasons || []).join("; ");
  $("eff_lev").textContent = fmt(s.eff_lev);
  $("eff_lev_band").textContent = s.eff_lev_band || "";
  $("mu").textContent = pct(s.mu);
  $("mu_band").textContent = s.mu_band || "";
  $("msi").textContent = fmt(s.msi);
  $("msi_band").textContent = s.msi_band || "";
  $("lvi").textContent = fmt(s.lvi);
  $("l_safe").textContent = fmt(s.l_safe);
  $("depth_ratio").textContent = fmt(s.depth_ratio);
  $("equity").textContent = fmt(s.equity) + " " + (s.currency || "");
  $("margin").textContent = fmt(s.margin);
  const L = s.limits || {};
  bar("bar_eff_lev", s.eff_lev, Math.max(4, (s.eff_lev || 0) * 1.1), [[L.eff_lev_reduce_above, "#b26a00"], [L.eff_lev_forced_above, "#b3261e"], [L.eff_lev_ruin, "#000"]]);
  bar("bar_mu", s.mu, 1, [[L.mu_no_new_exposure_above, "#b3261e"]]);
  bar("bar_msi", s.msi, Math.max(3, Math.min(10, (s.msi || 0) * 1.1)), [[L.msi_reduce_below, "#b26a00"], [L.msi_danger, "#b3261e"]]);
  $("warnings").innerHTML = (s.warnings || []).map((w) => `<li>${esc(w.message)}</li>`).join("") || "<li>none</li>";
  $("control").style.display = s.read_only ? "none" : "";
  const P = s.prop_lock || {};
  $("prop_lock").textContent = P.locked ? `prop lock ON (${P.reason}); the rule allows a lift ${P.lock_until ? "from " + when(P.lock_until) : "now"}; release: ${P.release}` : "no prop lock";
  $("lift_prop_lock").disabled = !P.liftable;
  document.body.dataset.regime = s.regime || "";
  document.body.dataset.state = s.state || "";
  document.body.dataset.effLev = fmt(s.eff_lev);
}

async function refresh() {
  try {
    const [s, series, plan, orders, alerts, controls] = await Promise.all(
      ["/api/state", "/api/series", "/api/plan", "/api/orders", "/api/alerts", "/api/controls"].map(get));
    showState(s);
    chart("chart_equity", series.time, series.equity, "#1b7f3b");
    chart("chart_eff_lev", series.time, series.eff_lev, "#3b6fd8");
    chart("chart_msi", series.time, series.msi, "#b26a00");
    chart("chart_lvi", series.time, series.lvi, "#b3261e");
    table("plan", plan, [["symbol", (a) => a.symbol], ["ticket", (a) => a.ticket], ["slice", (a) => `${a.slice_index}/${a.slices}`], ["lots", (a) => a.volume], ["urgency", (a) => a.urgency], ["not before", (a) => when(a.not_before)]]);
    table("orders", orders, [["time", (o) => when(o.time)], ["symbol", (o) => o.symbol], ["status", (o) => o.status], ["filled", (o) => o.filled], ["retcode", (o) => o.retcode], ["message", (o) => o.message]]);
    table("alerts", alerts, [["time", (a) => when(a.time)], ["alert", (a) => a.title], ["channel", (a) => a.channel || "held"], ["result", (a) => a.result]]);
    table("controls", controls, [["time", (c) => when(c.time)], ["action", (c) => c.action + (c.mode ? " " + c.mode : "")], ["who", (c) => c.who], ["why", (c) => c.why], ["result", (c) => c.result]]);
    document.body.dataset.loaded = "1";
  } catch (e) {
    $("control_result").textContent = String(e);
  }
}

async function control(action, extra) {
  const body = {who: $("who").value, why: $("why").value, ...extra};
  const r = await fetch("/api/control/" + action, {method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
  const data = await r.json();
  $("control_result").textContent = r.ok ? data.result : "refused: " + JSON.stringify(data.detail);
  refresh();
}

$("pause").onclick = () => control("pause", {});
$("resume").onclick = () => control("resume", {});
$("set_mode").onclick = () => control("mode", {mode: $("mode_select").value});
$("flatten").onclick = () => {
  if (window.confirm("Close EVERY open position now?")) control("flatten", {confirm: "FLATTEN"});
};
$("lift_prop_lock").onclick = () => {
  if (window.confirm("Lift the prop lock? New positions are allowed again.")) control("lift_prop_lock", {confirm: "LIFT"});
};
refresh();
setInterval(refresh, 1000);
