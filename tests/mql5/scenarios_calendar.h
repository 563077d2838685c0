// scenarios_calendar.h - the EA's economic calendar in its telemetry (version 2, PROTOCOL.md):
// MT5's calendar emulated by the shim (CalendarValueHistory, CalendarEventById,
// CalendarCountryById) with a fixed event list. Included by scenarios.cpp (its helpers above).

// one calendar entry, given in UTC and stored as the terminal does: in trade-server time
static void add_calendar(ulong value_id, ulong event_id, long utc, ulong country_id, const string &code,
                         const string &currency, ENUM_CALENDAR_EVENT_IMPORTANCE importance,
                         const string &name, const string &event_code = "") {
  mql5sim::Sim &s = sim();
  MqlCalendarCountry c{};
  c.id = country_id;
  c.name = code;
  c.code = code;
  c.currency = currency;
  s.calendar_countries[country_id] = c;
  MqlCalendarEvent e{};
  e.id = event_id;
  e.country_id = country_id;
  e.importance = importance;
  e.name = name;
  e.event_code = event_code;
  s.calendar_events[event_id] = e;
  MqlCalendarValue v{};
  v.id = value_id;
  v.event_id = event_id;
  v.time = utc + s.server_offset_s;
  s.calendar_values.push_back(v);
}

// the fixed event list; now = 1700000000 UTC. In the telemetry: NFP, ECB, BoE (in that order)
static void calendar_fixture() {
  const long now = 1700000000L;
  add_calendar(3, 826020009, now + 9000, 826, "GB", "GBP", CALENDAR_IMPORTANCE_HIGH, "BoE Interest Rate Decision");
  add_calendar(1, 840030016, now + 1800, 840, "US", "USD", CALENDAR_IMPORTANCE_HIGH, "Nonfarm Payrolls");
  add_calendar(4, 840050001, now + 3000, 840, "US", "USD", CALENDAR_IMPORTANCE_LOW, "MBA Mortgage Applications");
  add_calendar(2, 999010007, now + 5400, 999, "EU", "EUR", CALENDAR_IMPORTANCE_MODERATE, "ECB President Lagarde Speaks");
  add_calendar(5, 36010003, now + 4000, 36, "AU", "AUD", CALENDAR_IMPORTANCE_HIGH, "RBA Rate Statement");
  add_calendar(6, 392010001, now + 25 * 3600, 392, "JP", "JPY", CALENDAR_IMPORTANCE_HIGH, "BoJ Interest Rate Decision");
  add_calendar(7, 840030017, now - 7200, 840, "US", "USD", CALENDAR_IMPORTANCE_HIGH, "CPI m/m");
  add_calendar(8, 756010001, now + 2000, 756, "CH", "CHF", CALENDAR_IMPORTANCE_HIGH, "SNB Interest Rate Decision");
}

static std::vector<string> event_lines(const string &telemetry) {
  std::vector<string> out;
  size_t p = 0;
  while ((p = telemetry.find("\r\ne=", p)) != string::npos) {
    size_t end = telemetry.find("\r\n", p + 2);
    out.push_back(telemetry.substr(p + 2, end - p - 2));
    p = end;
  }
  return out;
}

static bool has_line(const string &telemetry, const string &line) {
  return telemetry.find("\r\n" + line + "\r\n") != string::npos;
}

// the same book, quotes and depth as telemetry_matches_golden, with the broker's calendar
static void telemetry_v2_matches_golden() {
  setup(true);
  calendar_fixture();
  mql5sim::Symbol &eu = sim().symbol("EURUSD");
  eu.has_book = true;
  eu.book = {{BOOK_TYPE_SELL, 1.10030, 4, 4.0}, {BOOK_TYPE_SELL, 1.10020, 3, 3.0}, {BOOK_TYPE_SELL, 1.10013, 2, 2.5},
             {BOOK_TYPE_BUY, 1.10001, 5, 5.0}, {BOOK_TYPE_BUY, 1.09990, 7, 7.5}};
  sim().symbol("GBPUSD").book_get_empty = true;
  sim().add_symbol("AUDUSD", 0.65, 0.6501);  // in the terminal, not in the book: no AUD events
  put_golden("limits_v1.txt");
  CHECK(init() == INIT_SUCCEEDED);
  CHECK(sim().calendar_calls == 0);  // never in OnInit: the first read may wait for the sync
  sim().quote("EURUSD", 1.10000, 1.10008, 2);
  sim().post_book("EURUSD");
  sim().post_book("AUDUSD");
  sim().pump();
  sim().quote("EURUSD", 1.10001, 1.10013, 1);
  sim().post_book("EURUSD");
  sim().pump();
  sim().advance_ms(250);
  string got = read_text(link_path("telemetry.txt"));
  string want = read_text(g_golden + "/telemetry_v2.txt");
  if (got != want) std::fprintf(stderr, "telemetry written:\n%s\ngolden:\n%s\n", got.c_str(), want.c_str());
  CHECK(got == want);
  CHECK(sim().calendar_calls == 1);
}

