//+------------------------------------------------------------------+
//| LgSend.mqh - send closing deals: filling fallback, closes in flight |
//| Part of LiquidityGuard (lca).                                    |
//+------------------------------------------------------------------+
// A close is a raw OrderSend deal with position = ticket and the guard's magic number.
// Filling: the modes the symbol's bits allow, FOK first, then IOC; RETURN when neither bit is set
// or the symbol is not on market execution (as lca's Python executor does). A 10030 (invalid
// filling) answer is retried at once with the next mode.
// In flight: a 10008 (placed) answer means the server accepted the order but has not filled it
// yet. Until that order has left the terminal's list of orders and the position shows the change,
// nothing more is sent (a resend would close twice); the same holds for any own order still
// pending, also one left from before the EA was re-attached.

struct LgPosition
  {
   ulong             ticket;
   string            symbol;
   long              type;
   double            volume;
   double            price;
   long              time_msc;
  };

//--- after a refused close (market closed, no connection, ...) wait before sending again, and say
//--- the same failure once a minute, not on every timer tick
#define LG_RETRY_AFTER_SEC 2
#define LG_REPEAT_FAILURE_SEC 60
//--- a placed close whose order left the list without the position changing is waited for this long
#define LG_INFLIGHT_SEC 10
long     g_retry_after = 0;
string   g_last_failure = "";
long     g_last_failure_time = 0;
bool     g_algo_off_reported = false;
//--- closes answered 10008: position, its volume when sent, the order, when (TimeGMT)
ulong    g_fl_tickets[];
double   g_fl_volumes[];
ulong    g_fl_orders[];
long     g_fl_since[];
string   g_fl_reported = "";

//--- the filling modes to try, in order (ORDER_FILLING_* values); returns how many
int LgFillings(const string symbol, ENUM_ORDER_TYPE_FILLING &modes[])
  {
   long bits = SymbolInfoInteger(symbol, SYMBOL_FILLING_MODE);
   int n = 0;
   ArrayResize(modes, 3);
   if((bits & SYMBOL_FILLING_FOK) != 0)
     {
      modes[n] = ORDER_FILLING_FOK;
      n++;
     }
   if((bits & SYMBOL_FILLING_IOC) != 0)
     {
      modes[n] = ORDER_FILLING_IOC;
      n++;
     }
   if(n == 0 || SymbolInfoInteger(symbol, SYMBOL_TRADE_EXEMODE) != SYMBOL_TRADE_EXECUTION_MARKET)
     {
      modes[n] = ORDER_FILLING_RETURN;
      n++;
     }
   ArrayResize(modes, n);
   return n;
  }

//--- Algo Trading must be on in the terminal and for this EA; reported once per change
bool LgTradingAllowed()
  {
   bool allowed = TerminalInfoInteger(TERMINAL_TRADE_ALLOWED) != 0 && MQLInfoInteger(MQL_TRADE_ALLOWED) != 0;
   if(!allowed && !g_algo_off_reported)
     {
      Print("LiquidityGuard: Algo Trading is OFF, so the guard cannot close anything. Press 'Algo Trading' on the toolbar and tick 'Allow Algo Trading' in the EA's properties.");
      g_algo_off_reported = true;
     }
   if(allowed && g_algo_off_reported)
     {
      Print("LiquidityGuard: Algo Trading is on again; the limits are enforced.");
      g_algo_off_reported = false;
     }
   return allowed;
  }

//--- an own order (the guard's magic) still in the terminal's list of orders; 0 = none
ulong LgOwnOrderPending()
  {
   int total = OrdersTotal();
   for(int i = 0; i < total; i++)
     {
      ulong order = OrderGetTicket(i);
      if(order != 0 && OrderGetInteger(ORDER_MAGIC) == InpMagic)
         return order;
     }
   return 0;
  }

//--- forget in-flight record k
void LgForgetInFlight(const int k)
  {
   int n = ArraySize(g_fl_tickets);
   for(int i = k; i < n - 1; i++)
     {
      g_fl_tickets[i] = g_fl_tickets[i + 1];
      g_fl_volumes[i] = g_fl_volumes[i + 1];
      g_fl_orders[i] = g_fl_orders[i + 1];
      g_fl_since[i] = g_fl_since[i + 1];
     }
   ArrayResize(g_fl_tickets, n - 1);
   ArrayResize(g_fl_volumes, n - 1);
   ArrayResize(g_fl_orders, n - 1);
   ArrayResize(g_fl_since, n - 1);
  }

