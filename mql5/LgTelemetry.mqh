//+------------------------------------------------------------------+
//| LgTelemetry.mqh - sample quotes and depth, write telemetry.txt   |
//| Part of LiquidityGuard (lca). See PROTOCOL.md.                   |
//+------------------------------------------------------------------+
// Samples on every book event, tick and timer. Most FX symbols have no broker depth: book events
// may never come and MarketBookGet returns nothing; the file then says levels=0 and lca falls back
// to its bid/ask proxy. The file is written to a .tmp file and moved over the target (atomic).

#define LG_TELEMETRY_MAGIC "lca-telemetry 1"
#define LG_TELEMETRY_MAGIC_V2 "lca-telemetry 2"
#define LG_EVENT_COLUMNS "time_utc;currency;importance;event_id;name"
#define LG_TELEMETRY_COLUMNS "symbol;quote_utc;bid;ask;spread_min;spread_mean;spread_max;bid_depth;ask_depth;levels;tick_count;tick_volume"

struct LgSymbolStats
  {
   string            name;
   bool              book;
   double            bid;
   double            ask;
   long              last_msc;
   long              quote_utc;
   double            spread_min;
   double            spread_max;
   double            spread_sum;
   long              spread_n;
   double            bid_depth;
   double            ask_depth;
   int               levels;
   long              tick_count;
   long              tick_volume;
  };

LgSymbolStats g_stats[];
string   g_unknown_symbols[];
long     g_tel_sequence = 0;
long     g_tel_written = 0;
string   g_tel_problem = "";

//--- index of a sampled symbol, -1 when it is not sampled
int LgStatsIndex(const string symbol)
  {
   int n = ArraySize(g_stats);
   for(int i = 0; i < n; i++)
     {
      if(g_stats[i].name == symbol)
         return i;
     }
   return -1;
  }

//--- start sampling a symbol (and subscribe to its book, which may never deliver)
int LgStatsAdd(const string symbol)
  {
   int i = LgStatsIndex(symbol);
   if(i >= 0 || StringLen(symbol) == 0)
      return i;
   if(!SymbolSelect(symbol, true))
     {
      int u = ArraySize(g_unknown_symbols);
      for(int k = 0; k < u; k++)
        {
         if(g_unknown_symbols[k] == symbol)
            return -1;
        }
      ArrayResize(g_unknown_symbols, u + 1);
      g_unknown_symbols[u] = symbol;
      PrintFormat("LiquidityGuard: symbol %s is unknown to this terminal (a broker suffix?); not sampled", symbol);
      return -1;
     }
   i = ArraySize(g_stats);
   ArrayResize(g_stats, i + 1);
   g_stats[i].name = symbol;
   g_stats[i].book = MarketBookAdd(symbol);
   g_stats[i].bid = 0.0;
   g_stats[i].ask = 0.0;
   g_stats[i].last_msc = 0;
   g_stats[i].quote_utc = 0;
   g_stats[i].spread_min = 0.0;
   g_stats[i].spread_max = 0.0;
   g_stats[i].spread_sum = 0.0;
   g_stats[i].spread_n = 0;
   g_stats[i].bid_depth = 0.0;
   g_stats[i].ask_depth = 0.0;
   g_stats[i].levels = 0;
   g_stats[i].tick_count = 0;
   g_stats[i].tick_volume = 0;
   return i;
  }

//--- take the latest quote; a new tick adds to the spread statistics and the tick count
void LgSampleQuote(const int i)
  {
   MqlTick tick;
   if(!SymbolInfoTick(g_stats[i].name, tick) || tick.bid <= 0.0 || tick.ask <= 0.0)
      return;
   g_stats[i].bid = tick.bid;
   g_stats[i].ask = tick.ask;
   if(tick.time_msc == g_stats[i].last_msc)
      return;
   g_stats[i].last_msc = tick.time_msc;
   g_stats[i].quote_utc = (long)TimeGMT();
   g_stats[i].tick_count++;
   g_stats[i].tick_volume += (long)tick.volume;
   double spread = tick.ask - tick.bid;
   if(g_stats[i].spread_n == 0 || spread < g_stats[i].spread_min)
      g_stats[i].spread_min = spread;
   if(g_stats[i].spread_n == 0 || spread > g_stats[i].spread_max)
      g_stats[i].spread_max = spread;
   g_stats[i].spread_sum += spread;
   g_stats[i].spread_n++;
  }

//--- sum the volume of the top InpDepthLevels levels of each side of the book
void LgSampleBook(const int i)
  {
   MqlBookInfo book[];
   double bid_depth = 0.0;
   double ask_depth = 0.0;
   int bid_levels = 0;
   int ask_levels = 0;
   if(g_stats[i].book && MarketBookGet(g_stats[i].name, book))
     {
      int n = ArraySize(book);
      //--- the book is sorted by price, highest first: asks above bids
      for(int k = n - 1; k >= 0 && ask_levels < InpDepthLevels; k--)
        {
         if(book[k].type == BOOK_TYPE_SELL || book[k].type == BOOK_TYPE_SELL_MARKET)
           {
            double v = book[k].volume_real > 0.0 ? book[k].volume_real : (double)book[k].volume;
            ask_depth += v;
            ask_levels++;
           }
        }
      for(int k = 0; k < n && bid_levels < InpDepthLevels; k++)
        {
         if(book[k].type == BOOK_TYPE_BUY || book[k].type == BOOK_TYPE_BUY_MARKET)
           {
            double v = book[k].volume_real > 0.0 ? book[k].volume_real : (double)book[k].volume;
            bid_depth += v;
            bid_levels++;
           }
        }
     }
   g_stats[i].bid_depth = bid_depth;
   g_stats[i].ask_depth = ask_depth;
   g_stats[i].levels = (int)MathMax(bid_levels, ask_levels);
  }