// server UTC+3 (a Cyprus broker in summer) and TimeTradeServer a few seconds off: the offset is
// TimeTradeServer() - TimeGMT() rounded to 15 minutes, and every event is written in UTC
static void calendar_server_time(long offset_s, long jitter_s) {
  setup(true);
  sim().server_offset_s = offset_s;
  sim().trade_server_jitter_s = jitter_s;
  calendar_fixture();  // stored as UTC + offset, as the terminal shows them
  put_golden("limits_v1.txt");
  CHECK(init() == INIT_SUCCEEDED);
  sim().advance_ms(250);
  CHECK(TimeTradeServer() - TimeGMT() == offset_s + jitter_s);
  string t = read_text(link_path("telemetry.txt"));
  CHECK(has_line(t, "e=1700001800;USD;high;840030016;Nonfarm Payrolls"));
  CHECK(has_line(t, "e=1700009000;GBP;high;826020009;BoE Interest Rate Decision"));
  CHECK(event_lines(t).size() == 3);
}

static void calendar_times_from_a_utc_plus_3_server_are_written_in_utc() { calendar_server_time(10800, 2); }
static void calendar_times_from_a_utc_minus_5_server_are_written_in_utc() { calendar_server_time(-18000, -1); }

// only high and medium events of the book's currencies (chart, inputs, lca's caps, positions),
// from an hour ago to InpCalendarHours ahead; the calendar is read again every refresh period
static void calendar_follows_the_book_currencies() {
  setup(true);
  calendar_fixture();
  write_limits(1, TimeGMT(), "3", "0", 0, {});  // no caps: the chart's EURUSD alone
  CHECK(init() == INIT_SUCCEEDED);
  sim().advance_ms(250);
  string t = read_text(link_path("telemetry.txt"));
  std::vector<string> first = event_lines(t);
  CHECK(first.size() == 2);
  CHECK(has_line(t, "e=1700001800;USD;high;840030016;Nonfarm Payrolls"));
  CHECK(has_line(t, "e=1700005400;EUR;medium;999010007;ECB President Lagarde Speaks"));
  CHECK(t.find("BoE") == string::npos);       // GBP: no GBP symbol yet
  CHECK(t.find("MBA") == string::npos);       // low importance
  CHECK(t.find("CPI m/m") == string::npos);   // two hours ago
  CHECK(t.find("SNB") == string::npos);       // CHF: not in the book
  CHECK(sim().calendar_calls == 1);
  write_limits(2, TimeGMT(), "3", "0", 0, {"GBPUSD;1"});  // lca caps GBPUSD now
  sim().advance_ms(30000);
  CHECK(sim().calendar_calls == 1);  // not on every timer tick
  CHECK(read_text(link_path("telemetry.txt")).find("BoE") == string::npos);
  write_limits(3, TimeGMT(), "3", "0", 0, {"GBPUSD;1"});
  sim().advance_ms(30500);
  CHECK(sim().calendar_calls == 2);
  t = read_text(link_path("telemetry.txt"));
  CHECK(has_line(t, "e=1700009000;GBP;high;826020009;BoE Interest Rate Decision"));
  CHECK(event_lines(t).size() == 3);
  CHECK(t.find("calendar_utc=1700000060\r\n") != string::npos);
}

