// mql5_shim.h - the MQL5 API as far as LiquidityGuard uses it, over a scripted fake terminal.
//
// The EA source (translated by tests/mql5/mq5_to_cpp.py, wrapped in `namespace ea`) compiles
// against this header with g++. The fake terminal (mql5sim::sim()) models what matters for the
// guard: positions on hedging and netting accounts, OrderSend checks (volume step and minimum,
// filling, position and direction, Algo Trading off = 10027), after-the-fact trade transactions
// for manual trades, queued events that never re-enter a handler, a timer that is not queued twice,
// server time (TimeCurrent) two hours ahead of GMT, sandboxed files in <Common>/Files with
// Windows-style share checks, FILE_ANSI versus two-byte text, and symbols without broker depth.
// Optional server behaviours a scenario switches on: deals answered 10008 (placed) and filled
// later (`place_delay_ms`; the order is listed by OrdersTotal meanwhile, and on hedging a second
// close of the same position is refused with 10039), filling modes the server refuses with 10030
// although the symbol's bits allow them (`refused_fillings`), a tick value of 0 (`tick_value_hidden`),
// an economic calendar (`calendar_values` / `_events` / `_countries`, in server time, served by
// CalendarValueHistory, CalendarEventById and CalendarCountryById; `calendar_error` makes the
// read fail) and a TimeTradeServer a few seconds off TimeCurrent (`trade_server_jitter_s`).
// Not modelled: requotes, slippage, partial fills, margin calls, pending limit/stop orders, FIFO
// accounts.
#ifndef LCA_MQL5_SHIM_H
#define LCA_MQL5_SHIM_H

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

//--- types
typedef std::string string;
typedef long datetime;
typedef unsigned long ulong;
typedef unsigned int uint;
typedef unsigned short ushort;
typedef unsigned char uchar;
typedef unsigned int color;

#ifdef MQL5_STRICT_INPUTS
#define input const
#else
#define input
#endif
#define sinput input