//--- true while a close may still execute: an own order pending, or a placed close whose position
//--- does not show the change yet; said once per order
bool LgCloseInFlight()
  {
   ulong order = LgOwnOrderPending();
   long now = (long)TimeGMT();
   for(int k = ArraySize(g_fl_tickets) - 1; k >= 0 && order == 0; k--)
     {
      bool changed = !PositionSelectByTicket(g_fl_tickets[k])
                     || MathAbs(PositionGetDouble(POSITION_VOLUME) - g_fl_volumes[k]) > 1e-9;
      if(changed || now - g_fl_since[k] >= LG_INFLIGHT_SEC)
         LgForgetInFlight(k);
      else
         order = g_fl_orders[k];
     }
   if(order == 0)
     {
      if(g_fl_reported != "")
         Print("LiquidityGuard: no close in flight any more; the limits are checked again");
      g_fl_reported = "";
      return false;
     }
   string what = StringFormat("#%I64u", order);
   if(what != g_fl_reported)
     {
      PrintFormat("LiquidityGuard: close order %s is in flight (placed, not filled yet): nothing more is sent until it is filled or gone", what);
      g_fl_reported = what;
     }
   return true;
  }

//--- close `volume` lots of a position with an opposite deal; true when the server filled it or
//--- accepted it (10008: then it is in flight and the pass stops)
bool LgClose(const LgPosition &p, const double volume, const string why)
  {
   MqlTradeRequest request;
   MqlTradeResult result;
   ZeroMemory(request);
   ZeroMemory(result);
   request.action = TRADE_ACTION_DEAL;
   request.position = p.ticket;
   request.symbol = p.symbol;
   request.volume = volume;
   request.deviation = (ulong)InpDeviationPoints;
   request.magic = (ulong)InpMagic;
   request.comment = "lca guard";
   ENUM_ORDER_TYPE_FILLING modes[];
   int n_modes = LgFillings(p.symbol, modes);
   bool sent = false;
   for(int m = 0; m < n_modes; m++)
     {
      request.type_filling = modes[m];
      if(p.type == POSITION_TYPE_BUY)
        {
         request.type = ORDER_TYPE_SELL;
         request.price = SymbolInfoDouble(p.symbol, SYMBOL_BID);
        }
      else
        {
         request.type = ORDER_TYPE_BUY;
         request.price = SymbolInfoDouble(p.symbol, SYMBOL_ASK);
        }
      ZeroMemory(result);
      ResetLastError();
      sent = OrderSend(request, result);
      if(result.retcode != TRADE_RETCODE_INVALID_FILL)
         break;
     }
   if(sent && (result.retcode == TRADE_RETCODE_DONE || result.retcode == TRADE_RETCODE_DONE_PARTIAL))
     {
      PrintFormat("LiquidityGuard: closed %.2f of %.2f lots of %s position #%I64u (%s)",
                  volume, p.volume, p.symbol, p.ticket, why);
      return true;
     }
   long now = (long)TimeGMT();
   if(sent && result.retcode == TRADE_RETCODE_PLACED)
     {
      int k = ArraySize(g_fl_tickets);
      ArrayResize(g_fl_tickets, k + 1);
      ArrayResize(g_fl_volumes, k + 1);
      ArrayResize(g_fl_orders, k + 1);
      ArrayResize(g_fl_since, k + 1);
      g_fl_tickets[k] = p.ticket;
      g_fl_volumes[k] = p.volume;
      g_fl_orders[k] = result.order;
      g_fl_since[k] = now;
      PrintFormat("LiquidityGuard: close of %.2f of %.2f lots of %s position #%I64u placed as order #%I64u (retcode 10008, %s): waiting for its fill",
                  volume, p.volume, p.symbol, p.ticket, result.order, why);
      return true;
     }
   g_retry_after = now + LG_RETRY_AFTER_SEC;
   string failure = StringFormat("%s #%I64u retcode %u", p.symbol, p.ticket, result.retcode);
   if(failure != g_last_failure || now - g_last_failure_time >= LG_REPEAT_FAILURE_SEC)
     {
      PrintFormat("LiquidityGuard: FAILED to close %.2f lots of %s position #%I64u (%s): retcode %u, error %d; retrying every %d s",
                  volume, p.symbol, p.ticket, why, result.retcode, GetLastError(), LG_RETRY_AFTER_SEC);
      g_last_failure = failure;
      g_last_failure_time = now;
     }
   return false;
  }
//+------------------------------------------------------------------+
