// scenarios.cpp - drive the real LiquidityGuard.mq5 (translated, compiled with mql5_shim.h) through
// scripted terminal scenarios. Built and run by tests/mql5/harness.py; one process per scenario,
// so the EA's globals are fresh, as on a new attach.
//
//   guard_tests list
//   guard_tests run <scenario> <golden_dir> <work_dir> [gmt_seconds]
#include "ea.gen.cpp"

#include <chrono>
#include <iostream>

using mql5sim::sim;

static int g_failures = 0;
static string g_golden;
static string g_work;

#define CHECK(cond)                                                                  \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      g_failures++;                                                                  \
    }                                                                                \
  } while (0)
#define CHECK_NEAR(a, b, tol)                                                                     \
  do {                                                                                            \
    double va_ = (a), vb_ = (b);                                                                  \
    if (std::fabs(va_ - vb_) > (tol)) {                                                           \
      std::fprintf(stderr, "%s:%d: CHECK_NEAR failed: %s = %.10g, expected %.10g\n", __FILE__, \
                   __LINE__, #a, va_, vb_);                                                       \
      g_failures++;                                                                               \
    }                                                                                             \
  } while (0)

//--- helpers --------------------------------------------------------------------------------
static string link_path(const string &name) { return sim().common_dir + "/Files/lca/" + name; }

static string read_text(const string &path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

static void write_text(const string &path, const string &text) {  // atomic, as lca does
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  {
    std::ofstream f(path + ".tmp", std::ios::binary | std::ios::trunc);
    f << text;
  }
  std::filesystem::rename(path + ".tmp", path);
}

static void put_golden(const string &name) { write_text(link_path("limits.txt"), read_text(g_golden + "/" + name)); }

// the protocol's hash, written independently of the EA's code
static long hash31(const std::vector<string> &lines) {
  long h = 0;
  for (auto &l : lines) {
    for (unsigned char c : l) h = (h * 131 + c) % 2147483647;
    h = (h * 131 + 10) % 2147483647;
  }
  return h;
}

static void write_limits(long seq, long heartbeat, const string &lev, const string &msi, int lock,
                         const std::vector<string> &symbol_lines, int new_exposure = 1) {
  std::vector<string> lines = {"lca-limits 1", "sequence=" + std::to_string(seq),
                               "heartbeat_utc=" + std::to_string(heartbeat), "max_eff_lev=" + lev,
                               "msi_floor=" + msi, "prop_lock=" + std::to_string(lock),
                               "new_exposure=" + std::to_string(new_exposure)};
  for (auto &s : symbol_lines) lines.push_back("symbol=" + s);
  string text;
  for (auto &l : lines) text += l + "\r\n";
  text += "end=" + std::to_string(seq) + ";" + std::to_string(hash31(lines)) + "\r\n";
  write_text(link_path("limits.txt"), text);
}

static void setup(bool hedging = true) {
  mql5sim::Sim &s = sim();
  s.hedging = hedging;
  s.balance = 1e6;  // leverage stays low unless a scenario lowers the balance
  s.common_dir = g_work + "/Common";
  std::filesystem::create_directories(s.common_dir + "/Files/lca");
  s.verbose = std::getenv("MQL5SIM_VERBOSE") != nullptr;
  s.handlers.on_timer = ea::OnTimer;
  s.handlers.on_trade = ea::OnTradeTransaction;
  s.handlers.on_book = ea::OnBookEvent;
  s.handlers.on_tick = ea::OnTick;
  s.add_symbol("EURUSD", 1.10000, 1.10010);
  s.add_symbol("GBPUSD", 1.25000, 1.25020);
  mql5sim::Symbol &jpy = s.add_symbol("USDJPY", 150.000, 150.012);
  jpy.digits = 3;
  jpy.point = 0.001;
  jpy.tick_size = 0.001;
  jpy.tick_value = 100000 * 0.001 / 150.0;
  jpy.vol_step = 0.1;
  jpy.vol_min = 0.1;
  _Symbol = "EURUSD";
}

static int init() {
  int rc = ea::OnInit();
  sim().pump();
  return rc;
}

static ulong buy(const string &symbol, double lots) { return sim().manual(symbol, ORDER_TYPE_BUY, lots); }
static ulong sell(const string &symbol, double lots) { return sim().manual(symbol, ORDER_TYPE_SELL, lots); }

static double volume_of_ticket(ulong ticket) {
  mql5sim::Position *p = sim().find(ticket);
  return p ? p->volume : 0.0;
}

static double eff_lev() { return sim().position_value() / sim().equity(); }

static double failsafe_flag() { return GlobalVariableGet("lca.failsafe"); }

// invariants of every scenario: the guard only ever reduces (position set, opposite side), with
// its own magic number
static void check_only_reductions() {
  for (auto &t : sim().trades) {
    CHECK(t.request.position != 0);
    CHECK(t.request.magic == (ulong)ea::InpMagic);
    CHECK(t.request.action == TRADE_ACTION_DEAL);
  }
}

//--- scenarios --------------------------------------------------------------------------------
static void manual_trade_over_cap_is_cut_newest_first_hedging() {
  setup(true);
  put_golden("limits_v1.txt");  // EURUSD cap 2 lots
  CHECK(init() == INIT_SUCCEEDED);
  CHECK(failsafe_flag() == 0.0);
  ulong t1 = buy("EURUSD", 1.5);
  sim().pump();
  ulong t2 = buy("EURUSD", 1.5);
  sim().pump();
  CHECK_NEAR(volume_of_ticket(t1), 1.5, 1e-9);
  CHECK_NEAR(volume_of_ticket(t2), 0.5, 1e-9);
  CHECK(sim().trades.size() == 1);
  if (!sim().trades.empty()) {
    const MqlTradeRequest &r = sim().trades[0].request;
    CHECK(r.position == t2);
    CHECK(r.type == ORDER_TYPE_SELL);
    CHECK_NEAR(r.volume, 1.0, 1e-9);
    CHECK_NEAR(r.price, 1.10000, 1e-12);
    CHECK(sim().trades[0].retcode == TRADE_RETCODE_DONE);
  }
  CHECK(sim().logged("EURUSD volume 3.00 lots above the cap 2.00 lots"));
}

static void manual_trade_over_cap_is_cut_netting() {
  setup(false);
  put_golden("limits_v1.txt");  // EURUSD 2, GBPUSD 0.5
  CHECK(init() == INIT_SUCCEEDED);
  ulong t1 = buy("EURUSD", 1.5);
  sim().pump();
  ulong t2 = buy("EURUSD", 1.5);
  sim().pump();
  CHECK(t1 == t2);  // netting: one position per symbol
  CHECK(sim().positions.size() == 1);
  CHECK_NEAR(sim().volume_of("EURUSD"), 2.0, 1e-9);
  ulong g = sell("GBPUSD", 3.0);
  sim().pump();
  CHECK_NEAR(sim().volume_of("GBPUSD"), 0.5, 1e-9);
  CHECK(sim().find(g) != nullptr && sim().find(g)->type == POSITION_TYPE_SELL);
  CHECK(sim().trades.size() == 2);
  if (sim().trades.size() == 2) {
    CHECK(sim().trades[0].request.position == t1);
    CHECK(sim().trades[1].request.position == g);
    CHECK(sim().trades[1].request.type == ORDER_TYPE_BUY);
    CHECK_NEAR(sim().trades[1].request.price, 1.25020, 1e-12);  // a sell is closed at the ask
    CHECK_NEAR(sim().trades[1].request.volume, 2.5, 1e-9);
  }
}

static void hedged_buy_and_sell_both_count_toward_the_cap() {
  setup(true);
  put_golden("limits_v1.txt");  // GBPUSD 0.5
  CHECK(init() == INIT_SUCCEEDED);
  ulong b = buy("GBPUSD", 0.4);
  sim().pump();
  ulong s = sell("GBPUSD", 0.4);  // hedged: gross 0.8 lots
  sim().pump();
  CHECK_NEAR(volume_of_ticket(b), 0.4, 1e-9);
  CHECK_NEAR(volume_of_ticket(s), 0.1, 1e-9);
  CHECK(sim().trades.size() == 1 && sim().trades[0].request.type == ORDER_TYPE_BUY);
}

static void symbol_cap_close_volume_rounds_up_to_step() {
  setup(true);
  put_golden("limits_v1.txt");  // USDJPY cap 1.25 lots, volume step 0.1
  CHECK(init() == INIT_SUCCEEDED);
  buy("USDJPY", 2.0);
  sim().pump();
  CHECK(sim().volume_of("USDJPY") <= 1.25 + 1e-9);
  CHECK_NEAR(sim().volume_of("USDJPY"), 1.2, 1e-9);
  CHECK(sim().trades.size() == 1 && std::fabs(sim().trades[0].request.volume - 0.8) < 1e-9);
}

static void leverage_cap_close_volume_rounds_up_to_step() {
  setup(true);
  sim().balance = 10000;
  put_golden("limits_v1.txt");  // max effective leverage 2.5
  CHECK(init() == INIT_SUCCEEDED);
  buy("EURUSD", 0.5);  // 55,000 of notional on about 10,000 of equity: 5.5x
  sim().pump();
  // excess 55,000 - 2.5 x 9,995 = 30,012.5 = 0.2728 lots -> 0.28 (0.27 would leave 2.53x)
  CHECK(sim().trades.size() == 1 && std::fabs(sim().trades[0].request.volume - 0.28) < 1e-9);
  CHECK_NEAR(sim().volume_of("EURUSD"), 0.22, 1e-9);
  CHECK(eff_lev() <= 2.5);
  CHECK(sim().logged("effective leverage 5.50 above the cap 2.50"));
}

static void msi_floor_is_held() {
  setup(true);
  ea::InpMaxEffLev = 0.0;
  sim().balance = 10000;
  sim().leverage = 3;
  write_limits(7, 1700000000, "50", "1.5", 0, {});
  CHECK(init() == INIT_SUCCEEDED);
  buy("EURUSD", 0.5);  // margin 18,333 on equity 9,995: MSI 0.55
  sim().pump();
  double msi = sim().equity() / sim().margin();
  CHECK(msi >= 1.5);
  CHECK(msi < 1.6);  // cut to the floor, not to nothing
  CHECK_NEAR(sim().volume_of("EURUSD"), 0.18, 1e-9);
  CHECK(sim().logged("below the floor 1.50"));
}

static void stale_heartbeat_failsafe_then_back_to_normal() {
  setup(true);
  put_golden("limits_v1.txt");  // heartbeat 1700000000 = now
  CHECK(init() == INIT_SUCCEEDED);
  CHECK(failsafe_flag() == 0.0);
  ulong t1 = buy("EURUSD", 1.0);
  sim().advance_ms(1000);
  CHECK_NEAR(volume_of_ticket(t1), 1.0, 1e-9);
  CHECK(!sim().logged("FAIL-SAFE"));
  sim().advance_ms(30000);  // heartbeat 31 s old, timeout 30 s
  CHECK(failsafe_flag() == 1.0);
  CHECK(sim().logged("FAIL-SAFE: lca's last heartbeat is 31 s old"));
  CHECK(read_text(link_path("telemetry.txt")).find("mode=failsafe") != string::npos);
  ulong t2 = buy("EURUSD", 0.5);  // new exposure while Python is silent: closed at once
  sim().pump();
  CHECK(sim().find(t2) == nullptr);
  CHECK_NEAR(volume_of_ticket(t1), 1.0, 1e-9);  // what was there stays
  write_limits(43, 1700000031, "2.5", "1.5", 0, {"EURUSD;2"});
  sim().advance_ms(300);
  CHECK(failsafe_flag() == 0.0);
  CHECK(sim().logged("back to NORMAL: fresh heartbeat from lca (limits sequence 43)"));
  ulong t3 = buy("EURUSD", 0.5);
  sim().advance_ms(1000);
  CHECK_NEAR(volume_of_ticket(t3), 0.5, 1e-9);
  CHECK(read_text(link_path("telemetry.txt")).find("mode=normal") != string::npos);
}

static void failsafe_cuts_increases_and_reversals_on_netting() {
  setup(false);
  write_limits(5, 1700000000 - 120, "2.5", "1.5", 0, {"EURUSD;2"});  // already stale
  ulong t = buy("EURUSD", 1.0);
  sim().queue.clear();
  CHECK(init() == INIT_SUCCEEDED);
  CHECK(failsafe_flag() == 1.0);
  buy("EURUSD", 0.5);  // netting: the same position grows to 1.5
  sim().pump();
  CHECK_NEAR(volume_of_ticket(t), 1.0, 1e-9);
  sell("EURUSD", 3.0);  // reversal to a 2.0 lot sell: new exposure, closed
  sim().pump();
  CHECK(sim().positions.empty());
}

static void heartbeat_far_in_the_future_is_stale() {
  setup(true);
  write_limits(9, 1700000000 + 3600, "2.5", "1.5", 0, {"EURUSD;2"});
  CHECK(init() == INIT_SUCCEEDED);
  CHECK(failsafe_flag() == 1.0);
  CHECK(sim().logged("FAIL-SAFE"));
}

static void missing_limits_file_failsafe_with_own_hard_limits() {
  setup(true);
  sim().balance = 1e7;  // 12 lots stay far below the leverage cap
  ulong t = buy("EURUSD", 12.0);  // before the EA starts: no transaction will be replayed
  sim().queue.clear();
  CHECK(init() == INIT_SUCCEEDED);
  CHECK(sim().logged("no limits file at Common\\Files\\lca\\limits.txt"));
  CHECK(sim().logged("FAIL-SAFE: no heartbeat from lca yet"));
  CHECK(failsafe_flag() == 1.0);
  CHECK_NEAR(volume_of_ticket(t), 10.0, 1e-9);  // InpMaxLotsPerSymbol = 10, applied on start-up
  ulong g = buy("GBPUSD", 0.1);
  sim().pump();
  CHECK(sim().find(g) == nullptr);
  sim().advance_ms(5000);
  CHECK(sim().count_logged("no limits file") == 1);  // said once, not on every timer
}

static void torn_bad_hash_and_wrong_version_files_keep_last_good() {
  setup(true);
  put_golden("limits_v1.txt");
  CHECK(init() == INIT_SUCCEEDED);
  CHECK(ea::g_lim_sequence == 42);
  put_golden("limits_torn.txt");
  sim().advance_ms(300);
  CHECK(sim().logged("torn"));
  CHECK(sim().logged("keeping the last good limits (sequence 42)"));
  buy("EURUSD", 3.0);
  sim().pump();
  CHECK_NEAR(sim().volume_of("EURUSD"), 2.0, 1e-9);  // the last good cap still holds
  put_golden("limits_bad_hash.txt");                 // says max_eff_lev 9.5 with a stale hash
  sim().advance_ms(300);
  CHECK(sim().logged("does not match its content"));
  CHECK(ea::g_lim_max_eff_lev == 2.5);
  put_golden("limits_v2.txt");
  sim().advance_ms(300);
  CHECK(sim().logged("expected 'lca-limits 1'"));
  CHECK(ea::g_lim_sequence == 42);
  put_golden("limits_v1.txt");
  sim().advance_ms(300);
  CHECK(sim().logged("limits file is readable again"));
  CHECK(failsafe_flag() == 0.0);
}

static void locked_limits_file_keeps_last_good() {
  setup(true);
  put_golden("limits_v1.txt");
  CHECK(init() == INIT_SUCCEEDED);
  int lock = mql5sim::external_open("lca\\limits.txt", FILE_READ | FILE_WRITE);  // exclusive
  write_limits(50, 1700000000, "2.5", "1.5", 0, {"EURUSD;1"});
  sim().advance_ms(300);
  CHECK(sim().logged("cannot open Common\\Files\\lca\\limits.txt"));
  CHECK(ea::g_lim_sequence == 42);
  ulong t = buy("EURUSD", 1.5);
  sim().pump();
  CHECK_NEAR(volume_of_ticket(t), 1.5, 1e-9);
  mql5sim::external_close(lock);
  sim().advance_ms(300);
  CHECK(ea::g_lim_sequence == 50);
  CHECK_NEAR(volume_of_ticket(t), 1.0, 1e-9);
}

static void limits_file_is_opened_shared_and_read_only() {
  setup(true);
  put_golden("limits_v1.txt");
  // lca holds the file open for writing, as Python's open() does: shared read and write
  int py = mql5sim::external_open("lca\\limits.txt", FILE_WRITE | FILE_SHARE_READ | FILE_SHARE_WRITE);
  CHECK(init() == INIT_SUCCEEDED);
  CHECK(ea::g_lim_sequence == 42);
  mql5sim::external_close(py);
  const int want = FILE_READ | FILE_TXT | FILE_ANSI | FILE_COMMON | FILE_SHARE_READ | FILE_SHARE_WRITE;
  bool seen = false;
  for (auto &op : sim().file_ops) {
    if (op.find("limits.txt") == string::npos) continue;
    seen = true;
    CHECK(op == "open " + std::to_string(want) + " lca\\limits.txt");
  }
  CHECK(seen);
}

static void telemetry_is_replaced_atomically() {
  setup(true);
  put_golden("limits_v1.txt");
  CHECK(init() == INIT_SUCCEEDED);
  sim().advance_ms(1100);
  string first = read_text(link_path("telemetry.txt"));
  CHECK(first.rfind("lca-telemetry 2\r\n", 0) == 0);  // the calendar is on by default
  int torn_seen = 0;
  int writes = 0;
  sim().on_file_write = [&](const string &) {
    writes++;
    string now = read_text(link_path("telemetry.txt"));  // what lca would read at this instant
    size_t end = now.rfind("end=");
    if (now.empty() || end == string::npos || now.find("\r\n", end) == string::npos) torn_seen++;
  };
  sim().advance_ms(3000);
  sim().on_file_write = nullptr;
  CHECK(writes > 0);
  CHECK(torn_seen == 0);
  bool moved = false;
  for (auto &op : sim().file_ops) moved = moved || op == "move lca\\telemetry.tmp lca\\telemetry.txt";
  CHECK(moved);
}

static void telemetry_matches_golden() {
  setup(true);
  ea::InpCalendarHours = 0;  // the calendar off: version 1, as an EA before the calendar wrote
  mql5sim::Symbol &eu = sim().symbol("EURUSD");
  eu.has_book = true;
  eu.book = {{BOOK_TYPE_SELL, 1.10030, 4, 4.0}, {BOOK_TYPE_SELL, 1.10020, 3, 3.0}, {BOOK_TYPE_SELL, 1.10013, 2, 2.5},
             {BOOK_TYPE_BUY, 1.10001, 5, 5.0}, {BOOK_TYPE_BUY, 1.09990, 7, 7.5}};
  sim().symbol("GBPUSD").book_get_empty = true;  // subscribed, but the broker sends an empty book
  sim().add_symbol("AUDUSD", 0.65, 0.6501);      // not sampled: its book events are ignored
  put_golden("limits_v1.txt");
  CHECK(init() == INIT_SUCCEEDED);
  sim().quote("EURUSD", 1.10000, 1.10008, 2);
  sim().post_book("EURUSD");
  sim().post_book("AUDUSD");
  sim().pump();
  sim().quote("EURUSD", 1.10001, 1.10013, 1);
  sim().post_book("EURUSD");
  sim().pump();
  sim().advance_ms(250);
  string got = read_text(link_path("telemetry.txt"));
  string want = read_text(g_golden + "/telemetry_v1.txt");
  if (got != want) std::fprintf(stderr, "telemetry written:\n%s\ngolden:\n%s\n", got.c_str(), want.c_str());
  CHECK(got == want);
}

static void no_broker_depth_falls_back_to_bid_ask() {
  setup(true);
  _Symbol = "USDJPY";  // no depth at this broker: book events never come
  CHECK(init() == INIT_SUCCEEDED);
  for (int i = 0; i < 4; i++) {
    sim().quote("USDJPY", 150.000 + 0.001 * i, 150.015 + 0.001 * i);
    sim().advance_ms(250);
  }
  string t = read_text(link_path("telemetry.txt"));
  size_t p = t.find("s=USDJPY;");
  CHECK(p != string::npos);
  string line = t.substr(p, t.find("\r\n", p) - p);
  MqlArray<string> cols;
  CHECK(StringSplit(line, ';', cols) == 12);
  if (cols.v.size() == 12) {
    CHECK(cols.v[9] == "0");                      // levels: no book
    CHECK(cols.v[7] == "0.00" && cols.v[8] == "0.00");
    CHECK(StringToDouble(cols.v[2]) > 149.0);      // bid/ask still reported
    CHECK_NEAR(StringToDouble(cols.v[5]), 0.015, 1e-9);
    CHECK(StringToInteger(cols.v[10]) >= 1);
  }
}

static void algo_trading_off_is_logged_without_crash() {
  setup(true);
  sim().terminal_trade_allowed = false;
  put_golden("limits_v1.txt");
  CHECK(init() == INIT_SUCCEEDED);
  buy("EURUSD", 3.0);
  sim().advance_ms(2000);
  CHECK(sim().count_logged("Algo Trading is OFF") == 1);
  CHECK(sim().trades.empty());
  CHECK_NEAR(sim().volume_of("EURUSD"), 3.0, 1e-9);
  CHECK(read_text(link_path("telemetry.txt")).find("trade_allowed=0") != string::npos);
  sim().terminal_trade_allowed = true;
  sim().advance_ms(300);
  CHECK(sim().logged("Algo Trading is on again"));
  CHECK_NEAR(sim().volume_of("EURUSD"), 2.0, 1e-9);
}

static void reacts_to_manual_trades_before_the_next_timer() {
  setup(true);
  put_golden("limits_v1.txt");
  CHECK(init() == INIT_SUCCEEDED);
  buy("EURUSD", 3.0);
  sim().pump_trades_only();  // only the trade transactions of someone else's deal
  CHECK_NEAR(sim().volume_of("EURUSD"), 2.0, 1e-9);
}

static void prop_lock_closes_any_new_position() {
  setup(true);
  ulong t = buy("EURUSD", 1.0);
  sim().queue.clear();
  put_golden("limits_v1_prop_lock.txt");
  CHECK(init() == INIT_SUCCEEDED);
  CHECK(failsafe_flag() == 0.0);
  CHECK(sim().logged("new exposure is BLOCKED (prop lock)"));
  ulong n1 = buy("EURUSD", 0.5);
  ulong n2 = sell("GBPUSD", 0.1);
  sim().pump();
  CHECK(sim().find(n1) == nullptr);
  CHECK(sim().find(n2) == nullptr);
  CHECK_NEAR(volume_of_ticket(t), 1.0, 1e-9);
  write_limits(44, 1700000000, "2.5", "1.5", 0, {"EURUSD;2"});
  sim().advance_ms(300);
  CHECK(sim().logged("new exposure is allowed again"));
  ulong n3 = buy("EURUSD", 0.5);
  sim().advance_ms(300);
  CHECK_NEAR(volume_of_ticket(n3), 0.5, 1e-9);
}

static void own_hard_limits_bound_what_lca_allows() {
  setup(true);
  write_limits(11, 1700000000, "2.5", "1.5", 0, {"EURUSD;20"});  // lca would allow 20 lots
  CHECK(init() == INIT_SUCCEEDED);
  CHECK(failsafe_flag() == 0.0);
  buy("EURUSD", 12.0);
  sim().pump();
  CHECK_NEAR(sim().volume_of("EURUSD"), 10.0, 1e-9);  // InpMaxLotsPerSymbol = 10 wins
  CHECK(sim().logged("EURUSD volume 12.00 lots above the cap 10.00 lots"));
}

static void remainder_below_minimum_closes_the_whole_position() {
  setup(true);
  mql5sim::Symbol &gb = sim().symbol("GBPUSD");
  gb.vol_min = 0.1;
  gb.vol_step = 0.01;
  put_golden("limits_v1.txt");  // GBPUSD cap 0.5
  CHECK(init() == INIT_SUCCEEDED);
  ulong a = buy("GBPUSD", 0.4);
  sim().pump();
  ulong b = buy("GBPUSD", 0.15);  // 0.05 over: the minimum close of 0.1 would leave 0.05 < 0.1
  sim().pump();
  CHECK(sim().find(b) == nullptr);
  CHECK_NEAR(volume_of_ticket(a), 0.4, 1e-9);
  CHECK(sim().trades.size() == 1 && std::fabs(sim().trades[0].request.volume - 0.15) < 1e-9);
}

static void no_double_close_while_the_terminal_still_lists_old_volumes() {
  setup(true);
  sim().positions_lag = true;
  sim().balance = 100000;
  put_golden("limits_v1.txt");  // EURUSD cap 2 lots, max effective leverage 2.5
  CHECK(init() == INIT_SUCCEEDED);
  buy("EURUSD", 3.0);  // 3.3x: after the cap cut to 2 lots it is 2.2x, within 2.5x
  sim().advance_ms(1000);
  CHECK_NEAR(sim().volume_of("EURUSD"), 2.0, 1e-9);  // not cut again from the stale 3 lots
  CHECK(sim().trades.size() == 1);
}

static void a_close_above_the_maximum_volume_is_split() {
  setup(false);
  sim().symbol("GBPUSD").vol_max = 1.0;
  put_golden("limits_v1.txt");  // GBPUSD cap 0.5
  CHECK(init() == INIT_SUCCEEDED);
  for (int i = 0; i < 3; i++) buy("GBPUSD", 1.0);  // netting: one 3-lot position
  sim().advance_ms(1000);
  CHECK_NEAR(sim().volume_of("GBPUSD"), 0.5, 1e-9);
  for (auto &t : sim().trades) {
    CHECK(t.request.volume <= 1.0 + 1e-9);
    CHECK(t.retcode == TRADE_RETCODE_DONE);
  }
}

static void no_new_exposure_from_lca_closes_new_positions_on_any_symbol() {
  setup(false);
  ulong t = buy("EURUSD", 1.0);
  sim().queue.clear();
  write_limits(12, 1700000000, "2.5", "1.5", 0, {"EURUSD;1"}, 0);  // lca: no new exposure
  CHECK(init() == INIT_SUCCEEDED);
  CHECK(failsafe_flag() == 0.0);
  CHECK(sim().logged("new exposure is BLOCKED (lca allows no new exposure)"));
  ulong n = buy("USDJPY", 0.5);  // a symbol lca sent no cap for
  buy("EURUSD", 0.3);            // netting: an increase of the existing position
  sim().pump();
  CHECK(sim().find(n) == nullptr);
  CHECK_NEAR(volume_of_ticket(t), 1.0, 1e-9);
  write_limits(13, 1700000000, "2.5", "1.5", 0, {"EURUSD;1"}, 1);
  sim().advance_ms(300);
  ulong m = buy("USDJPY", 0.5);
  sim().advance_ms(300);
  CHECK_NEAR(volume_of_ticket(m), 0.5, 1e-9);
}

static void negative_equity_closes_everything_newest_first() {
  setup(true);
  sim().balance = 3000;
  ea::InpMaxEffLev = 0.0;  // only the equity rule may act here
  ea::InpMsiFloor = 0.0;
  write_limits(3, 1700000000, "100", "0", 0, {});
  CHECK(init() == INIT_SUCCEEDED);
  ulong a = buy("EURUSD", 1.0);
  ulong b = buy("GBPUSD", 0.1);
  sim().pump();
  CHECK(sim().positions.size() == 2);
  sim().quote("EURUSD", 1.05000, 1.05010);  // -5,010 on EURUSD: equity below zero
  sim().advance_ms(1000);
  CHECK(sim().positions.empty());
  CHECK(sim().logged("is not positive"));
  CHECK(sim().trades.size() == 2);
  if (sim().trades.size() == 2) {
    CHECK(sim().trades[0].request.position == b);  // the newest first
    CHECK(sim().trades[1].request.position == a);
  }
}

static void removal_is_logged_and_stops_the_timer() {
  setup(true);
  put_golden("limits_v1.txt");
  CHECK(init() == INIT_SUCCEEDED);
  CHECK(sim().timer_ms == 250);
  ea::OnDeinit(1);
  CHECK(sim().timer_ms == 0);
  CHECK(sim().logged("The limits are NOT enforced until it is attached again"));
}

static void refused_closes_are_retried_calmly() {
  setup(true);
  put_golden("limits_v1.txt");
  CHECK(init() == INIT_SUCCEEDED);
  sim().symbol("EURUSD").market_open = false;
  buy("EURUSD", 3.0);
  sim().advance_ms(10000);  // 40 timer ticks while the market is closed
  CHECK(!sim().trades.empty());
  CHECK(sim().trades.size() <= 6);  // one try every 2 s, not 4 a second
  CHECK(sim().count_logged("FAILED to close") == 1);
  CHECK(sim().logged("retcode 10018"));
  sim().symbol("EURUSD").market_open = true;
  sim().advance_ms(2500);
  CHECK_NEAR(sim().volume_of("EURUSD"), 2.0, 1e-9);
}

static void an_unknown_symbol_is_reported_once() {
  setup(true);
  write_limits(4, 1700000000, "2.5", "1.5", 0, {"EURUSD;2", "XAUUSD.x;1"});
  CHECK(init() == INIT_SUCCEEDED);
  sim().advance_ms(3000);
  CHECK(sim().count_logged("symbol XAUUSD.x is unknown to this terminal") == 1);
  CHECK(read_text(link_path("telemetry.txt")).find("XAUUSD.x") == string::npos);
}

static void a_second_copy_in_the_same_terminal_refuses_to_start() {
  setup(true);
  put_golden("limits_v1.txt");
  g_chart_id = 111;
  GlobalVariableTemp("lca.guard_chart");
  GlobalVariableSetOnCondition("lca.guard_chart", 222.0, 0.0);  // another chart's guard runs
  CHECK(init() == INIT_FAILED);
  CHECK(sim().logged("another LiquidityGuard already guards this terminal"));
  GlobalVariableDel("lca.guard_chart");  // that guard was removed
  CHECK(init() == INIT_SUCCEEDED);
  CHECK(GlobalVariableGet("lca.guard_chart") == 112.0);
  ea::OnDeinit(3);  // chart change: de-init then init on the same chart
  CHECK(!GlobalVariableCheck("lca.guard_chart"));
  CHECK(init() == INIT_SUCCEEDED);
}

static void invalid_inputs_are_refused() {
  setup(true);
  ea::InpHeartbeatTimeoutSec = 1;
  CHECK(init() == INIT_PARAMETERS_INCORRECT);
  CHECK(sim().logged("invalid inputs"));
}

static size_t count_trades(uint retcode) {
  size_t n = 0;
  for (auto &t : sim().trades) n += t.retcode == retcode ? 1 : 0;
  return n;
}

static void placed_close_is_in_flight_and_not_resent() {
  setup(false);  // netting: a second close order would execute too and close twice
  sim().place_delay_ms = 5000;  // the server answers 10008 and fills 5 s later
  put_golden("limits_v1.txt");  // EURUSD cap 2 lots
  CHECK(init() == INIT_SUCCEEDED);
  buy("EURUSD", 3.0);
  sim().pump();
  CHECK(count_trades(TRADE_RETCODE_PLACED) == 1);
  CHECK(sim().logged("placed as order #"));
  sim().advance_ms(4000);  // 16 timer ticks, twice the retry pause: still the one order
  CHECK(sim().trades.size() == 1);
  CHECK(sim().count_logged("is in flight") == 1);
  CHECK_NEAR(sim().volume_of("EURUSD"), 3.0, 1e-9);
  sim().advance_ms(2000);  // filled
  CHECK(sim().orders.empty());
  CHECK_NEAR(sim().volume_of("EURUSD"), 2.0, 1e-9);  // closed once, not twice
  CHECK(sim().trades.size() == 1);
  CHECK(sim().logged("no close in flight any more"));
  sim().place_delay_ms = -1;
  buy("EURUSD", 0.5);  // afterwards the guard acts as before
  sim().advance_ms(300);
  CHECK_NEAR(sim().volume_of("EURUSD"), 2.0, 1e-9);
  CHECK(sim().trades.size() == 2);
  sim().advance_ms(10000);  // no second order of the first close fills late
  CHECK_NEAR(sim().volume_of("EURUSD"), 2.0, 1e-9);
}

static void an_own_pending_close_from_before_blocks_a_resend() {
  setup(false);
  put_golden("limits_v1.txt");  // EURUSD cap 2 lots
  ulong t = buy("EURUSD", 3.0);
  sim().queue.clear();
  // an order of the guard's that the server still holds (sent before the EA was re-attached)
  MqlTradeRequest r{};
  r.action = TRADE_ACTION_DEAL;
  r.symbol = "EURUSD";
  r.position = t;
  r.type = ORDER_TYPE_SELL;
  r.volume = 1.0;
  r.magic = (ulong)ea::InpMagic;
  sim().orders.push_back({sim().next_ticket++, r, sim().gmt_ms + 3000, sim().now_msc()});
  CHECK(init() == INIT_SUCCEEDED);
  sim().advance_ms(2000);
  CHECK(sim().trades.empty());  // nothing sent while that order is pending
  CHECK(sim().logged("is in flight"));
  sim().advance_ms(2000);
  CHECK_NEAR(volume_of_ticket(t), 2.0, 1e-9);
  CHECK(sim().trades.empty());
}

static void refused_filling_falls_back_to_the_next_mode() {
  setup(true);
  sim().symbol("EURUSD").refused_fillings = 1L << ORDER_FILLING_FOK;  // bits say FOK, server says 10030
  put_golden("limits_v1.txt");  // EURUSD cap 2 lots
  CHECK(init() == INIT_SUCCEEDED);
  buy("EURUSD", 3.0);
  sim().pump();
  CHECK_NEAR(sim().volume_of("EURUSD"), 2.0, 1e-9);
  CHECK(sim().trades.size() == 2);
  if (sim().trades.size() == 2) {
    CHECK(sim().trades[0].request.type_filling == ORDER_FILLING_FOK);
    CHECK(sim().trades[0].retcode == TRADE_RETCODE_INVALID_FILL);
    CHECK(sim().trades[1].request.type_filling == ORDER_FILLING_IOC);
    CHECK(sim().trades[1].retcode == TRADE_RETCODE_DONE);
  }
  CHECK(!sim().logged("FAILED to close"));
}

static void no_filling_bit_uses_return_filling() {
  setup(true);
  sim().symbol("GBPUSD").filling = 0;  // neither FOK nor IOC: an exchange-style symbol
  put_golden("limits_v1.txt");         // GBPUSD cap 0.5 lots
  CHECK(init() == INIT_SUCCEEDED);
  buy("GBPUSD", 1.0);
  sim().pump();
  CHECK_NEAR(sim().volume_of("GBPUSD"), 0.5, 1e-9);
  CHECK(sim().trades.size() == 1 && sim().trades[0].request.type_filling == ORDER_FILLING_RETURN);
}

static void notional_without_tick_value_is_in_the_account_currency() {
  setup(true);
  sim().balance = 10000;
  ea::InpMsiFloor = 0.0;
  sim().symbol("USDJPY").tick_value_hidden = true;  // contract x price is then in JPY
  write_limits(7, 1700000000, "2.5", "0", 0, {});
  CHECK(init() == INIT_SUCCEEDED);
  buy("USDJPY", 0.5);  // 50,000 USD on about 10,000 of equity: 5x
  sim().pump();
  // valued in JPY as if USD (15,000,000 per lot) everything would be closed; in USD the excess
  // is about 25,000 = 0.25 lots -> 0.3 (step 0.1), leaving 0.2 lots = 2x
  CHECK_NEAR(sim().volume_of("USDJPY"), 0.2, 1e-9);
  CHECK(eff_lev() <= 2.5);
  CHECK(sim().logged("effective leverage 5.00 above the cap 2.50"));
}

static void notional_without_tick_value_or_conversion_is_said_once() {
  setup(true);
  sim().balance = 10000;
  ea::InpMsiFloor = 0.0;
  mql5sim::Symbol &x = sim().add_symbol("XAUCHF", 1900.0, 1900.5);  // no CHF pair at this broker
  x.tick_value_hidden = true;
  x.tick_value = 0.01;  // what the terminal itself would book, unknown to the EA
  x.tick_size = 0.01;
  x.contract = 100;
  write_limits(8, 1700000000, "2.5", "0", 0, {});
  CHECK(init() == INIT_SUCCEEDED);
  buy("XAUCHF", 0.1);
  sim().advance_ms(2000);
  CHECK(sim().count_logged("no symbol converts CHF to the account currency USD") == 1);
  CHECK(sim().trades.empty());  // an unknown value is not a reason to close at random
}

static void a_limits_file_with_a_lower_sequence_is_refused() {
  setup(true);
  put_golden("limits_v1.txt");  // sequence 42, EURUSD cap 2 lots
  CHECK(init() == INIT_SUCCEEDED);
  write_limits(41, 1700000000, "2.5", "1.5", 0, {"EURUSD;5"});  // older, and looser
  sim().advance_ms(3000);
  CHECK(ea::g_lim_sequence == 42);
  CHECK(sim().count_logged("sequence 41 goes backwards") == 1);  // said once, not per timer
  CHECK(sim().logged("keeping the last good limits (sequence 42)"));
  buy("EURUSD", 3.0);
  sim().pump();
  CHECK_NEAR(sim().volume_of("EURUSD"), 2.0, 1e-9);
  write_limits(42, 1700000003, "2.5", "1.5", 0, {"EURUSD;2"});  // the same sequence again: fine
  sim().advance_ms(300);
  CHECK(ea::g_lim_heartbeat == 1700000003);
  write_limits(43, 1700000003, "2.5", "1.5", 0, {"EURUSD;1"});
  sim().advance_ms(300);
  CHECK(ea::g_lim_sequence == 43);
  CHECK(sim().logged("limits file is readable again"));
  CHECK_NEAR(sim().volume_of("EURUSD"), 1.0, 1e-9);
}

static void sequence_limit_matches_protocol() {
  setup(true);
  put_golden("limits_max_sequence.txt");  // 999999999999999999, the largest lca writes
  CHECK(init() == INIT_SUCCEEDED);
  CHECK(ea::g_lim_ok && ea::g_lim_sequence == 999999999999999999L);
  CHECK(failsafe_flag() == 0.0);
  ea::g_lim_ok = false;  // as on a fresh attach: any valid sequence would be taken
  ea::g_lim_sequence = 0;
  put_golden("limits_sequence_too_long.txt");  // 19 digits: refused, never wrapped or clipped
  sim().advance_ms(300);
  CHECK(!ea::g_lim_ok);
  CHECK(sim().logged("ignored"));
}

// driven by tests/mql5/test_interop.py: Python wrote limits.txt, the EA enforces and reports
static void interop() {
  setup(true);
  ulong e = buy("EURUSD", 3.0);
  ulong g = buy("GBPUSD", 0.3);
  sim().queue.clear();
  sim().symbol("EURUSD").has_book = true;
  sim().symbol("EURUSD").book = {{BOOK_TYPE_SELL, 1.10010, 10, 10.0}, {BOOK_TYPE_BUY, 1.10000, 20, 20.0}};
  init();
  sim().advance_ms(1300);
  std::printf("EURUSD %.2f\nGBPUSD %.2f\nFAILSAFE %.0f\n", volume_of_ticket(e), volume_of_ticket(g), failsafe_flag());
}

//--- fidelity of the fake terminal itself: it must refuse what a real terminal refuses ---------
static MqlTradeRequest close_request(ulong ticket, ENUM_ORDER_TYPE type, double volume) {
  MqlTradeRequest r{};
  r.action = TRADE_ACTION_DEAL;
  r.symbol = "EURUSD";
  r.position = ticket;
  r.type = type;
  r.volume = volume;
  r.price = type == ORDER_TYPE_SELL ? sim().symbol("EURUSD").bid : sim().symbol("EURUSD").ask;
  r.deviation = 10;
  r.type_filling = ORDER_FILLING_FOK;
  r.magic = (ulong)ea::InpMagic;
  return r;
}

static void fidelity_ordersend_refuses_what_a_terminal_refuses() {
  setup(true);
  ulong t = buy("EURUSD", 1.0);
  MqlTradeResult res{};
  CHECK(!OrderSend(close_request(t, ORDER_TYPE_SELL, 0.015), res) && res.retcode == TRADE_RETCODE_INVALID_VOLUME);
  CHECK(!OrderSend(close_request(t, ORDER_TYPE_SELL, 0.001), res) && res.retcode == TRADE_RETCODE_INVALID_VOLUME);
  CHECK(!OrderSend(close_request(t, ORDER_TYPE_BUY, 0.5), res) && res.retcode == TRADE_RETCODE_INVALID);
  CHECK(!OrderSend(close_request(t, ORDER_TYPE_SELL, 1.5), res) && res.retcode == TRADE_RETCODE_INVALID_CLOSE_VOLUME);
  CHECK(!OrderSend(close_request(t + 99, ORDER_TYPE_SELL, 0.5), res) && res.retcode == TRADE_RETCODE_POSITION_CLOSED);
  MqlTradeRequest r = close_request(t, ORDER_TYPE_SELL, 0.5);
  r.type_filling = ORDER_FILLING_RETURN;
  CHECK(!OrderSend(r, res) && res.retcode == TRADE_RETCODE_INVALID_FILL);
  r = close_request(t, ORDER_TYPE_SELL, 0.5);
  r.price += 0.01;
  CHECK(!OrderSend(r, res) && res.retcode == TRADE_RETCODE_INVALID_PRICE);
  sim().terminal_trade_allowed = false;
  CHECK(!OrderSend(close_request(t, ORDER_TYPE_SELL, 0.5), res) && res.retcode == TRADE_RETCODE_CLIENT_DISABLES_AT);
  sim().terminal_trade_allowed = true;
  CHECK(OrderSend(close_request(t, ORDER_TYPE_SELL, 0.5), res) && res.retcode == TRADE_RETCODE_DONE);
  CHECK_NEAR(volume_of_ticket(t), 0.5, 1e-12);
  sim().trades.clear();  // these were the test's own requests, not the EA's
}

static void fidelity_placed_orders_are_listed_then_filled_and_fillings_refused() {
  setup(true);
  ulong t = buy("EURUSD", 1.0);
  sim().place_delay_ms = 1000;
  MqlTradeResult res{};
  CHECK(OrderSend(close_request(t, ORDER_TYPE_SELL, 0.5), res) && res.retcode == TRADE_RETCODE_PLACED);
  CHECK(res.order != 0 && res.deal == 0);
  CHECK(OrdersTotal() == 1 && OrderGetTicket(0) == res.order);
  CHECK(OrderGetInteger(ORDER_MAGIC) == ea::InpMagic && OrderGetInteger(ORDER_POSITION_ID) == (long)t);
  CHECK(OrderGetString(ORDER_SYMBOL) == "EURUSD" && OrderGetDouble(ORDER_VOLUME_CURRENT) == 0.5);
  // hedging: a second close of the same position while one is pending is refused
  CHECK(!OrderSend(close_request(t, ORDER_TYPE_SELL, 0.5), res) && res.retcode == TRADE_RETCODE_CLOSE_ORDER_EXIST);
  CHECK_NEAR(volume_of_ticket(t), 1.0, 1e-12);  // not filled yet
  sim().advance_ms(1000);
  CHECK(OrdersTotal() == 0 && !OrderSelect(res.order));
  CHECK_NEAR(volume_of_ticket(t), 0.5, 1e-12);
  sim().place_delay_ms = -1;
  sim().symbol("EURUSD").refused_fillings = 1L << ORDER_FILLING_FOK;
  CHECK(!OrderSend(close_request(t, ORDER_TYPE_SELL, 0.1), res) && res.retcode == TRADE_RETCODE_INVALID_FILL);
  MqlTradeRequest ioc = close_request(t, ORDER_TYPE_SELL, 0.1);
  ioc.type_filling = ORDER_FILLING_IOC;
  CHECK(OrderSend(ioc, res) && res.retcode == TRADE_RETCODE_DONE);
  sim().symbol("USDJPY").tick_value_hidden = true;
  CHECK(SymbolInfoDouble("USDJPY", SYMBOL_TRADE_TICK_VALUE) == 0.0);
  CHECK(SymbolInfoString("USDJPY", SYMBOL_CURRENCY_PROFIT) == "JPY" && AccountInfoString(ACCOUNT_CURRENCY) == "USD");
  sim().trades.clear();  // these were the test's own requests, not the EA's
}

static void fidelity_events_are_queued_and_timer_not_doubled() {
  setup(true);
  int timers = 0;
  int trades = 0;
  sim().handlers.on_timer = [&] {
    timers++;
    sim().post_timer();  // dropped: a timer is being processed (a slow OnTimer loses ticks)
  };
  sim().handlers.on_trade = [&](const MqlTradeTransaction &, const MqlTradeRequest &, const MqlTradeResult &) {
    CHECK(!sim().queue.empty() || trades >= 0);
    trades++;
  };
  sim().timer_ms = 1000;
  buy("EURUSD", 1.0);  // four transactions, handled one after the other
  sim().post_timer();
  sim().post_timer();  // dropped: one is already pending
  sim().pump();
  CHECK(trades == 4);
  CHECK(timers == 1);
  sim().advance_ms(3000);
  CHECK(timers == 4);
  CHECK(TimeCurrent() - TimeGMT() == 7200);  // server time is not UTC
}

static void fidelity_selection_is_a_copy_and_files_follow_windows_sharing() {
  setup(true);
  ulong t = buy("EURUSD", 1.0);
  CHECK(PositionSelectByTicket(t));
  sim().find(t)->volume = 0.4;
  CHECK(PositionGetDouble(POSITION_VOLUME) == 1.0);  // until selected again
  CHECK(PositionSelectByTicket(t) && PositionGetDouble(POSITION_VOLUME) == 0.4);
  write_text(link_path("x.txt"), "abc\r\n");
  int other = mql5sim::external_open("lca\\x.txt", FILE_READ | FILE_SHARE_READ);  // no share-write
  CHECK(FileOpen("lca\\x.txt", FILE_WRITE | FILE_TXT | FILE_ANSI | FILE_COMMON | FILE_SHARE_READ) == INVALID_HANDLE);
  CHECK(GetLastError() == ERR_CANNOT_OPEN_FILE);
  int h = FileOpen("lca\\x.txt", FILE_READ | FILE_TXT | FILE_COMMON | FILE_SHARE_READ);
  CHECK(h != INVALID_HANDLE);
  CHECK(FileReadString(h) != "abc");  // without FILE_ANSI the text is read as two-byte characters
  FileClose(h);
  CHECK(!FileMove("lca\\x.txt", FILE_COMMON, "lca\\y.txt", FILE_COMMON | FILE_REWRITE));  // open elsewhere
  mql5sim::external_close(other);
  write_text(link_path("y.txt"), "old");
  CHECK(!FileMove("lca\\x.txt", FILE_COMMON, "lca\\y.txt", FILE_COMMON));  // no FILE_REWRITE
  CHECK(FileMove("lca\\x.txt", FILE_COMMON, "lca\\y.txt", FILE_COMMON | FILE_REWRITE));
  CHECK(read_text(link_path("y.txt")) == "abc\r\n");
  CHECK(StringFormat("%I64d|%.2f|%s|%u", (long)5, 1.005, string("x"), (uint)7) == "5|1.00|x|7" ||
        StringFormat("%I64d|%.2f|%s|%u", (long)5, 1.005, string("x"), (uint)7) == "5|1.01|x|7");
}

//--- push notifications (notify.txt -> SendNotification) ------------------------------------
struct Notice {
  long seq;
  long utc;
  string text;
};

static void write_notify(const std::vector<Notice> &notices) {  // as bridge/ealink/notify.py
  std::vector<string> lines = {"lca-notify 1", "sequence=" + std::to_string(notices.back().seq),
                               "written_utc=" + std::to_string(TimeGMT())};
  for (auto &n : notices) lines.push_back("msg=" + std::to_string(n.seq) + ";" + std::to_string(n.utc) + ";" + n.text);
  string text;
  for (auto &l : lines) text += l + "\r\n";
  text += "end=" + std::to_string(notices.back().seq) + ";" + std::to_string(hash31(lines)) + "\r\n";
  write_text(link_path("notify.txt"), text);
}

static std::vector<string> pushed() {  // the texts MT5 delivered
  std::vector<string> out;
  for (auto &p : sim().pushes)
    if (p.ok) out.push_back(p.text);
  return out;
}

static double notify_sequence() { return GlobalVariableGet("lca.notify_sequence"); }

// the EA removed and attached again: its globals start fresh, the terminal's remain
static void restart_ea() {
  ea::OnDeinit(1);
  ea::g_ntf_done = 0;
  ea::g_ntf_queued = 0;
  ArrayResize(ea::g_ntf_pending, 0);
  ArrayResize(ea::g_ntf_pending_seq, 0);
  ArrayResize(ea::g_ntf_sent_at, 0);
  ea::g_started = false;
  init();
}

static void notify_golden_is_pushed_once_even_after_a_restart() {
  setup(true);
  put_golden("limits_v1.txt");
  write_text(link_path("notify.txt"), read_text(g_golden + "/notify_v1.txt"));
  CHECK(init() == INIT_SUCCEEDED);
  sim().advance_ms(1000);
  // both messages were waiting at the first read: one push, newest first
  std::vector<string> want = {
      "2 alerts, newest first: lca: crash flag: MINIMUM regime; LVI 2.4 >= 2.0 | lca: REDUCING: EffLev 4.20 "
      "above the band's 3.00; MSI 1.8; plan of 3 slices"};
  CHECK(pushed() == want);
  CHECK(notify_sequence() == 1700000000500.0);
  sim().advance_ms(5000);
  CHECK(pushed() == want);
  restart_ea();
  sim().advance_ms(3000);
  CHECK(pushed() == want);  // never twice for one sequence
  CHECK(sim().pushes.size() == 1);
}

static void notify_rate_limit_holds_and_merges() {
  setup(true);
  ea::InpHeartbeatTimeoutSec = 3600;
  write_limits(1, TimeGMT(), "3", "0", 0, {});
  CHECK(init() == INIT_SUCCEEDED);
  std::vector<Notice> notices;
  long seq = 1700000000000L;
  for (int i = 0; i < 40; i++) {
    notices.push_back({++seq, TimeGMT(), "lca: alert " + std::to_string(i) + ": EffLev 4.2"});
    if (notices.size() > 8) notices.erase(notices.begin());
    write_notify(notices);
    sim().advance_ms(300);  // (the shim's timer fires only within one advance_ms of >= 250 ms)
  }
  sim().advance_ms(120000);
  for (auto &p : sim().pushes) CHECK(p.ok);  // MT5 never had to refuse one
  for (size_t i = 0; i < sim().pushes.size(); i++) {
    int in_second = 0, in_minute = 0;
    for (size_t k = 0; k <= i; k++) {
      long dt = sim().pushes[i].at_ms - sim().pushes[k].at_ms;
      if (dt < 1000) in_second++;
      if (dt < 60000) in_minute++;
    }
    CHECK(in_second <= 2);
    CHECK(in_minute <= 10);
  }
  std::vector<string> got = pushed();
  CHECK(got.size() > 1 && got.size() < 40);  // held and merged, not dropped nor one each
  int counted = 0;  // every message went out in exactly one push, alone or merged ("N alerts")
  for (auto &t : got) counted += t.find(" alerts, newest first: ") != string::npos ? std::atoi(t.c_str()) : 1;
  CHECK(counted == 40);
  for (int i = 0; i < 40; i++) {  // none twice; a long merged push may cut the oldest
    string needle = "lca: alert " + std::to_string(i) + ":";
    int found = 0;
    for (auto &t : got) found += t.find(needle) != string::npos ? 1 : 0;
    CHECK(found <= 1);
  }
  CHECK(!got.empty() && got.back().find("lca: alert 39:") != string::npos);  // the newest shows
  CHECK(!got.empty() && got.back().size() <= 255);
  CHECK(notify_sequence() == (double)seq);
}

static void notify_off_in_the_terminal_is_said_once_and_never_retried() {
  setup(true);
  sim().notifications_enabled = false;
  put_golden("limits_v1.txt");
  CHECK(init() == INIT_SUCCEEDED);
  CHECK(sim().logged("push notifications are off in this terminal"));
  write_notify({{1700000000001L, TimeGMT(), "lca: HALTED"}});
  sim().advance_ms(3000);
  CHECK(sim().pushes.size() == 1);
  CHECK(!sim().pushes.empty() && !sim().pushes[0].ok && sim().pushes[0].error == ERR_NOTIFICATION_WRONG_SETTINGS);
  CHECK(sim().logged("push notification not sent (error 4517: enable Tools > Options > Notifications"));
  write_notify({{1700000000001L, TimeGMT(), "lca: HALTED"}, {1700000000002L, TimeGMT(), "lca: REDUCING"}});
  sim().advance_ms(3000);
  CHECK(sim().pushes.size() == 2);  // only the new message was tried
  CHECK(sim().count_logged("push notification not sent") == 1);
  CHECK(notify_sequence() == 1700000000002.0);
}

static void failsafe_entry_and_exit_are_pushed_by_the_ea() {
  setup(true);
  write_limits(1, TimeGMT(), "3", "0", 0, {});
  CHECK(init() == INIT_SUCCEEDED);
  sim().advance_ms(20000);
  CHECK(pushed().empty());
  sim().advance_ms(12000);  // lca fell silent: the EA says so by itself
  CHECK(failsafe_flag() == 1.0);
  CHECK(pushed().size() == 1 && pushed()[0].find("LiquidityGuard 123456: FAIL-SAFE, no heartbeat from lca for 31 s") == 0);
  write_limits(2, TimeGMT(), "3", "0", 0, {});
  sim().advance_ms(1000);
  CHECK(failsafe_flag() == 0.0);
  CHECK(pushed().size() == 2 && pushed()[1] == "LiquidityGuard 123456: back to normal, lca is running again");
}

static void a_start_without_lca_pushes_nothing() {
  setup(true);
  CHECK(init() == INIT_SUCCEEDED);  // fail-safe from the start: the trader is at the terminal
  sim().advance_ms(5000);
  CHECK(failsafe_flag() == 1.0);
  CHECK(sim().pushes.empty());
}

static void old_torn_and_bad_notify_files_are_not_pushed() {
  setup(true);
  put_golden("limits_v1.txt");
  write_text(link_path("notify.txt"), read_text(g_golden + "/notify_torn.txt"));
  CHECK(init() == INIT_SUCCEEDED);
  sim().advance_ms(2000);
  CHECK(sim().pushes.empty());
  CHECK(sim().count_logged("notify file has no valid end marker: torn or edited, ignored") == 1);
  write_notify({{1700000000001L, TimeGMT() - 700, "lca: an old one"}});  // a stale file
  sim().advance_ms(2000);
  CHECK(sim().pushes.empty());
  CHECK(sim().logged("1 message(s) of lca older than 600 s not pushed"));
  CHECK(notify_sequence() == 1700000000001.0);
  write_notify({{1700000000001L, TimeGMT() - 702, "lca: an old one"}, {1700000000002L, TimeGMT(), "lca: new"}});
  sim().advance_ms(2000);
  CHECK(pushed() == std::vector<string>{"lca: new"});
  string long_text(256, 'x');
  write_notify({{1700000000003L, TimeGMT(), long_text}});  // above MT5's 255 characters
  sim().advance_ms(2000);
  CHECK(sim().logged("notify file line 4 is not msg=<sequence>;<utc>;<text>"));
  CHECK(sim().pushes.size() == 1);
}

// Python wrote notify.txt (tests/mql5/test_notify.py); print what the EA pushed, restart it, again
static void notify_interop() {
  setup(true);
  init();
  sim().advance_ms(1500);
  restart_ea();
  sim().advance_ms(1500);
  for (auto &p : sim().pushes) std::printf("%s %s\n", p.ok ? "push" : "refused", p.text.c_str());
  std::printf("sent %.0f\n", notify_sequence());
}

//--- runner ---------------------------------------------------------------------------------
struct Scenario {
  const char *name;
  void (*run)();
};
#include "scenarios_calendar.h"

static const Scenario kScenarios[] = {
    {"manual_trade_over_cap_is_cut_newest_first_hedging", manual_trade_over_cap_is_cut_newest_first_hedging},
    {"manual_trade_over_cap_is_cut_netting", manual_trade_over_cap_is_cut_netting},
    {"hedged_buy_and_sell_both_count_toward_the_cap", hedged_buy_and_sell_both_count_toward_the_cap},
    {"symbol_cap_close_volume_rounds_up_to_step", symbol_cap_close_volume_rounds_up_to_step},
    {"leverage_cap_close_volume_rounds_up_to_step", leverage_cap_close_volume_rounds_up_to_step},
    {"msi_floor_is_held", msi_floor_is_held},
    {"stale_heartbeat_failsafe_then_back_to_normal", stale_heartbeat_failsafe_then_back_to_normal},
    {"failsafe_cuts_increases_and_reversals_on_netting", failsafe_cuts_increases_and_reversals_on_netting},
    {"heartbeat_far_in_the_future_is_stale", heartbeat_far_in_the_future_is_stale},
    {"missing_limits_file_failsafe_with_own_hard_limits", missing_limits_file_failsafe_with_own_hard_limits},
    {"torn_bad_hash_and_wrong_version_files_keep_last_good", torn_bad_hash_and_wrong_version_files_keep_last_good},
    {"locked_limits_file_keeps_last_good", locked_limits_file_keeps_last_good},
    {"limits_file_is_opened_shared_and_read_only", limits_file_is_opened_shared_and_read_only},
    {"telemetry_is_replaced_atomically", telemetry_is_replaced_atomically},
    {"telemetry_matches_golden", telemetry_matches_golden},
    {"no_broker_depth_falls_back_to_bid_ask", no_broker_depth_falls_back_to_bid_ask},
    {"algo_trading_off_is_logged_without_crash", algo_trading_off_is_logged_without_crash},
    {"reacts_to_manual_trades_before_the_next_timer", reacts_to_manual_trades_before_the_next_timer},
    {"prop_lock_closes_any_new_position", prop_lock_closes_any_new_position},
    {"own_hard_limits_bound_what_lca_allows", own_hard_limits_bound_what_lca_allows},
    {"remainder_below_minimum_closes_the_whole_position", remainder_below_minimum_closes_the_whole_position},
    {"no_double_close_while_the_terminal_still_lists_old_volumes", no_double_close_while_the_terminal_still_lists_old_volumes},
    {"a_close_above_the_maximum_volume_is_split", a_close_above_the_maximum_volume_is_split},
    {"no_new_exposure_from_lca_closes_new_positions_on_any_symbol", no_new_exposure_from_lca_closes_new_positions_on_any_symbol},
    {"negative_equity_closes_everything_newest_first", negative_equity_closes_everything_newest_first},
    {"removal_is_logged_and_stops_the_timer", removal_is_logged_and_stops_the_timer},
    {"refused_closes_are_retried_calmly", refused_closes_are_retried_calmly},
    {"an_unknown_symbol_is_reported_once", an_unknown_symbol_is_reported_once},
    {"a_second_copy_in_the_same_terminal_refuses_to_start", a_second_copy_in_the_same_terminal_refuses_to_start},
    {"invalid_inputs_are_refused", invalid_inputs_are_refused},
    {"placed_close_is_in_flight_and_not_resent", placed_close_is_in_flight_and_not_resent},
    {"an_own_pending_close_from_before_blocks_a_resend", an_own_pending_close_from_before_blocks_a_resend},
    {"refused_filling_falls_back_to_the_next_mode", refused_filling_falls_back_to_the_next_mode},
    {"no_filling_bit_uses_return_filling", no_filling_bit_uses_return_filling},
    {"notional_without_tick_value_is_in_the_account_currency", notional_without_tick_value_is_in_the_account_currency},
    {"notional_without_tick_value_or_conversion_is_said_once", notional_without_tick_value_or_conversion_is_said_once},
    {"a_limits_file_with_a_lower_sequence_is_refused", a_limits_file_with_a_lower_sequence_is_refused},
    {"sequence_limit_matches_protocol", sequence_limit_matches_protocol},
    {"fidelity_ordersend_refuses_what_a_terminal_refuses", fidelity_ordersend_refuses_what_a_terminal_refuses},
    {"fidelity_placed_orders_are_listed_then_filled_and_fillings_refused", fidelity_placed_orders_are_listed_then_filled_and_fillings_refused},
    {"fidelity_events_are_queued_and_timer_not_doubled", fidelity_events_are_queued_and_timer_not_doubled},
    {"fidelity_selection_is_a_copy_and_files_follow_windows_sharing", fidelity_selection_is_a_copy_and_files_follow_windows_sharing},
    {"notify_golden_is_pushed_once_even_after_a_restart", notify_golden_is_pushed_once_even_after_a_restart},
    {"notify_rate_limit_holds_and_merges", notify_rate_limit_holds_and_merges},
    {"notify_off_in_the_terminal_is_said_once_and_never_retried", notify_off_in_the_terminal_is_said_once_and_never_retried},
    {"failsafe_entry_and_exit_are_pushed_by_the_ea", failsafe_entry_and_exit_are_pushed_by_the_ea},
    {"a_start_without_lca_pushes_nothing", a_start_without_lca_pushes_nothing},
    {"old_torn_and_bad_notify_files_are_not_pushed", old_torn_and_bad_notify_files_are_not_pushed},
    {"telemetry_v2_matches_golden", telemetry_v2_matches_golden},
    {"calendar_times_from_a_utc_plus_3_server_are_written_in_utc", calendar_times_from_a_utc_plus_3_server_are_written_in_utc},
    {"calendar_times_from_a_utc_minus_5_server_are_written_in_utc", calendar_times_from_a_utc_minus_5_server_are_written_in_utc},
    {"calendar_follows_the_book_currencies", calendar_follows_the_book_currencies},
    {"calendar_unavailable_keeps_the_last_list", calendar_unavailable_keeps_the_last_list},
    {"calendar_names_are_written_in_ascii", calendar_names_are_written_in_ascii},
    {"calendar_off_writes_telemetry_version_1", calendar_off_writes_telemetry_version_1},
};

// random trading against the EA (seed from LCA_FUZZ_SEED): after every step the limits hold
static unsigned long long g_rng = 1;
static double rnd() {
  g_rng = g_rng * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(g_rng >> 11) * (1.0 / 9007199254740992.0);
}

static void fuzz() {
  const char *seed = std::getenv("LCA_FUZZ_SEED");
  g_rng = seed ? std::strtoull(seed, nullptr, 10) : 1;
  rnd();
  bool hedging = rnd() < 0.5;
  setup(hedging);
  ea::InpMaxEffLev = 0.0;  // lca's limits alone, so the invariants below are exact
  ea::InpMsiFloor = 0.0;
  ea::InpMaxLotsPerSymbol = 0.0;
  ea::InpHeartbeatTimeoutSec = 5;
  sim().balance = 20000 + rnd() * 200000;
  sim().leverage = rnd() < 0.5 ? 30 : 100;
  const char *names[] = {"EURUSD", "GBPUSD", "USDJPY"};
  double cap[3];
  double lev = 0, msi = 0;
  int lock = 0, new_exposure = 1;
  long seq = 1, heartbeat = 0;
  int blocked_steps = 0, failsafe_steps = 0;
  auto new_limits = [&] {
    std::vector<string> lines;
    for (int s = 0; s < 3; s++) {
      cap[s] = std::round((0.2 + rnd() * 4.0) * 10) / 10;  // a multiple of every step used here
      lines.push_back(string(names[s]) + ";" + DoubleToString(cap[s], 1));
    }
    lev = std::round((1.0 + rnd() * 9.0) * 100) / 100;
    msi = std::round(rnd() * 300) / 100;
    lock = rnd() < 0.1 ? 1 : 0;
    new_exposure = rnd() < 0.8 ? 1 : 0;
    heartbeat = TimeGMT();
    write_limits(seq, heartbeat, DoubleToString(lev, 2), DoubleToString(msi, 2), lock, lines, new_exposure);
    seq++;
  };
  new_limits();
  CHECK(init() == INIT_SUCCEEDED);
  for (int step = 0; step < 80 && g_failures == 0; step++) {
    long age_start = TimeGMT() - heartbeat;
    bool limits_block = (lock || !new_exposure) && ea::g_lim_sequence == seq - 1;
    bool blocked_start = age_start >= 7 || limits_block;
    double r = rnd();
    int s = (int)(rnd() * 3);
    mql5sim::Symbol &sym = sim().symbol(names[s]);
    bool trade = r < 0.55;
    std::vector<std::pair<ulong, double>> before;
    for (auto &p : sim().positions) before.push_back({p.ticket, p.volume});
    if (trade) {
      double lots = std::max(sym.vol_min, std::round(rnd() * 3.0 / sym.vol_step) * sym.vol_step);
      sim().manual(names[s], rnd() < 0.5 ? ORDER_TYPE_BUY : ORDER_TYPE_SELL, lots);
    } else if (r < 0.8) {
      double f = 1.0 + (rnd() - 0.5) * 0.01;
      double spread = sym.ask - sym.bid;
      double bid = NormalizeDouble(sym.bid * f, sym.digits);
      sim().quote(names[s], bid, NormalizeDouble(bid + spread, sym.digits));
    } else if (r < 0.92) {
      new_limits();
    } else {
      sim().advance_ms(6000);  // lca falls silent: fail-safe
    }
    sim().advance_ms(300);
    // 1. the limits hold after every step, in every mode
    for (int k = 0; k < 3; k++) CHECK(sim().volume_of(names[k]) <= cap[k] + 1e-9);
    double equity = sim().equity();
    if (equity > 0) {
      CHECK(sim().position_value() <= lev * equity * (1 + 1e-9));
      if (msi > 0 && sim().margin() > 0) CHECK(equity / sim().margin() >= msi * (1 - 1e-9));
    } else {
      CHECK(sim().positions.empty());
    }
    // 2. fail-safe exactly when the heartbeat is stale (away from the boundary second)
    long age_end = TimeGMT() - heartbeat;
    if (age_end >= 7) {
      CHECK(failsafe_flag() == 1.0);
      failsafe_steps++;
    }
    if (age_end <= 4) CHECK(failsafe_flag() == 0.0);
    // 3. while new exposure is blocked, a manual trade never leaves anything larger or new
    if (trade && blocked_start) {
      blocked_steps++;
      for (auto &p : sim().positions) {
        bool known = false;
        for (auto &b : before) {
          if (b.first == p.ticket) {
            known = true;
            CHECK(p.volume <= b.second + 1e-9);
          }
        }
        CHECK(known);
      }
    }
    if (g_failures)
      std::fprintf(stderr, "fuzz seed %s failed at step %d (hedging %d, age %ld, blocked %d)\n",
                   seed ? seed : "1", step, hedging, age_end, blocked_start);
  }
  CHECK(!sim().trades.empty());  // the run did make the guard act
  std::printf("trades %zu blocked_steps %d failsafe_steps %d\n", sim().trades.size(), blocked_steps, failsafe_steps);
}

// a timing of the EA's passes with a large book (see tests/mql5/bench_ea.py); not a test
static int bench(const string &work) {
  g_work = work;
  setup(true);
  std::vector<string> caps;
  for (int s = 0; s < 20; s++) {
    string name = "SYM" + std::to_string(s);
    mql5sim::Symbol &sym = sim().add_symbol(name, 1.1 + s * 0.01, 1.1001 + s * 0.01);
    sym.has_book = true;
    for (int l = 0; l < 10; l++) {
      sym.book.push_back({BOOK_TYPE_SELL, 1.2 + s * 0.01 - l * 0.0001, 5, 5.0});
    }
    for (int l = 0; l < 10; l++) sym.book.push_back({BOOK_TYPE_BUY, 1.1 + s * 0.01 - l * 0.0001, 5, 5.0});
    caps.push_back(name + ";50");
    for (int p = 0; p < 10; p++) sim().manual(name, p % 2 ? ORDER_TYPE_SELL : ORDER_TYPE_BUY, 0.1);
  }
  sim().queue.clear();
  sim().balance = 1e8;
  write_limits(1, 1700000000, "2.5", "1.5", 0, caps);
  ea::OnInit();
  sim().pump();
  const int passes = 2000;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < passes; i++) ea::OnTimer();
  auto t1 = std::chrono::steady_clock::now();
  MqlTradeTransaction trans{};
  trans.type = TRADE_TRANSACTION_DEAL_ADD;
  MqlTradeRequest req{};
  MqlTradeResult res{};
  for (int i = 0; i < passes; i++) ea::OnTradeTransaction(trans, req, res);
  auto t2 = std::chrono::steady_clock::now();
  for (int i = 0; i < passes; i++) ea::OnBookEvent("SYM7");
  auto t3 = std::chrono::steady_clock::now();
  auto us = [&](std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
    return std::chrono::duration<double, std::micro>(b - a).count() / passes;
  };
  std::printf("positions %zu symbols %d trades %zu\n", sim().positions.size(), ArraySize(ea::g_stats), sim().trades.size());
  std::printf("OnTimer_us %.1f\nOnTradeTransaction_us %.1f\nOnBookEvent_us %.2f\n", us(t0, t1), us(t1, t2), us(t2, t3));
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 3 && string(argv[1]) == "bench") return bench(argv[2]);
  if (argc >= 2 && string(argv[1]) == "list") {
    for (auto &s : kScenarios) std::printf("%s\n", s.name);
    return 0;
  }
  if (argc < 5 || string(argv[1]) != "run") {
    std::fprintf(stderr, "usage: %s list | run <scenario> <golden_dir> <work_dir> [gmt_seconds]\n", argv[0]);
    return 2;
  }
  string name = argv[2];
  g_golden = argv[3];
  g_work = argv[4];
  if (argc >= 6) sim().gmt_ms = std::atol(argv[5]) * 1000L;
  if (name == "fuzz") {
    fuzz();
    check_only_reductions();
    return g_failures == 0 ? 0 : 1;
  }
  if (name == "interop") {
    interop();
    return g_failures == 0 ? 0 : 1;
  }
  if (name == "calendar_interop") {
    calendar_interop();
    return g_failures == 0 ? 0 : 1;
  }
  if (name == "notify_interop") {
    notify_interop();
    return g_failures == 0 ? 0 : 1;
  }
  for (auto &s : kScenarios) {
    if (name == s.name) {
      s.run();
      check_only_reductions();
      if (g_failures) {
        std::fprintf(stderr, "--- journal of the EA ---\n");
        for (auto &l : sim().log) std::fprintf(stderr, "%s\n", l.c_str());
      }
      return g_failures == 0 ? 0 : 1;
    }
  }
  std::fprintf(stderr, "unknown scenario %s\n", name.c_str());
  return 2;
}