//--- one "s=" line of the telemetry file
string LgTelemetryLine(const int i)
  {
   double smin = g_stats[i].spread_min;
   double smax = g_stats[i].spread_max;
   double smean = 0.0;
   if(g_stats[i].spread_n > 0)
      smean = g_stats[i].spread_sum / (double)g_stats[i].spread_n;
   else
     {
      smin = g_stats[i].ask - g_stats[i].bid;
      smax = smin;
      smean = smin;
     }
   return StringFormat("s=%s;%I64d;%s;%s;%s;%s;%s;%s;%s;%d;%I64d;%I64d", g_stats[i].name, g_stats[i].quote_utc,
                       DoubleToString(g_stats[i].bid, 8), DoubleToString(g_stats[i].ask, 8),
                       DoubleToString(smin, 8), DoubleToString(smean, 8), DoubleToString(smax, 8),
                       DoubleToString(g_stats[i].bid_depth, 2), DoubleToString(g_stats[i].ask_depth, 2),
                       g_stats[i].levels, g_stats[i].tick_count, g_stats[i].tick_volume);
  }

//--- the base and profit currencies of every sampled symbol, each once (the calendar's filter)
void LgBookCurrencies(string &out[])
  {
   ArrayResize(out, 0);
   int n = ArraySize(g_stats);
   for(int i = 0; i < n; i++)
     {
      for(int side = 0; side < 2; side++)
        {
         string c = SymbolInfoString(g_stats[i].name, side == 0 ? SYMBOL_CURRENCY_BASE : SYMBOL_CURRENCY_PROFIT);
         if(StringLen(c) == 0 || LgCalWanted(c, out))
            continue;
         int k = ArraySize(out);
         ArrayResize(out, k + 1);
         out[k] = c;
        }
     }
  }

//--- log a telemetry problem once
void LgTelemetryProblem(const string problem)
  {
   if(problem == g_tel_problem)
      return;
   g_tel_problem = problem;
   if(problem != "")
      PrintFormat("LiquidityGuard: %s; lca sees no fresh depth or spread from the EA", problem);
  }

//--- write telemetry.txt atomically (tmp file, then move over) and restart the statistics
void LgWriteTelemetry(const string folder, const bool failsafe, const bool trade_allowed)
  {
   long now = (long)TimeGMT();
   bool v2 = InpCalendarHours > 0;  // version 2 carries the calendar; 0 hours = version 1
   string events[];
   int e = v2 ? LgCalendarLines(now, events) : 0;
   string lines[];
   int n = ArraySize(g_stats);
   int head = v2 ? 11 : 8;
   int total = head + n + e;
   ArrayResize(lines, total);
   lines[0] = v2 ? LG_TELEMETRY_MAGIC_V2 : LG_TELEMETRY_MAGIC;
   lines[1] = StringFormat("sequence=%I64d", g_tel_sequence + 1);
   lines[2] = StringFormat("written_utc=%I64d", now);
   lines[3] = failsafe ? "mode=failsafe" : "mode=normal";
   lines[4] = StringFormat("limits_sequence=%I64d", g_lim_ok ? g_lim_sequence : 0);
   lines[5] = StringFormat("heartbeat_utc=%I64d", g_lim_ok ? g_lim_heartbeat : 0);
   lines[6] = trade_allowed ? "trade_allowed=1" : "trade_allowed=0";
   if(v2)
     {
      lines[7] = StringFormat("calendar_utc=%I64d", g_cal_read_utc);
      lines[8] = StringFormat("calendar_hours=%d", InpCalendarHours);
      lines[9] = StringFormat("columns=%s", LG_TELEMETRY_COLUMNS);
      lines[10] = StringFormat("event_columns=%s", LG_EVENT_COLUMNS);
     }
   else
      lines[7] = StringFormat("columns=%s", LG_TELEMETRY_COLUMNS);
   for(int i = 0; i < n; i++)
      lines[head + i] = LgTelemetryLine(i);
   for(int i = 0; i < e; i++)
      lines[head + n + i] = events[i];
   long hash = 0;
   for(int i = 0; i < total; i++)
      hash = LgHashLine(hash, lines[i]);
   string tmp_path = folder + "\\telemetry.tmp";
   string path = folder + "\\telemetry.txt";
   ResetLastError();
   int h = FileOpen(tmp_path, FILE_WRITE | FILE_TXT | FILE_ANSI | FILE_COMMON);
   if(h == INVALID_HANDLE)
     {
      LgTelemetryProblem(StringFormat("cannot write Common\\Files\\%s (error %d)", tmp_path, GetLastError()));
      return;
     }
   for(int i = 0; i < total; i++)
      FileWriteString(h, lines[i] + "\r\n");
   FileWriteString(h, StringFormat("end=%I64d;%I64d\r\n", g_tel_sequence + 1, hash));
   FileClose(h);
   ResetLastError();
   if(!FileMove(tmp_path, FILE_COMMON, path, FILE_COMMON | FILE_REWRITE))
     {
      LgTelemetryProblem(StringFormat("cannot replace Common\\Files\\%s (error %d)", path, GetLastError()));
      return;
     }
   LgTelemetryProblem("");
   g_tel_sequence++;
   g_tel_written = now;
   for(int i = 0; i < n; i++)
     {
      g_stats[i].spread_n = 0;
      g_stats[i].spread_sum = 0.0;
      g_stats[i].spread_min = 0.0;
      g_stats[i].spread_max = 0.0;
      g_stats[i].tick_count = 0;
      g_stats[i].tick_volume = 0;
     }
  }
//+------------------------------------------------------------------+