// a calendar the terminal cannot give (not synced yet, error 5401): calendar_utc=0, said once;
// once read, a later failure keeps the last list and its time
static void calendar_unavailable_keeps_the_last_list() {
  setup(true);
  calendar_fixture();
  sim().calendar_error = ERR_CALENDAR_TIMEOUT;
  write_limits(1, TimeGMT(), "3", "0", 0, {"GBPUSD;1"});
  CHECK(init() == INIT_SUCCEEDED);
  sim().advance_ms(250);
  string t = read_text(link_path("telemetry.txt"));
  CHECK(t.rfind("lca-telemetry 2\r\n", 0) == 0);
  CHECK(t.find("calendar_utc=0\r\n") != string::npos);
  CHECK(event_lines(t).empty());
  sim().calendar_error = 0;
  write_limits(2, TimeGMT() + 60, "3", "0", 0, {"GBPUSD;1"});
  sim().advance_ms(60000);
  t = read_text(link_path("telemetry.txt"));
  CHECK(t.find("calendar_utc=1700000060\r\n") != string::npos);
  CHECK(event_lines(t).size() == 3);
  sim().calendar_error = ERR_CALENDAR_TIMEOUT;
  write_limits(3, TimeGMT() + 60, "3", "0", 0, {"GBPUSD;1"});
  sim().advance_ms(60000);
  t = read_text(link_path("telemetry.txt"));
  CHECK(t.find("calendar_utc=1700000060\r\n") != string::npos);  // the last good read
  CHECK(event_lines(t).size() == 3);
  int said = 0;
  for (auto &l : sim().log) said += l.find("economic calendar") != string::npos ? 1 : 0;
  CHECK(said == 2);  // once when it failed, once when it failed again after a good read
}

// names come in the terminal's language: a name that is not ASCII is replaced by the event's
// ASCII code; control characters become spaces
static void calendar_names_are_written_in_ascii() {
  setup(true);
  add_calendar(1, 840030016, 1700001800, 840, "US", "USD", CALENDAR_IMPORTANCE_HIGH,
               "\xD0\x97\xD0\xB0\xD0\xBD\xD1\x8F\xD1\x82\xD0\xBE\xD1\x81\xD1\x82\xD1\x8C", "nonfarm-payrolls");
  add_calendar(2, 840020001, 1700002800, 840, "US", "USD", CALENDAR_IMPORTANCE_MODERATE, "CPI\ty/y");
  put_golden("limits_v1.txt");
  CHECK(init() == INIT_SUCCEEDED);
  sim().advance_ms(250);
  string t = read_text(link_path("telemetry.txt"));
  CHECK(has_line(t, "e=1700001800;USD;high;840030016;nonfarm-payrolls"));
  CHECK(has_line(t, "e=1700002800;USD;medium;840020001;CPI y/y"));
}

// InpCalendarHours = 0: no calendar call, and the telemetry is version 1 as before
static void calendar_off_writes_telemetry_version_1() {
  setup(true);
  calendar_fixture();
  ea::InpCalendarHours = 0;
  put_golden("limits_v1.txt");
  CHECK(init() == INIT_SUCCEEDED);
  sim().advance_ms(1250);
  string t = read_text(link_path("telemetry.txt"));
  CHECK(t.rfind("lca-telemetry 1\r\n", 0) == 0);
  CHECK(t.find("\r\ne=") == string::npos);
  CHECK(sim().calendar_calls == 0);
}

// for tests/mql5/test_news_interop.py: lca's limits in, the calendar and a book of EURUSD,
// USDJPY and EURGBP; the telemetry (version 2) out for lca to read
static void calendar_interop() {
  setup(true);
  sim().add_symbol("EURGBP", 0.8700, 0.8702);
  ea::InpSymbols = "USDJPY,EURGBP";
  long now = TimeGMT();
  add_calendar(1, 840030016, now + 1800, 840, "US", "USD", CALENDAR_IMPORTANCE_HIGH, "Nonfarm Payrolls");
  add_calendar(2, 392010001, now + 7200, 392, "JP", "JPY", CALENDAR_IMPORTANCE_MODERATE, "Tankan Index");
  add_calendar(3, 756010001, now + 2000, 756, "CH", "CHF", CALENDAR_IMPORTANCE_HIGH, "SNB Interest Rate Decision");
  init();
  sim().advance_ms(1300);
  std::printf("EVENTS %zu\n", event_lines(read_text(link_path("telemetry.txt"))).size());
}
