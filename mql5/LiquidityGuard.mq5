//+------------------------------------------------------------------+
//| LiquidityGuard.mq5 - the lca guard EA                            |
//| Keeps an account inside lca's limits from inside the terminal,   |
//| also when the Python process is dead. MIT licence.               |
//+------------------------------------------------------------------+
// What it does, every InpTimerMs milliseconds and on every trade transaction:
//  1. reads Common\Files\lca\limits.txt (written by lca; see PROTOCOL.md), keeping the last good file;
//  2. fail-safe when lca's heartbeat is older than InpHeartbeatTimeoutSec (checked with TimeGMT):
//     the EA's own hard limits apply, new exposure is closed at once, global variable lca.failsafe = 1;
//  3. cuts any symbol's volume above its cap and holds the account's effective leverage cap and MSI
//     floor, newest position first; closes any new position while a prop lock is on or lca
//     allows no new exposure;
//  4. samples spread and depth of market and writes Common\Files\lca\telemetry.txt for lca,
//     with the coming high and medium events of MT5's economic calendar for the book's currencies;
//  5. pushes lca's alerts from Common\Files\lca\notify.txt to the phone (SendNotification),
//     each once, within MT5's rate limit, and its own fail-safe entry and exit.
// It never opens a position. Algo Trading must be on, or it can only warn.
// The file is written in the subset of MQL5 that is also C++: tests/mql5 compiles and tests it.
#property copyright "lca contributors (MIT licence)"
#property version   "1.00"
#property description "Guard EA of lca: enforces leverage and volume caps, fail-safe when lca stops."

input group "Hard limits (always apply; lca can only tighten them)"
input double InpMaxEffLev = 3.0;            // Max effective leverage (position value / equity), 0 = none
input double InpMsiFloor = 1.2;             // MSI floor (equity / margin; 1.2 = 120% margin level), 0 = none
input double InpMaxLotsPerSymbol = 10.0;    // Max lots per symbol (buys + sells), 0 = none
input group "Link with lca"
input int    InpHeartbeatTimeoutSec = 30;   // Fail-safe after this many seconds without a heartbeat
input int    InpTelemetrySec = 1;           // Write telemetry every N seconds
input string InpFolder = "lca";             // Folder of the link files under Common\Files
input string InpSymbols = "";               // More symbols to sample, comma-separated (chart symbol always)
input int    InpDepthLevels = 5;            // Book levels summed per side
input int    InpTimerMs = 250;              // Check interval, milliseconds
input int    InpCalendarHours = 24;         // List the broker's calendar events this many hours ahead for lca, 0 = off
input int    InpCalendarRefreshSec = 60;    // Read the economic calendar every N seconds
input group "Closing deals"
input long   InpMagic = 5051;               // Magic number of the guard's closing deals
input int    InpDeviationPoints = 50;       // Max slippage of a closing deal, points

#define LG_GV_FAILSAFE "lca.failsafe"
#define LG_GV_GUARD "lca.guard_chart"

#include "LgText.mqh"
#include "LgLimits.mqh"
#include "LgValue.mqh"
#include "LgSend.mqh"
#include "LgEnforce.mqh"
#include "LgCalendar.mqh"
#include "LgTelemetry.mqh"
#include "LgNotify.mqh"

bool g_failsafe = false;
bool g_started = false;

//--- fail-safe when the last good heartbeat is older (or further in the future) than the timeout
void LgUpdateMode()
  {
   long now = (long)TimeGMT();
   long age = now - g_lim_heartbeat;
   bool fresh = g_lim_ok && age <= InpHeartbeatTimeoutSec && age >= -InpHeartbeatTimeoutSec;
   if(!fresh && (!g_failsafe || !g_started))
     {
      if(g_started && g_lim_ok)
         LgNotifyQueue(StringFormat("LiquidityGuard %I64d: FAIL-SAFE, no heartbeat from lca for %I64d s (is lca running?): the EA's hard limits apply and new positions are closed",
                                    AccountInfoInteger(ACCOUNT_LOGIN), age), 0);
      g_failsafe = true;
      GlobalVariableSet(LG_GV_FAILSAFE, 1.0);
      if(!g_lim_ok)
         PrintFormat("LiquidityGuard: FAIL-SAFE: no heartbeat from lca yet. Own hard limits apply (max leverage %.2f, MSI floor %.2f, %.2f lots per symbol) and new positions are closed.",
                     InpMaxEffLev, InpMsiFloor, InpMaxLotsPerSymbol);
      else
         PrintFormat("LiquidityGuard: FAIL-SAFE: lca's last heartbeat is %I64d s old (timeout %d s): is lca running? Hard limits apply and new positions are closed.",
                     age, InpHeartbeatTimeoutSec);
     }
   else
      if(fresh && (g_failsafe || !g_started))
        {
         if(g_failsafe)
           {
            PrintFormat("LiquidityGuard: back to NORMAL: fresh heartbeat from lca (limits sequence %I64d)", g_lim_sequence);
            if(g_started)
               LgNotifyQueue(StringFormat("LiquidityGuard %I64d: back to normal, lca is running again", AccountInfoInteger(ACCOUNT_LOGIN)), 0);
           }
         g_failsafe = false;
         GlobalVariableSet(LG_GV_FAILSAFE, 0.0);
        }
   g_started = true;
  }

//--- this chart as a number a terminal global variable (a double) holds exactly
double LgChartToken()
  {
   return (double)(ChartID() % 1000000000000 + 1);
  }

//--- one guard per terminal: a second copy would close every excess twice
bool LgClaimTerminal()
  {
   if(!GlobalVariableCheck(LG_GV_GUARD))
      GlobalVariableTemp(LG_GV_GUARD);
   if(GlobalVariableSetOnCondition(LG_GV_GUARD, LgChartToken(), 0.0))
      return true;
   return GlobalVariableGet(LG_GV_GUARD) == LgChartToken();
  }