namespace mql5sim {
[[noreturn]] inline void critical(const std::string &what) {
  std::fprintf(stderr, "MQL5 critical error (the terminal would stop the EA): %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}
}  // namespace mql5sim

//--- dynamic arrays: bounds-checked, not copyable (MQL5 arrays are passed by reference only)
template <typename T>
class MqlArray {
 public:
  std::vector<T> v;
  MqlArray() {}
  MqlArray(const MqlArray &) = delete;
  MqlArray &operator=(const MqlArray &) = delete;
  T &operator[](long i) {
    check(i);
    return v[(size_t)i];
  }
  const T &operator[](long i) const {
    check(i);
    return v[(size_t)i];
  }

 private:
  void check(long i) const {
    if (i < 0 || i >= (long)v.size())
      mql5sim::critical("array out of range: index " + std::to_string(i) + " of " +
                        std::to_string(v.size()));
  }
};
template <typename T>
int ArraySize(const MqlArray<T> &a) { return (int)a.v.size(); }
template <typename T>
int ArrayResize(MqlArray<T> &a, int n, int reserve = 0) {
  (void)reserve;
  if (n < 0) return -1;
  a.v.resize((size_t)n);
  return n;
}
template <typename T>
void ArrayFree(MqlArray<T> &a) { a.v.clear(); }

//--- enums: one type per getter, so a property of the wrong kind does not compile (as in MQL5)
enum ENUM_POSITION_PROPERTY_INTEGER { POSITION_TICKET, POSITION_TIME, POSITION_TIME_MSC, POSITION_TYPE, POSITION_MAGIC, POSITION_IDENTIFIER };
enum ENUM_POSITION_PROPERTY_DOUBLE { POSITION_VOLUME, POSITION_PRICE_OPEN, POSITION_PRICE_CURRENT, POSITION_PROFIT, POSITION_SL, POSITION_TP };
enum ENUM_POSITION_PROPERTY_STRING { POSITION_SYMBOL, POSITION_COMMENT };
enum ENUM_POSITION_TYPE { POSITION_TYPE_BUY = 0, POSITION_TYPE_SELL = 1 };
enum ENUM_SYMBOL_INFO_DOUBLE { SYMBOL_BID, SYMBOL_ASK, SYMBOL_POINT, SYMBOL_VOLUME_MIN, SYMBOL_VOLUME_MAX, SYMBOL_VOLUME_STEP, SYMBOL_TRADE_TICK_VALUE, SYMBOL_TRADE_TICK_SIZE, SYMBOL_TRADE_CONTRACT_SIZE };
enum ENUM_SYMBOL_INFO_INTEGER { SYMBOL_DIGITS, SYMBOL_FILLING_MODE, SYMBOL_TICKS_BOOKDEPTH, SYMBOL_SPREAD, SYMBOL_TRADE_EXEMODE };
enum ENUM_SYMBOL_INFO_STRING { SYMBOL_CURRENCY_BASE, SYMBOL_CURRENCY_PROFIT, SYMBOL_CURRENCY_MARGIN, SYMBOL_DESCRIPTION };
enum ENUM_SYMBOL_TRADE_EXECUTION { SYMBOL_TRADE_EXECUTION_REQUEST = 0, SYMBOL_TRADE_EXECUTION_INSTANT = 1, SYMBOL_TRADE_EXECUTION_MARKET = 2, SYMBOL_TRADE_EXECUTION_EXCHANGE = 3 };
enum ENUM_ORDER_PROPERTY_INTEGER { ORDER_TICKET, ORDER_TIME_SETUP_MSC, ORDER_TYPE, ORDER_STATE, ORDER_MAGIC, ORDER_POSITION_ID };
enum ENUM_ORDER_PROPERTY_DOUBLE { ORDER_VOLUME_INITIAL, ORDER_VOLUME_CURRENT, ORDER_PRICE_OPEN };
enum ENUM_ORDER_PROPERTY_STRING { ORDER_SYMBOL, ORDER_COMMENT };
enum { SYMBOL_FILLING_FOK = 1, SYMBOL_FILLING_IOC = 2 };
enum ENUM_ACCOUNT_INFO_DOUBLE { ACCOUNT_BALANCE, ACCOUNT_EQUITY, ACCOUNT_MARGIN, ACCOUNT_MARGIN_FREE, ACCOUNT_MARGIN_LEVEL, ACCOUNT_PROFIT };
enum ENUM_ACCOUNT_INFO_INTEGER { ACCOUNT_LOGIN, ACCOUNT_LEVERAGE, ACCOUNT_MARGIN_MODE, ACCOUNT_TRADE_ALLOWED, ACCOUNT_TRADE_EXPERT };
enum ENUM_ACCOUNT_INFO_STRING { ACCOUNT_CURRENCY, ACCOUNT_NAME, ACCOUNT_SERVER, ACCOUNT_COMPANY };
enum ENUM_TERMINAL_INFO_INTEGER { TERMINAL_CONNECTED, TERMINAL_TRADE_ALLOWED, TERMINAL_NOTIFICATIONS_ENABLED };
enum ENUM_TERMINAL_INFO_STRING { TERMINAL_DATA_PATH, TERMINAL_COMMONDATA_PATH };
enum ENUM_MQL_INFO_INTEGER { MQL_TRADE_ALLOWED, MQL_TESTER };
enum ENUM_ORDER_TYPE { ORDER_TYPE_BUY = 0, ORDER_TYPE_SELL = 1, ORDER_TYPE_BUY_LIMIT = 2, ORDER_TYPE_SELL_LIMIT = 3, ORDER_TYPE_BUY_STOP = 4, ORDER_TYPE_SELL_STOP = 5 };
enum ENUM_ORDER_TYPE_FILLING { ORDER_FILLING_FOK = 0, ORDER_FILLING_IOC = 1, ORDER_FILLING_RETURN = 2 };
enum ENUM_ORDER_TYPE_TIME { ORDER_TIME_GTC = 0, ORDER_TIME_DAY = 1 };
enum ENUM_ORDER_STATE { ORDER_STATE_STARTED = 0, ORDER_STATE_PLACED = 1, ORDER_STATE_FILLED = 4 };
enum ENUM_DEAL_TYPE { DEAL_TYPE_BUY = 0, DEAL_TYPE_SELL = 1 };
enum ENUM_TRADE_REQUEST_ACTIONS { TRADE_ACTION_DEAL = 1, TRADE_ACTION_PENDING = 5, TRADE_ACTION_SLTP = 6, TRADE_ACTION_MODIFY = 7, TRADE_ACTION_REMOVE = 8, TRADE_ACTION_CLOSE_BY = 10 };
enum ENUM_TRADE_TRANSACTION_TYPE { TRADE_TRANSACTION_ORDER_ADD = 0, TRADE_TRANSACTION_ORDER_UPDATE = 1, TRADE_TRANSACTION_ORDER_DELETE = 2, TRADE_TRANSACTION_HISTORY_ADD = 3, TRADE_TRANSACTION_HISTORY_UPDATE = 4, TRADE_TRANSACTION_HISTORY_DELETE = 5, TRADE_TRANSACTION_DEAL_ADD = 6, TRADE_TRANSACTION_DEAL_UPDATE = 7, TRADE_TRANSACTION_DEAL_DELETE = 8, TRADE_TRANSACTION_POSITION = 9, TRADE_TRANSACTION_REQUEST = 10 };
enum ENUM_BOOK_TYPE { BOOK_TYPE_SELL = 1, BOOK_TYPE_BUY = 2, BOOK_TYPE_SELL_MARKET = 3, BOOK_TYPE_BUY_MARKET = 4 };
enum ENUM_INIT_RETCODE { INIT_SUCCEEDED = 0, INIT_FAILED = 1, INIT_PARAMETERS_INCORRECT = 32767 };

const uint TRADE_RETCODE_REQUOTE = 10004;
const uint TRADE_RETCODE_PLACED = 10008;
const uint TRADE_RETCODE_DONE = 10009;
const uint TRADE_RETCODE_DONE_PARTIAL = 10010;
const uint TRADE_RETCODE_INVALID = 10013;
const uint TRADE_RETCODE_INVALID_VOLUME = 10014;
const uint TRADE_RETCODE_INVALID_PRICE = 10015;
const uint TRADE_RETCODE_MARKET_CLOSED = 10018;
const uint TRADE_RETCODE_CLIENT_DISABLES_AT = 10027;
const uint TRADE_RETCODE_INVALID_FILL = 10030;
const uint TRADE_RETCODE_POSITION_CLOSED = 10036;
const uint TRADE_RETCODE_INVALID_CLOSE_VOLUME = 10038;
const uint TRADE_RETCODE_CLOSE_ORDER_EXIST = 10039;

const int INVALID_HANDLE = -1;
const int FILE_READ = 1, FILE_WRITE = 2, FILE_BIN = 4, FILE_CSV = 8, FILE_TXT = 16, FILE_ANSI = 32,
          FILE_UNICODE = 64, FILE_SHARE_READ = 128, FILE_SHARE_WRITE = 256, FILE_REWRITE = 512,
          FILE_COMMON = 4096;
const uint CP_ACP = 0, CP_UTF8 = 65001;
const int ERR_MARKET_UNKNOWN_SYMBOL = 4301, ERR_CANNOT_OPEN_FILE = 5004,
          ERR_INVALID_FILEHANDLE = 5007, ERR_FILE_NOT_EXIST = 5019, ERR_FILE_CANNOT_REWRITE = 5020,
          ERR_GLOBALVARIABLE_NOT_FOUND = 4501, ERR_TRADE_POSITION_NOT_FOUND = 4753,
          ERR_TRADE_ORDER_NOT_FOUND = 4754, ERR_NOTIFICATION_SEND_FAILED = 4515,
          ERR_NOTIFICATION_WRONG_PARAMETER = 4516, ERR_NOTIFICATION_WRONG_SETTINGS = 4517,
          ERR_NOTIFICATION_TOO_FREQUENT = 4518, ERR_CALENDAR_MORE_DATA = 5400,
          ERR_CALENDAR_TIMEOUT = 5401, ERR_CALENDAR_NO_DATA = 5402;

//--- structures
struct MqlTick {
  datetime time;
  double bid;
  double ask;
  double last;
  ulong volume;
  long time_msc;
  uint flags;
  double volume_real;
};
struct MqlBookInfo {
  ENUM_BOOK_TYPE type;
  double price;
  long volume;
  double volume_real;
};
//--- the economic calendar (MQL5 Calendar functions; times are trade-server time)
enum ENUM_CALENDAR_EVENT_IMPORTANCE { CALENDAR_IMPORTANCE_NONE = 0, CALENDAR_IMPORTANCE_LOW = 1, CALENDAR_IMPORTANCE_MODERATE = 2, CALENDAR_IMPORTANCE_HIGH = 3 };
enum ENUM_CALENDAR_EVENT_IMPACT { CALENDAR_IMPACT_NA = 0, CALENDAR_IMPACT_POSITIVE = 1, CALENDAR_IMPACT_NEGATIVE = 2 };
enum ENUM_CALENDAR_EVENT_TYPE { CALENDAR_TYPE_EVENT = 0, CALENDAR_TYPE_INDICATOR = 1, CALENDAR_TYPE_HOLIDAY = 2 };
enum ENUM_CALENDAR_EVENT_SECTOR { CALENDAR_SECTOR_NONE = 0 };
enum ENUM_CALENDAR_EVENT_FREQUENCY { CALENDAR_FREQUENCY_NONE = 0 };
enum ENUM_CALENDAR_EVENT_TIMEMODE { CALENDAR_TIMEMODE_DATETIME = 0 };
enum ENUM_CALENDAR_EVENT_UNIT { CALENDAR_UNIT_NONE = 0 };
enum ENUM_CALENDAR_EVENT_MULTIPLIER { CALENDAR_MULTIPLIER_NONE = 0 };
struct MqlCalendarValue {
  ulong id;
  ulong event_id;
  datetime time;  // trade-server time
  datetime period;
  int revision;
  long actual_value;
  long prev_value;
  long revised_prev_value;
  long forecast_value;
  ENUM_CALENDAR_EVENT_IMPACT impact_type;
};
struct MqlCalendarEvent {
  ulong id;
  ENUM_CALENDAR_EVENT_TYPE type;
  ENUM_CALENDAR_EVENT_SECTOR sector;
  ENUM_CALENDAR_EVENT_FREQUENCY frequency;
  ENUM_CALENDAR_EVENT_TIMEMODE time_mode;
  ulong country_id;
  ENUM_CALENDAR_EVENT_UNIT unit;
  ENUM_CALENDAR_EVENT_IMPORTANCE importance;
  ENUM_CALENDAR_EVENT_MULTIPLIER multiplier;
  uint digits;
  string source_url;
  string event_code;
  string name;
};
struct MqlCalendarCountry {
  ulong id;
  string name;
  string code;
  string currency;
  string currency_symbol;
  string url_name;
};

struct MqlTradeRequest {
  ENUM_TRADE_REQUEST_ACTIONS action;
  ulong magic;
  ulong order;
  string symbol;
  double volume;
  double price;
  double stoplimit;
  double sl;
  double tp;
  ulong deviation;
  ENUM_ORDER_TYPE type;
  ENUM_ORDER_TYPE_FILLING type_filling;
  ENUM_ORDER_TYPE_TIME type_time;
  datetime expiration;
  string comment;
  ulong position;
  ulong position_by;
};
struct MqlTradeResult {
  uint retcode;
  ulong deal;
  ulong order;
  double volume;
  double price;
  double bid;
  double ask;
  string comment;
  uint request_id;
  int retcode_external;
};
struct MqlTradeTransaction {
  ulong deal;
  ulong order;
  string symbol;
  ENUM_TRADE_TRANSACTION_TYPE type;
  ENUM_ORDER_TYPE order_type;
  ENUM_ORDER_STATE order_state;
  ENUM_DEAL_TYPE deal_type;
  ENUM_ORDER_TYPE_TIME time_type;
  datetime time_expiration;
  double price;
  double price_trigger;
  double price_sl;
  double price_tp;
  double volume;
  ulong position;
  ulong position_by;
};
template <typename T>
void ZeroMemory(T &x) { x = T{}; }

//--- the scripted terminal
namespace mql5sim {

struct Symbol {
  string name;
  double bid = 0, ask = 0;
  int digits = 5;
  double point = 0.00001;
  double vol_min = 0.01, vol_max = 100, vol_step = 0.01;
  double tick_size = 0.00001, tick_value = 1.0, contract = 100000;
  long filling = SYMBOL_FILLING_FOK | SYMBOL_FILLING_IOC;
  long exemode = SYMBOL_TRADE_EXECUTION_MARKET;
  long refused_fillings = 0;       // bits 1 << ORDER_FILLING_*: refused with 10030 all the same
  bool tick_value_hidden = false;  // SYMBOL_TRADE_TICK_VALUE reads 0 (the account still values it)
  string currency_base, currency_profit;  // from the name (EURUSD: EUR, USD) unless set
  long time_msc = 0;
  ulong tick_volume = 0;
  bool market_open = true;      // false: every deal is refused with 10018 (market closed)
  bool has_book = false;        // the broker publishes depth for it
  bool book_get_empty = false;  // without depth: MarketBookGet gives true and 0 entries (else false)
  std::vector<MqlBookInfo> book;
};

struct Position {
  ulong ticket;
  string symbol;
  long type;
  double volume;
  double price_open;
  long time_msc;
  ulong magic;
  string comment;
};

struct Order {  // a deal the server accepted (10008) and fills at `fill_at_ms`
  ulong ticket;
  MqlTradeRequest request;
  long fill_at_ms;
  long setup_msc;
};

struct Trade {  // every OrderSend the EA made
  MqlTradeRequest request;
  uint retcode;
};

struct Handle {  // an open file: the EA's, or another process's (external)
  string path;    // absolute path on disk
  int flags;
  bool external;
  string data;    // read: whole content; write: pending bytes (flushed on FileClose)
  size_t pos = 0;
};

struct Event {
  enum Kind { TIMER, TRADE, BOOK, TICK } kind;
  MqlTradeTransaction trans;
  MqlTradeRequest request;
  MqlTradeResult result;
  string symbol;
};

struct Handlers {
  std::function<void()> on_timer;
  std::function<void(const MqlTradeTransaction &, const MqlTradeRequest &, const MqlTradeResult &)> on_trade;
  std::function<void(const string &)> on_book;
  std::function<void()> on_tick;
};

struct Sim {
  // account
  bool hedging = true;
  double balance = 10000.0;
  string account_currency = "USD";
  long leverage = 100;
  bool terminal_trade_allowed = true;
  // push notifications (Tools > Options > Notifications): off = SendNotification fails, 4517
  bool notifications_enabled = true;
  bool mql_trade_allowed = true;
  // time: GMT in milliseconds; server time (TimeCurrent) runs two hours ahead
  long gmt_ms = 1700000000000L;
  long server_offset_s = 7200;
  // TimeTradeServer() is the terminal's estimate of the server clock: a second or two off
  long trade_server_jitter_s = 0;
  // the economic calendar: values (server time), their events and countries; a non-zero
  // `calendar_error` makes CalendarValueHistory fail with it (5401: the terminal not synced)
  std::vector<MqlCalendarValue> calendar_values;
  std::map<ulong, MqlCalendarEvent> calendar_events;
  std::map<ulong, MqlCalendarCountry> calendar_countries;
  int calendar_error = 0;
  int calendar_calls = 0;
  int timer_ms = 0;
  // market
  std::map<string, Symbol> symbols;
  std::vector<Position> positions;
  // deals answered 10008 and filled this many ms later (-1: filled at once, 10009)
  long place_delay_ms = -1;
  std::vector<Order> orders;
  bool order_selected_ok = false;
  Order order_selected{};
  // a real terminal may still list the old volumes right after OrderSend returns; with
  // `positions_lag` the position functions show the pre-deal list until the next event
  bool positions_lag = false;
  bool shown_valid = false;
  std::vector<Position> shown;
  ulong next_ticket = 1000;
  long msc_counter = 0;
  // selected position (a copy, as PositionSelectByTicket makes)
  bool selected_ok = false;
  Position selected{};
  // records
  std::vector<Trade> trades;
  struct Push {
    long at_ms;
    string text;
    bool ok;
    int error;
  };
  std::vector<Push> pushes;  // every SendNotification call, delivered or refused
  std::vector<string> log;
  std::vector<string> file_ops;  // "open <flags> <path>", "move <src> <dst>", ...
  std::map<string, double> globals;
  int last_error = 0;
  // files
  string common_dir;  // <Common>; files live in <Common>/Files
  std::map<int, Handle> handles;
  int next_handle = 1;
  std::function<void(const string &)> on_file_write;  // called with the target path on each write
  // events
  std::deque<Event> queue;
  bool in_handler = false;
  bool in_timer = false;
  Handlers handlers;
  bool verbose = false;

  long now_msc() { return gmt_ms + server_offset_s * 1000 + (++msc_counter % 1000); }

  Symbol &symbol(const string &name) {
    auto it = symbols.find(name);
    if (it == symbols.end()) critical("test error: unknown symbol " + name);
    return it->second;
  }

  Symbol &add_symbol(const string &name, double bid, double ask) {
    Symbol s;
    s.name = name;
    if (name.size() >= 6) {
      s.currency_base = name.substr(0, 3);
      s.currency_profit = name.substr(3, 3);
    }
    symbols[name] = s;
    quote(name, bid, ask, 0);
    return symbols[name];
  }

  void quote(const string &name, double bid, double ask, ulong volume = 0) {
    Symbol &s = symbol(name);
    s.bid = bid;
    s.ask = ask;
    s.tick_volume = volume;
    s.time_msc = now_msc();
  }

  double price_current(const Position &p) {
    Symbol &s = symbol(p.symbol);
    return p.type == POSITION_TYPE_BUY ? s.bid : s.ask;
  }
  double per_lot(const string &name, double price) {
    Symbol &s = symbol(name);
    return price / s.tick_size * s.tick_value;
  }
  double profit(const Position &p) {
    Symbol &s = symbol(p.symbol);
    double move = (price_current(p) - p.price_open) * (p.type == POSITION_TYPE_BUY ? 1 : -1);
    return move / s.tick_size * s.tick_value * p.volume;
  }
  double equity() {
    double e = balance;
    for (auto &p : positions) e += profit(p);
    return e;
  }
  double margin() {
    double m = 0;
    for (auto &p : positions) m += p.volume * per_lot(p.symbol, price_current(p)) / (double)leverage;
    return m;
  }
  double position_value() {
    double v = 0;
    for (auto &p : positions) v += p.volume * per_lot(p.symbol, price_current(p));
    return v;
  }
  double volume_of(const string &name) {
    double v = 0;
    for (auto &p : positions)
      if (p.symbol == name) v += p.volume;
    return v;
  }
  std::vector<Position> &listed() { return positions_lag && shown_valid ? shown : positions; }

  Position *find(ulong ticket) {
    for (auto &p : positions)
      if (p.ticket == ticket) return &p;
    return nullptr;
  }

  // the fill itself; `position` = 0 opens (hedging) or nets (netting)
  ulong fill(const string &name, long type, double volume, ulong position, ulong magic,
             const string &comment, double &price) {
    Symbol &s = symbol(name);
    price = type == ORDER_TYPE_BUY ? s.ask : s.bid;
    long pos_type = type == ORDER_TYPE_BUY ? POSITION_TYPE_BUY : POSITION_TYPE_SELL;
    Position *target = nullptr;
    if (position != 0) {
      target = find(position);
    } else if (!hedging) {
      for (auto &p : positions)
        if (p.symbol == name) target = &p;
    }
    if (target == nullptr) {
      Position p{next_ticket++, name, pos_type, volume, price, now_msc(), magic, comment};
      positions.push_back(p);
      return p.ticket;
    }
    ulong ticket = target->ticket;
    if (target->type == pos_type) {  // netting increase
      double v = target->volume + volume;
      target->price_open = (target->price_open * target->volume + price * volume) / v;
      target->volume = v;
      target->time_msc = target->time_msc;
      return ticket;
    }
    double closed = std::min(volume, target->volume);
    Position part = *target;
    part.volume = closed;
    balance += profit(part);
    target->volume = std::round((target->volume - closed) * 1e8) / 1e8;
    double rest = std::round((volume - closed) * 1e8) / 1e8;
    if (target->volume <= 1e-12) {
      positions.erase(positions.begin() + (target - positions.data()));
      if (rest > 1e-12) {  // netting reversal keeps the position ticket
        Position p{ticket, name, pos_type, rest, price, now_msc(), magic, comment};
        positions.push_back(p);
      }
    }
    return ticket;
  }

  void queue_transactions(const string &name, long type, double volume, ulong ticket, double price,
                          ulong order, ulong deal) {
    const ENUM_TRADE_TRANSACTION_TYPE kinds[] = {TRADE_TRANSACTION_ORDER_ADD, TRADE_TRANSACTION_DEAL_ADD,
                                                 TRADE_TRANSACTION_ORDER_DELETE, TRADE_TRANSACTION_HISTORY_ADD};
    for (auto k : kinds) {
      Event e{};
      e.kind = Event::TRADE;
      e.trans.type = k;
      e.trans.symbol = name;
      e.trans.order = order;
      e.trans.deal = k == TRADE_TRANSACTION_DEAL_ADD ? deal : 0;
      e.trans.order_type = (ENUM_ORDER_TYPE)type;
      e.trans.deal_type = type == ORDER_TYPE_BUY ? DEAL_TYPE_BUY : DEAL_TYPE_SELL;
      e.trans.volume = volume;
      e.trans.price = price;
      e.trans.position = ticket;
      queue.push_back(e);
    }
  }

  // a trade made by hand or by another EA: the guard hears of it only afterwards
  ulong manual(const string &name, long order_type, double volume) {
    double price = 0;
    ulong ticket = fill(name, order_type, volume, 0, 0, "manual", price);
    ulong order = next_ticket++;
    queue_transactions(name, order_type, volume, ticket, price, order, next_ticket++);
    return ticket;
  }

  void say(const string &line) {
    log.push_back(line);
    if (verbose) std::fprintf(stderr, "[journal] %s\n", line.c_str());
  }

  bool logged(const string &needle) const {
    for (auto &l : log)
      if (l.find(needle) != string::npos) return true;
    return false;
  }
  int count_logged(const string &needle) const {
    int n = 0;
    for (auto &l : log)
      if (l.find(needle) != string::npos) n++;
    return n;
  }

  // run queued events; handlers are never re-entered
  void pump() {
    if (in_handler) return;
    while (!queue.empty()) {
      Event e = queue.front();
      queue.pop_front();
      in_handler = true;
      shown_valid = false;
      switch (e.kind) {
        case Event::TIMER:
          in_timer = true;
          if (handlers.on_timer) handlers.on_timer();
          in_timer = false;
          break;
        case Event::TRADE:
          if (handlers.on_trade) handlers.on_trade(e.trans, e.request, e.result);
          break;
        case Event::BOOK:
          if (handlers.on_book) handlers.on_book(e.symbol);
          break;
        case Event::TICK:
          if (handlers.on_tick) handlers.on_tick();
          break;
      }
      in_handler = false;
    }
  }

  // only transactions: what a terminal does before the next timer tick
  void pump_trades_only() {
    std::deque<Event> keep;
    while (!queue.empty()) {
      Event e = queue.front();
      queue.pop_front();
      if (e.kind != Event::TRADE) {
        keep.push_back(e);
        continue;
      }
      in_handler = true;
      shown_valid = false;
      if (handlers.on_trade) handlers.on_trade(e.trans, e.request, e.result);
      in_handler = false;
    }
    for (auto &e : keep) queue.push_back(e);
  }

  void post_timer() {  // a Timer event is not queued while one is pending or being processed
    if (in_timer) return;
    for (auto &e : queue)
      if (e.kind == Event::TIMER) return;
    Event e{};
    e.kind = Event::TIMER;
    queue.push_back(e);
  }

  void post_book(const string &name) {
    Event e{};
    e.kind = Event::BOOK;
    e.symbol = name;
    queue.push_back(e);
  }

  // the server fills the accepted (10008) orders that are due; an order whose position is gone
  // or smaller than the order is cancelled
  void fill_due_orders() {
    for (size_t i = 0; i < orders.size();) {
      if (orders[i].fill_at_ms > gmt_ms) {
        i++;
        continue;
      }
      Order o = orders[i];
      orders.erase(orders.begin() + (long)i);
      const MqlTradeRequest &r = o.request;
      Position *p = r.position != 0 ? find(r.position) : nullptr;
      if (r.position != 0 && (p == nullptr || r.volume > p->volume + 1e-9)) {
        say("server: order #" + std::to_string(o.ticket) + " cancelled (position gone or smaller)");
        continue;
      }
      double price = 0;
      ulong ticket = fill(r.symbol, r.type, r.volume, r.position, r.magic, r.comment, price);
      queue_transactions(r.symbol, r.type, r.volume, ticket, price, o.ticket, next_ticket++);
    }
  }

  // let `ms` milliseconds pass: the timer fires every timer_ms, each event is handled
  void advance_ms(long ms) {
    long end = gmt_ms + ms;
    if (timer_ms <= 0) {
      gmt_ms = end;
      fill_due_orders();
      pump();
      return;
    }
    while (gmt_ms + timer_ms <= end) {
      gmt_ms += timer_ms;
      fill_due_orders();
      post_timer();
      pump();
    }
    gmt_ms = end;
    fill_due_orders();
    pump();
  }

  // files
  string disk_path(const string &name, bool common) {
    string rel = name;
    std::replace(rel.begin(), rel.end(), '\\', '/');
    if (!common) critical("test error: the guard must only use FILE_COMMON files");
    return common_dir + "/Files/" + rel;
  }
};

inline Sim &sim() {
  static Sim s;
  return s;
}

// Windows share rule between two handles on one file
inline bool share_conflict(int a, int b) {
  bool a_r = a & FILE_READ, a_w = a & FILE_WRITE, b_r = b & FILE_READ, b_w = b & FILE_WRITE;
  if (a_r && !(b & FILE_SHARE_READ)) return true;
  if (a_w && !(b & FILE_SHARE_WRITE)) return true;
  if (b_r && !(a & FILE_SHARE_READ)) return true;
  if (b_w && !(a & FILE_SHARE_WRITE)) return true;
  return false;
}

// another process (lca, an editor, an antivirus) opens a Common file; returns its handle id
inline int external_open(const string &name, int flags) {
  Sim &s = sim();
  Handle h;
  h.path = s.disk_path(name, true);
  h.flags = flags;
  h.external = true;
  int id = s.next_handle++;
  s.handles[id] = h;
  return id;
}
inline void external_close(int id) { sim().handles.erase(id); }

// text as read without FILE_ANSI: two bytes per character (garbage for an ANSI file)
inline string decode_unicode(const string &raw) {
  size_t start = 0;
  if (raw.size() >= 2 && (uchar)raw[0] == 0xFF && (uchar)raw[1] == 0xFE) start = 2;
  string out;
  for (size_t i = start; i + 1 < raw.size(); i += 2) {
    unsigned c = (uchar)raw[i] | ((unsigned)(uchar)raw[i + 1] << 8);
    out.push_back(c < 128 ? (char)c : (char)0xFF);
  }
  return out;
}

}  // namespace mql5sim

//--- string and number helpers
inline int StringLen(const string &s) { return (int)s.size(); }
inline int StringFind(const string &s, const string &sub, int start = 0) {
  if (start < 0 || start > (int)s.size()) return -1;
  size_t p = s.find(sub, (size_t)start);
  return p == string::npos ? -1 : (int)p;
}
inline string StringSubstr(const string &s, int start, int length = -1) {
  if (start < 0 || start >= (int)s.size()) return "";
  if (length < 0) return s.substr((size_t)start);
  return s.substr((size_t)start, (size_t)length);
}
inline ushort StringGetCharacter(const string &s, int pos) {
  if (pos < 0 || pos >= (int)s.size()) return 0;
  return (ushort)(uchar)s[(size_t)pos];
}
inline int StringSplit(const string &s, ushort sep, MqlArray<string> &out) {
  out.v.clear();
  if (s.empty()) return 0;
  string cur;
  for (char c : s) {
    if ((ushort)(uchar)c == sep) {
      out.v.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  out.v.push_back(cur);
  return (int)out.v.size();
}
inline int StringTrimLeft(string &s) {
  size_t n = 0;
  while (n < s.size() && (s[n] == ' ' || s[n] == '\t' || s[n] == '\r' || s[n] == '\n')) n++;
  s.erase(0, n);
  return (int)n;
}
inline int StringTrimRight(string &s) {
  size_t n = 0;
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.pop_back();
    n++;
  }
  return (int)n;
}
inline long StringToInteger(const string &s) { return std::strtol(s.c_str(), nullptr, 10); }
inline double StringToDouble(const string &s) { return std::strtod(s.c_str(), nullptr); }
inline string IntegerToString(long v, int len = 0, ushort fill = ' ') {
  string s = std::to_string(v);
  while ((int)s.size() < len) s.insert(s.begin(), (char)fill);
  return s;
}
inline string DoubleToString(double v, int digits = 8) {
  char buf[512];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}
inline double MathCeil(double x) { return std::ceil(x); }
inline double MathFloor(double x) { return std::floor(x); }
inline double MathRound(double x) { return std::round(x); }
inline double MathAbs(double x) { return std::fabs(x); }
template <typename A, typename B>
typename std::common_type<A, B>::type MathMax(A a, B b) { return a > b ? a : b; }
template <typename A, typename B>
typename std::common_type<A, B>::type MathMin(A a, B b) { return a < b ? a : b; }
inline double NormalizeDouble(double v, int digits) {
  double f = std::pow(10.0, digits);
  return std::round(v * f) / f;
}

//--- StringFormat/PrintFormat: MQL5 specifiers (%I64d, %s with a string); a specifier that does not
//--- fit its argument's type is a test failure, not silent garbage
namespace mql5sim {
struct FmtArg {
  enum Kind { INT, UINT, DBL, STR } kind;
  long long i = 0;
  unsigned long long u = 0;
  double d = 0;
  string s;
  FmtArg(const string &v) : kind(STR), s(v) {}
  FmtArg(const char *v) : kind(STR), s(v) {}
  FmtArg(double v) : kind(DBL), d(v) {}
  FmtArg(float v) : kind(DBL), d(v) {}
  FmtArg(bool v) : kind(INT), i(v) {}
  FmtArg(char v) : kind(INT), i(v) {}
  FmtArg(short v) : kind(INT), i(v) {}
  FmtArg(int v) : kind(INT), i(v) {}
  FmtArg(long v) : kind(INT), i(v) {}
  FmtArg(long long v) : kind(INT), i(v) {}
  FmtArg(unsigned char v) : kind(UINT), u(v) {}
  FmtArg(unsigned short v) : kind(UINT), u(v) {}
  FmtArg(unsigned int v) : kind(UINT), u(v) {}
  FmtArg(unsigned long v) : kind(UINT), u(v) {}
  FmtArg(unsigned long long v) : kind(UINT), u(v) {}
  template <typename E, typename std::enable_if<std::is_enum<E>::value, int>::type = 0>
  FmtArg(E v) : kind(INT), i((long long)v) {}
};

inline string format(const string &fmt, const std::vector<FmtArg> &args) {
  string out;
  size_t a = 0;
  for (size_t p = 0; p < fmt.size(); p++) {
    if (fmt[p] != '%') {
      out.push_back(fmt[p]);
      continue;
    }
    if (p + 1 < fmt.size() && fmt[p + 1] == '%') {
      out.push_back('%');
      p++;
      continue;
    }
    string spec = "%";
    size_t q = p + 1;
    while (q < fmt.size() && strchr("-+ 0#", fmt[q])) spec.push_back(fmt[q++]);
    while (q < fmt.size() && isdigit((uchar)fmt[q])) spec.push_back(fmt[q++]);
    if (q < fmt.size() && fmt[q] == '.') {
      spec.push_back(fmt[q++]);
      while (q < fmt.size() && isdigit((uchar)fmt[q])) spec.push_back(fmt[q++]);
    }
    if (fmt.compare(q, 3, "I64") == 0) q += 3;
    else if (fmt.compare(q, 3, "I32") == 0) q += 3;
    else if (fmt.compare(q, 2, "ll") == 0) q += 2;
    else if (q < fmt.size() && (fmt[q] == 'l' || fmt[q] == 'h')) q += 1;
    if (q >= fmt.size()) critical("StringFormat: format ends inside a specifier: " + fmt);
    char conv = fmt[q];
    p = q;
    if (a >= args.size()) critical("StringFormat: too few arguments for: " + fmt);
    const FmtArg &arg = args[a++];
    char buf[1024];
    if (strchr("diouxXc", conv)) {
      if (arg.kind == FmtArg::DBL || arg.kind == FmtArg::STR)
        critical(string("StringFormat: %") + conv + " given a non-integer argument in: " + fmt);
      if (conv == 'd' || conv == 'i') {
        long long v = arg.kind == FmtArg::INT ? arg.i : (long long)arg.u;
        std::snprintf(buf, sizeof buf, (spec + "lld").c_str(), v);
      } else if (conv == 'c') {
        std::snprintf(buf, sizeof buf, (spec + "c").c_str(), (int)(arg.kind == FmtArg::INT ? arg.i : (long long)arg.u));
      } else {
        unsigned long long v = arg.kind == FmtArg::UINT ? arg.u : (unsigned long long)arg.i;
        std::snprintf(buf, sizeof buf, (spec + "ll" + conv).c_str(), v);
      }
    } else if (strchr("feEgG", conv)) {
      if (arg.kind != FmtArg::DBL)
        critical(string("StringFormat: %") + conv + " given a non-double argument in: " + fmt);
      std::snprintf(buf, sizeof buf, (spec + conv).c_str(), arg.d);
    } else if (conv == 's') {
      if (arg.kind != FmtArg::STR) critical("StringFormat: %s given a non-string argument in: " + fmt);
      std::snprintf(buf, sizeof buf, (spec + "s").c_str(), arg.s.c_str());
    } else {
      critical(string("StringFormat: unknown conversion %") + conv + " in: " + fmt);
    }
    out += buf;
  }
  if (a != args.size()) critical("StringFormat: too many arguments for: " + fmt);
  return out;
}

inline string print_piece(const FmtArg &a) {
  char buf[64];
  switch (a.kind) {
    case FmtArg::STR: return a.s;
    case FmtArg::INT: return std::to_string(a.i);
    case FmtArg::UINT: return std::to_string(a.u);
    case FmtArg::DBL: std::snprintf(buf, sizeof buf, "%.16g", a.d); return buf;
  }
  return "";
}
}  // namespace mql5sim

template <typename... A>
string StringFormat(const string &fmt, const A &...args) {
  return mql5sim::format(fmt, std::vector<mql5sim::FmtArg>{mql5sim::FmtArg(args)...});
}
template <typename... A>
void PrintFormat(const string &fmt, const A &...args) {
  mql5sim::sim().say(StringFormat(fmt, args...));
}
template <typename... A>
void Print(const A &...args) {
  string line;
  for (const auto &piece : std::vector<mql5sim::FmtArg>{mql5sim::FmtArg(args)...})
    line += mql5sim::print_piece(piece);
  mql5sim::sim().say(line);
}

//--- errors, time, timer, permissions
inline int GetLastError() { return mql5sim::sim().last_error; }
inline void ResetLastError() { mql5sim::sim().last_error = 0; }
inline datetime TimeGMT() { return mql5sim::sim().gmt_ms / 1000; }
inline datetime TimeCurrent() { return mql5sim::sim().gmt_ms / 1000 + mql5sim::sim().server_offset_s; }
inline datetime TimeTradeServer() { return TimeCurrent() + mql5sim::sim().trade_server_jitter_s; }

//--- economic calendar: from <= time < to (to = 0: no end), in trade-server time, sorted by time
inline int CalendarValueHistory(MqlArray<MqlCalendarValue> &values, datetime from, datetime to = 0,
                                const string &country_code = "", const string &currency = "") {
  mql5sim::Sim &s = mql5sim::sim();
  s.calendar_calls++;
  values.v.clear();
  if (s.calendar_error != 0) {
    s.last_error = s.calendar_error;
    return -1;
  }
  for (auto &v : s.calendar_values) {
    if (v.time < from || (to != 0 && v.time >= to)) continue;
    auto e = s.calendar_events.find(v.event_id);
    if (e == s.calendar_events.end()) continue;
    auto c = s.calendar_countries.find(e->second.country_id);
    if (c == s.calendar_countries.end()) continue;
    if (!country_code.empty() && c->second.code != country_code) continue;
    if (!currency.empty() && c->second.currency != currency) continue;
    values.v.push_back(v);
  }
  std::stable_sort(values.v.begin(), values.v.end(),
                   [](const MqlCalendarValue &a, const MqlCalendarValue &b) { return a.time < b.time; });
  return (int)values.v.size();
}
inline bool CalendarEventById(ulong event_id, MqlCalendarEvent &event) {
  auto &m = mql5sim::sim().calendar_events;
  auto it = m.find(event_id);
  if (it == m.end()) return false;
  event = it->second;
  return true;
}
inline bool CalendarCountryById(const long country_id, MqlCalendarCountry &country) {
  auto &m = mql5sim::sim().calendar_countries;
  auto it = m.find((ulong)country_id);
  if (it == m.end()) return false;
  country = it->second;
  return true;
}
inline bool EventSetMillisecondTimer(int ms) {
  if (ms <= 0) return false;
  mql5sim::sim().timer_ms = ms;
  return true;
}
inline bool EventSetTimer(int s) { return EventSetMillisecondTimer(s * 1000); }
inline void EventKillTimer() { mql5sim::sim().timer_ms = 0; }
inline long TerminalInfoInteger(ENUM_TERMINAL_INFO_INTEGER p) {
  if (p == TERMINAL_NOTIFICATIONS_ENABLED) return (long)mql5sim::sim().notifications_enabled;
  return p == TERMINAL_TRADE_ALLOWED ? (long)mql5sim::sim().terminal_trade_allowed : 1;
}
// MT5: at most 2 calls a second and 10 a minute (else 4518), text of 1 to 255 characters (else
// 4516), notifications enabled with a MetaQuotes ID (else 4517). Only delivered calls count.
inline bool SendNotification(const string &text) {
  mql5sim::Sim &s = mql5sim::sim();
  int in_second = 0, in_minute = 0;
  for (auto &p : s.pushes) {
    if (!p.ok) continue;
    if (s.gmt_ms - p.at_ms < 1000) in_second++;
    if (s.gmt_ms - p.at_ms < 60000) in_minute++;
  }
  int error = 0;
  if (!s.notifications_enabled) error = ERR_NOTIFICATION_WRONG_SETTINGS;
  else if (text.size() < 1 || text.size() > 255) error = ERR_NOTIFICATION_WRONG_PARAMETER;
  else if (in_second >= 2 || in_minute >= 10) error = ERR_NOTIFICATION_TOO_FREQUENT;
  s.pushes.push_back({s.gmt_ms, text, error == 0, error});
  s.say(string(error == 0 ? "push: " : "push refused (" + std::to_string(error) + "): ") + text);
  if (error != 0) s.last_error = error;
  return error == 0;
}
inline string TerminalInfoString(ENUM_TERMINAL_INFO_STRING p) {
  return p == TERMINAL_COMMONDATA_PATH ? mql5sim::sim().common_dir : string("");
}
inline int MQLInfoInteger(ENUM_MQL_INFO_INTEGER p) {
  return p == MQL_TRADE_ALLOWED ? (int)mql5sim::sim().mql_trade_allowed : 0;
}
inline string _Symbol = "EURUSD";
inline long g_chart_id = 133246954827395174L;  // the chart the EA is attached to
inline long ChartID() { return g_chart_id; }
inline string Symbol() { return _Symbol; }

//--- account and symbols
inline double AccountInfoDouble(ENUM_ACCOUNT_INFO_DOUBLE p) {
  mql5sim::Sim &s = mql5sim::sim();
  switch (p) {
    case ACCOUNT_BALANCE: return s.balance;
    case ACCOUNT_EQUITY: return s.equity();
    case ACCOUNT_MARGIN: return s.margin();
    case ACCOUNT_MARGIN_FREE: return s.equity() - s.margin();
    case ACCOUNT_MARGIN_LEVEL: return s.margin() > 0 ? 100.0 * s.equity() / s.margin() : 0.0;
    case ACCOUNT_PROFIT: return s.equity() - s.balance;
  }
  return 0;
}
inline string AccountInfoString(ENUM_ACCOUNT_INFO_STRING p) {
  mql5sim::Sim &s = mql5sim::sim();
  switch (p) {
    case ACCOUNT_CURRENCY: return s.account_currency;
    case ACCOUNT_NAME: return "Test Trader";
    case ACCOUNT_SERVER: return "Sim-Demo";
    case ACCOUNT_COMPANY: return "Sim Broker";
  }
  return "";
}
inline long AccountInfoInteger(ENUM_ACCOUNT_INFO_INTEGER p) {
  mql5sim::Sim &s = mql5sim::sim();
  switch (p) {
    case ACCOUNT_LOGIN: return 123456;
    case ACCOUNT_LEVERAGE: return s.leverage;
    case ACCOUNT_MARGIN_MODE: return s.hedging ? 2 : 0;
    case ACCOUNT_TRADE_ALLOWED: return 1;
    case ACCOUNT_TRADE_EXPERT: return 1;
  }
  return 0;
}
inline bool SymbolSelect(const string &name, bool select) {
  (void)select;
  if (mql5sim::sim().symbols.count(name)) return true;
  mql5sim::sim().last_error = ERR_MARKET_UNKNOWN_SYMBOL;
  return false;
}
inline double SymbolInfoDouble(const string &name, ENUM_SYMBOL_INFO_DOUBLE p) {
  auto &m = mql5sim::sim().symbols;
  auto it = m.find(name);
  if (it == m.end()) {
    mql5sim::sim().last_error = ERR_MARKET_UNKNOWN_SYMBOL;
    return 0;
  }
  const mql5sim::Symbol &s = it->second;
  switch (p) {
    case SYMBOL_BID: return s.bid;
    case SYMBOL_ASK: return s.ask;
    case SYMBOL_POINT: return s.point;
    case SYMBOL_VOLUME_MIN: return s.vol_min;
    case SYMBOL_VOLUME_MAX: return s.vol_max;
    case SYMBOL_VOLUME_STEP: return s.vol_step;
    case SYMBOL_TRADE_TICK_VALUE: return s.tick_value_hidden ? 0.0 : s.tick_value;
    case SYMBOL_TRADE_TICK_SIZE: return s.tick_size;
    case SYMBOL_TRADE_CONTRACT_SIZE: return s.contract;
  }
  return 0;
}
inline long SymbolInfoInteger(const string &name, ENUM_SYMBOL_INFO_INTEGER p) {
  auto &m = mql5sim::sim().symbols;
  auto it = m.find(name);
  if (it == m.end()) {
    mql5sim::sim().last_error = ERR_MARKET_UNKNOWN_SYMBOL;
    return 0;
  }
  const mql5sim::Symbol &s = it->second;
  switch (p) {
    case SYMBOL_DIGITS: return s.digits;
    case SYMBOL_FILLING_MODE: return s.filling;
    case SYMBOL_TICKS_BOOKDEPTH: return s.has_book ? 10 : 0;
    case SYMBOL_SPREAD: return (long)std::lround((s.ask - s.bid) / s.point);
    case SYMBOL_TRADE_EXEMODE: return s.exemode;
  }
  return 0;
}
inline string SymbolInfoString(const string &name, ENUM_SYMBOL_INFO_STRING p) {
  auto &m = mql5sim::sim().symbols;
  auto it = m.find(name);
  if (it == m.end()) {
    mql5sim::sim().last_error = ERR_MARKET_UNKNOWN_SYMBOL;
    return "";
  }
  switch (p) {
    case SYMBOL_CURRENCY_BASE: return it->second.currency_base;
    case SYMBOL_CURRENCY_PROFIT: return it->second.currency_profit;
    case SYMBOL_CURRENCY_MARGIN: return it->second.currency_base;
    case SYMBOL_DESCRIPTION: return name;
  }
  return "";
}
inline bool SymbolInfoTick(const string &name, MqlTick &tick) {
  auto &m = mql5sim::sim().symbols;
  auto it = m.find(name);
  if (it == m.end()) {
    mql5sim::sim().last_error = ERR_MARKET_UNKNOWN_SYMBOL;
    return false;
  }
  tick = MqlTick{};
  tick.bid = it->second.bid;
  tick.ask = it->second.ask;
  tick.time_msc = it->second.time_msc;
  tick.time = it->second.time_msc / 1000;
  tick.volume = it->second.tick_volume;
  tick.volume_real = (double)it->second.tick_volume;
  return true;
}
inline bool MarketBookAdd(const string &name) { return mql5sim::sim().symbols.count(name) > 0; }
inline bool MarketBookRelease(const string &name) { return mql5sim::sim().symbols.count(name) > 0; }
inline bool MarketBookGet(const string &name, MqlArray<MqlBookInfo> &book) {
  auto &m = mql5sim::sim().symbols;
  auto it = m.find(name);
  book.v.clear();
  if (it == m.end()) return false;
  if (!it->second.has_book) return it->second.book_get_empty;
  book.v = it->second.book;
  return true;
}

//--- positions (selection copies the data, as in MQL5)
inline int PositionsTotal() { return (int)mql5sim::sim().listed().size(); }
inline bool PositionSelectByTicket(ulong ticket) {
  mql5sim::Sim &s = mql5sim::sim();
  s.selected_ok = false;
  for (auto &p : s.listed()) {
    if (p.ticket == ticket) {
      s.selected = p;
      s.selected_ok = true;
    }
  }
  if (!s.selected_ok) s.last_error = ERR_TRADE_POSITION_NOT_FOUND;
  return s.selected_ok;
}
inline ulong PositionGetTicket(int index) {
  mql5sim::Sim &s = mql5sim::sim();
  if (index < 0 || index >= (int)s.listed().size()) {
    s.last_error = ERR_TRADE_POSITION_NOT_FOUND;
    return 0;
  }
  s.selected = s.listed()[(size_t)index];
  s.selected_ok = true;
  return s.selected.ticket;
}
inline long PositionGetInteger(ENUM_POSITION_PROPERTY_INTEGER p) {
  mql5sim::Sim &s = mql5sim::sim();
  if (!s.selected_ok) return 0;
  switch (p) {
    case POSITION_TICKET: return (long)s.selected.ticket;
    case POSITION_TIME: return s.selected.time_msc / 1000;
    case POSITION_TIME_MSC: return s.selected.time_msc;
    case POSITION_TYPE: return s.selected.type;
    case POSITION_MAGIC: return (long)s.selected.magic;
    case POSITION_IDENTIFIER: return (long)s.selected.ticket;
  }
  return 0;
}
inline double PositionGetDouble(ENUM_POSITION_PROPERTY_DOUBLE p) {
  mql5sim::Sim &s = mql5sim::sim();
  if (!s.selected_ok) return 0;
  switch (p) {
    case POSITION_VOLUME: return s.selected.volume;
    case POSITION_PRICE_OPEN: return s.selected.price_open;
    case POSITION_PRICE_CURRENT: return s.price_current(s.selected);
    case POSITION_PROFIT: return s.profit(s.selected);
    case POSITION_SL: return 0;
    case POSITION_TP: return 0;
  }
  return 0;
}
inline string PositionGetString(ENUM_POSITION_PROPERTY_STRING p) {
  mql5sim::Sim &s = mql5sim::sim();
  if (!s.selected_ok) return "";
  return p == POSITION_SYMBOL ? s.selected.symbol : s.selected.comment;
}

//--- orders the server accepted but has not filled yet (selection copies, as in MQL5)
inline int OrdersTotal() { return (int)mql5sim::sim().orders.size(); }
inline ulong OrderGetTicket(int index) {
  mql5sim::Sim &s = mql5sim::sim();
  s.order_selected_ok = index >= 0 && index < (int)s.orders.size();
  if (!s.order_selected_ok) {
    s.last_error = ERR_TRADE_ORDER_NOT_FOUND;
    return 0;
  }
  s.order_selected = s.orders[(size_t)index];
  return s.order_selected.ticket;
}
inline bool OrderSelect(ulong ticket) {
  mql5sim::Sim &s = mql5sim::sim();
  s.order_selected_ok = false;
  for (auto &o : s.orders)
    if (o.ticket == ticket) {
      s.order_selected = o;
      s.order_selected_ok = true;
    }
  if (!s.order_selected_ok) s.last_error = ERR_TRADE_ORDER_NOT_FOUND;
  return s.order_selected_ok;
}
inline long OrderGetInteger(ENUM_ORDER_PROPERTY_INTEGER p) {
  mql5sim::Sim &s = mql5sim::sim();
  if (!s.order_selected_ok) return 0;
  const mql5sim::Order &o = s.order_selected;
  switch (p) {
    case ORDER_TICKET: return (long)o.ticket;
    case ORDER_TIME_SETUP_MSC: return o.setup_msc;
    case ORDER_TYPE: return (long)o.request.type;
    case ORDER_STATE: return (long)ORDER_STATE_PLACED;
    case ORDER_MAGIC: return (long)o.request.magic;
    case ORDER_POSITION_ID: return (long)o.request.position;
  }
  return 0;
}
inline double OrderGetDouble(ENUM_ORDER_PROPERTY_DOUBLE p) {
  mql5sim::Sim &s = mql5sim::sim();
  if (!s.order_selected_ok) return 0;
  switch (p) {
    case ORDER_VOLUME_INITIAL: return s.order_selected.request.volume;
    case ORDER_VOLUME_CURRENT: return s.order_selected.request.volume;
    case ORDER_PRICE_OPEN: return s.order_selected.request.price;
  }
  return 0;
}
inline string OrderGetString(ENUM_ORDER_PROPERTY_STRING p) {
  mql5sim::Sim &s = mql5sim::sim();
  if (!s.order_selected_ok) return "";
  return p == ORDER_SYMBOL ? s.order_selected.request.symbol : s.order_selected.request.comment;
}

//--- trading: market deals, filled at once (10009) or accepted and filled later (10008)
inline bool OrderSend(const MqlTradeRequest &r, MqlTradeResult &res) {
  mql5sim::Sim &s = mql5sim::sim();
  res = MqlTradeResult{};
  auto reject = [&](uint code) {
    res.retcode = code;
    s.trades.push_back({r, code});
    return false;
  };
  if (!s.terminal_trade_allowed || !s.mql_trade_allowed) return reject(TRADE_RETCODE_CLIENT_DISABLES_AT);
  if (r.action != TRADE_ACTION_DEAL || !s.symbols.count(r.symbol)) return reject(TRADE_RETCODE_INVALID);
  if (r.type != ORDER_TYPE_BUY && r.type != ORDER_TYPE_SELL) return reject(TRADE_RETCODE_INVALID);
  mql5sim::Symbol &sym = s.symbol(r.symbol);
  if (!sym.market_open) return reject(TRADE_RETCODE_MARKET_CLOSED);
  double steps = r.volume / sym.vol_step;
  if (!(r.volume > 0) || r.volume < sym.vol_min - 1e-9 || r.volume > sym.vol_max + 1e-9 ||
      std::fabs(steps - std::round(steps)) > 1e-6)
    return reject(TRADE_RETCODE_INVALID_VOLUME);
  bool fill_ok = (r.type_filling == ORDER_FILLING_FOK && (sym.filling & SYMBOL_FILLING_FOK)) ||
                 (r.type_filling == ORDER_FILLING_IOC && (sym.filling & SYMBOL_FILLING_IOC)) ||
                 (r.type_filling == ORDER_FILLING_RETURN && sym.filling == 0);
  if (!fill_ok || (sym.refused_fillings & (1L << (int)r.type_filling)) != 0)
    return reject(TRADE_RETCODE_INVALID_FILL);
  double expected = r.type == ORDER_TYPE_BUY ? sym.ask : sym.bid;
  if (std::fabs(r.price - expected) > (double)r.deviation * sym.point + 1e-12)
    return reject(TRADE_RETCODE_INVALID_PRICE);
  if (r.position != 0) {
    mql5sim::Position *p = s.find(r.position);
    if (p == nullptr || p->symbol != r.symbol) return reject(TRADE_RETCODE_POSITION_CLOSED);
    bool opposite = (p->type == POSITION_TYPE_BUY) == (r.type == ORDER_TYPE_SELL);
    if (!opposite) return reject(TRADE_RETCODE_INVALID);
    if (r.volume > p->volume + 1e-9) return reject(TRADE_RETCODE_INVALID_CLOSE_VOLUME);
    if (s.hedging)
      for (auto &o : s.orders)
        if (o.request.position == r.position) return reject(TRADE_RETCODE_CLOSE_ORDER_EXIST);
  }
  if (s.place_delay_ms >= 0) {  // accepted, filled later: 10008 with the order ticket, no deal
    mql5sim::Order o{s.next_ticket++, r, s.gmt_ms + s.place_delay_ms, s.now_msc()};
    s.orders.push_back(o);
    res.retcode = TRADE_RETCODE_PLACED;
    res.order = o.ticket;
    res.volume = r.volume;
    res.bid = sym.bid;
    res.ask = sym.ask;
    s.trades.push_back({r, TRADE_RETCODE_PLACED});
    return true;
  }
  if (s.positions_lag && !s.shown_valid) {
    s.shown = s.positions;
    s.shown_valid = true;
  }
  double price = 0;
  ulong ticket = s.fill(r.symbol, r.type, r.volume, r.position, r.magic, r.comment, price);
  res.retcode = TRADE_RETCODE_DONE;
  res.order = s.next_ticket++;
  res.deal = s.next_ticket++;
  res.volume = r.volume;
  res.price = price;
  res.bid = sym.bid;
  res.ask = sym.ask;
  s.trades.push_back({r, TRADE_RETCODE_DONE});
  s.queue_transactions(r.symbol, r.type, r.volume, ticket, price, res.order, res.deal);
  mql5sim::Event e{};
  e.kind = mql5sim::Event::TRADE;
  e.trans.type = TRADE_TRANSACTION_REQUEST;
  e.request = r;
  e.result = res;
  s.queue.push_back(e);
  return true;
}

//--- terminal global variables
inline datetime GlobalVariableSet(const string &name, double value) {
  mql5sim::sim().globals[name] = value;
  return TimeCurrent();
}
inline double GlobalVariableGet(const string &name) {
  auto &g = mql5sim::sim().globals;
  auto it = g.find(name);
  if (it == g.end()) {
    mql5sim::sim().last_error = ERR_GLOBALVARIABLE_NOT_FOUND;
    return 0;
  }
  return it->second;
}
inline bool GlobalVariableCheck(const string &name) { return mql5sim::sim().globals.count(name) > 0; }
inline bool GlobalVariableTemp(const string &name) {  // lives until the terminal closes
  auto &g = mql5sim::sim().globals;
  if (!g.count(name)) g[name] = 0.0;
  return true;
}
inline bool GlobalVariableSetOnCondition(const string &name, double value, double check_value) {
  auto &g = mql5sim::sim().globals;  // atomic in the terminal: set only if it equals check_value
  auto it = g.find(name);
  if (it == g.end() || it->second != check_value) return false;
  it->second = value;
  return true;
}
inline bool GlobalVariableDel(const string &name) { return mql5sim::sim().globals.erase(name) > 0; }

//--- files: only FILE_COMMON, on real disk under <Common>/Files
inline bool FileIsExist(const string &name, int common_flag = 0) {
  return std::filesystem::is_regular_file(mql5sim::sim().disk_path(name, (common_flag & FILE_COMMON) != 0));
}
inline int FileOpen(const string &name, int flags, short delimiter = '\t', uint codepage = CP_ACP) {
  (void)delimiter;
  (void)codepage;
  mql5sim::Sim &s = mql5sim::sim();
  string path = s.disk_path(name, (flags & FILE_COMMON) != 0);
  s.file_ops.push_back("open " + std::to_string(flags) + " " + name);
  for (auto &kv : s.handles) {
    if (kv.second.path == path && mql5sim::share_conflict(flags, kv.second.flags)) {
      s.last_error = ERR_CANNOT_OPEN_FILE;
      return INVALID_HANDLE;
    }
  }
  mql5sim::Handle h;
  h.path = path;
  h.flags = flags;
  h.external = false;
  if (flags & FILE_WRITE) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream f(path, std::ios::binary | std::ios::trunc);  // FILE_WRITE without READ truncates now
    if (!f) {
      s.last_error = ERR_CANNOT_OPEN_FILE;
      return INVALID_HANDLE;
    }
  } else {
    std::ifstream f(path, std::ios::binary);
    if (!f) {
      s.last_error = ERR_FILE_NOT_EXIST;
      return INVALID_HANDLE;
    }
    std::stringstream ss;
    ss << f.rdbuf();
    h.data = (flags & (FILE_ANSI | FILE_BIN)) ? ss.str() : mql5sim::decode_unicode(ss.str());
  }
  int id = s.next_handle++;
  s.handles[id] = h;
  return id;
}
inline mql5sim::Handle *file_handle(int id) {
  auto &m = mql5sim::sim().handles;
  auto it = m.find(id);
  if (it == m.end() || it->second.external) {
    mql5sim::sim().last_error = ERR_INVALID_FILEHANDLE;
    return nullptr;
  }
  return &it->second;
}
inline void FileFlush(int id) {
  mql5sim::Handle *h = file_handle(id);
  if (h == nullptr || !(h->flags & FILE_WRITE)) return;
  std::ofstream f(h->path, std::ios::binary | std::ios::app);
  f << h->data;
  h->data.clear();
}
inline void FileClose(int id) {
  FileFlush(id);
  mql5sim::sim().handles.erase(id);
}
inline bool FileIsEnding(int id) {
  mql5sim::Handle *h = file_handle(id);
  return h == nullptr || h->pos >= h->data.size();
}
inline string FileReadString(int id, int length = -1) {
  (void)length;
  mql5sim::Handle *h = file_handle(id);
  if (h == nullptr) return "";
  string line;
  while (h->pos < h->data.size()) {
    char c = h->data[h->pos++];
    if (c == '\n') break;
    if (c == '\r' && h->pos < h->data.size() && h->data[h->pos] == '\n') {
      h->pos++;
      break;
    }
    line.push_back(c);
  }
  return line;
}
inline uint FileWriteString(int id, const string &text, int length = -1) {
  (void)length;
  mql5sim::Handle *h = file_handle(id);
  if (h == nullptr || !(h->flags & FILE_WRITE)) return 0;
  string out = text;
  if (h->flags & (FILE_TXT | FILE_CSV)) {  // MQL5 adds the '\r' before a lone '\n' in text files
    out.clear();
    for (size_t i = 0; i < text.size(); i++) {
      if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out.push_back('\r');
      out.push_back(text[i]);
    }
  }
  if (h->flags & (FILE_ANSI | FILE_BIN)) {
    h->data += out;
  } else {  // two bytes per character without FILE_ANSI
    for (char c : out) {
      h->data.push_back(c);
      h->data.push_back('\0');
    }
  }
  if (mql5sim::sim().on_file_write) mql5sim::sim().on_file_write(h->path);
  return (uint)text.size();
}
inline bool FileMove(const string &src, int common_flag, const string &dst, int mode_flags) {
  mql5sim::Sim &s = mql5sim::sim();
  string from = s.disk_path(src, (common_flag & FILE_COMMON) != 0);
  string to = s.disk_path(dst, (mode_flags & FILE_COMMON) != 0);
  s.file_ops.push_back("move " + src + " " + dst);
  if (std::filesystem::exists(to) && !(mode_flags & FILE_REWRITE)) {
    s.last_error = ERR_FILE_CANNOT_REWRITE;
    return false;
  }
  for (auto &kv : s.handles) {
    if (kv.second.path == to || kv.second.path == from) {  // Windows: open files cannot be replaced
      s.last_error = ERR_CANNOT_OPEN_FILE;
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(from, to, ec);
  if (ec) {
    s.last_error = ERR_CANNOT_OPEN_FILE;
    return false;
  }
  return true;
}
inline bool FileDelete(const string &name, int common_flag = 0) {
  return std::filesystem::remove(mql5sim::sim().disk_path(name, (common_flag & FILE_COMMON) != 0));
}

#endif  // LCA_MQL5_SHIM_H