//--- check the mode, then cut whatever breaks the limits. After a step that closed something
//--- the pass stops: the terminal may not show the new volumes yet, and a second step working
//--- from stale positions could close twice. The deal's own transaction (or the timer) re-checks.
void LgEnforce()
  {
   LgUpdateMode();
   string why = "fail-safe";
   if(!g_failsafe)
      why = g_lim_prop_lock ? "prop lock" : "lca allows no new exposure";
   LgUpdateBlocking(g_failsafe || (g_lim_ok && (g_lim_prop_lock || !g_lim_new_exposure)), why);
   if(!LgTradingAllowed() || (long)TimeGMT() < g_retry_after)
      return;
   if(LgCloseInFlight())
      return;
   if(g_blocking && LgCutNewExposure(why) > 0)
      return;
   if(LgCutSymbolCaps() > 0)
      return;
   LgCutAccountCaps();
  }

//--- the symbols to sample: the chart's, the input list, lca's caps and every open position's
void LgEnsureSymbols()
  {
   LgStatsAdd(_Symbol);
   if(StringLen(InpSymbols) > 0)
     {
      string names[];
      int n = StringSplit(InpSymbols, ',', names);
      for(int i = 0; i < n; i++)
        {
         string name = names[i];
         StringTrimLeft(name);
         StringTrimRight(name);
         LgStatsAdd(name);
        }
     }
   int count = ArraySize(g_lim_names);
   for(int i = 0; i < count; i++)
      LgStatsAdd(g_lim_names[i]);
   int total = PositionsTotal();
   for(int i = 0; i < total; i++)
     {
      if(PositionGetTicket(i) != 0)
         LgStatsAdd(PositionGetString(POSITION_SYMBOL));
     }
  }

int OnInit()
  {
   if(InpHeartbeatTimeoutSec < 5 || InpTelemetrySec < 1 || InpTimerMs < 20 || InpDepthLevels < 1
      || InpMaxEffLev < 0.0 || InpMsiFloor < 0.0 || InpMaxLotsPerSymbol < 0.0 || StringLen(InpFolder) == 0
      || InpCalendarHours < 0 || InpCalendarHours > 168 || InpCalendarRefreshSec < 10)
     {
      Print("LiquidityGuard: invalid inputs: heartbeat timeout >= 5 s, telemetry >= 1 s, timer >= 20 ms, depth levels >= 1, limits >= 0, a folder name, calendar hours 0 to 168 and a calendar refresh >= 10 s are required");
      return INIT_PARAMETERS_INCORRECT;
     }
   if(!LgClaimTerminal())
     {
      Print("LiquidityGuard: another LiquidityGuard already guards this terminal (see global variable lca.guard_chart); remove this copy: two guards would close every excess twice");
      return INIT_FAILED;
     }
   PrintFormat("LiquidityGuard: started on %s. Hard limits: max leverage %.2f, MSI floor %.2f, %.2f lots per symbol; fail-safe after %d s without lca; link files in Common\\Files\\%s",
               _Symbol, InpMaxEffLev, InpMsiFloor, InpMaxLotsPerSymbol, InpHeartbeatTimeoutSec, InpFolder);
   LgReadLimits(InpFolder + "\\limits.txt");
   LgNotifyInit();
   LgEnsureSymbols();
   LgEnforce();
   if(!EventSetMillisecondTimer(InpTimerMs))
     {
      Print("LiquidityGuard: the millisecond timer was refused; checking once a second instead");
      EventSetTimer(1);
     }
   return INIT_SUCCEEDED;
  }

void OnDeinit(const int reason)
  {
   EventKillTimer();
   if(GlobalVariableCheck(LG_GV_GUARD) && GlobalVariableGet(LG_GV_GUARD) == LgChartToken())
      GlobalVariableDel(LG_GV_GUARD);
   int n = ArraySize(g_stats);
   for(int i = 0; i < n; i++)
     {
      if(g_stats[i].book)
         MarketBookRelease(g_stats[i].name);
     }
   PrintFormat("LiquidityGuard: stopped (reason %d). The limits are NOT enforced until it is attached again.", reason);
  }

void OnTimer()
  {
   LgReadLimits(InpFolder + "\\limits.txt");
   LgEnsureSymbols();
   int n = ArraySize(g_stats);
   for(int i = 0; i < n; i++)
     {
      LgSampleQuote(i);
      LgSampleBook(i);
     }
   string currencies[];
   LgBookCurrencies(currencies);
   LgReadCalendar(currencies);
   LgEnforce();
   if((long)TimeGMT() - g_tel_written >= InpTelemetrySec)
      LgWriteTelemetry(InpFolder, g_failsafe, !g_algo_off_reported);
   LgReadNotify(InpFolder + "\\notify.txt");
   LgNotifyFlush();
  }

void OnTick()
  {
   int i = LgStatsIndex(_Symbol);
   if(i >= 0)
      LgSampleQuote(i);
  }

void OnBookEvent(const string &symbol)
  {
   int i = LgStatsIndex(symbol);
   if(i < 0)
      return;
   LgSampleQuote(i);
   LgSampleBook(i);
  }

void OnTradeTransaction(const MqlTradeTransaction &trans, const MqlTradeRequest &request, const MqlTradeResult &result)
  {
//--- any deal or position change, from anyone (manual, other EAs, the server): check at once
   if(trans.type == TRADE_TRANSACTION_DEAL_ADD || trans.type == TRADE_TRANSACTION_POSITION)
      LgEnforce();
  }
//+------------------------------------------------------------------+
