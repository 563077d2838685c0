//+------------------------------------------------------------------+
//| LgEnforce.mqh - cut volume, leverage and new exposure            |
//| Part of LiquidityGuard (lca).                                    |
//+------------------------------------------------------------------+
// An EA cannot veto a trade before it executes: it hears of it in OnTradeTransaction and cuts the
// excess at once, newest position first. Closes are raw OrderSend deals with position = ticket,
// which reduce on hedging and netting accounts alike. Close volumes are rounded UP to the volume
// step (rounding down would leave the cap breached), never below the minimum volume, and a
// remainder below the minimum closes the whole position.

struct LgPosition
  {
   ulong             ticket;
   string            symbol;
   long              type;
   double            volume;
   double            price;
   long              time_msc;
  };

//--- new-exposure block (fail-safe or prop lock): the positions and volumes allowed to remain
bool     g_blocking = false;
ulong    g_base_tickets[];
double   g_base_volumes[];
long     g_base_types[];
bool     g_algo_off_reported = false;
//--- after a refused close (market closed, no connection, ...) wait before sending again, and say
//--- the same failure once a minute, not on every timer tick
#define LG_RETRY_AFTER_SEC 2
#define LG_REPEAT_FAILURE_SEC 60
long     g_retry_after = 0;
string   g_last_failure = "";
long     g_last_failure_time = 0;

//--- open positions, and their indices ordered newest first
int LgCollectPositions(LgPosition &positions[], int &order[])
  {
   int total = PositionsTotal();
   int n = 0;
   ArrayResize(positions, 0);
   for(int i = 0; i < total; i++)
     {
      ulong ticket = PositionGetTicket(i);
      if(ticket == 0 || !PositionSelectByTicket(ticket))
         continue;
      ArrayResize(positions, n + 1);
      positions[n].ticket = ticket;
      positions[n].symbol = PositionGetString(POSITION_SYMBOL);
      positions[n].type = PositionGetInteger(POSITION_TYPE);
      positions[n].volume = PositionGetDouble(POSITION_VOLUME);
      positions[n].price = PositionGetDouble(POSITION_PRICE_CURRENT);
      positions[n].time_msc = PositionGetInteger(POSITION_TIME_MSC);
      n++;
     }
   ArrayResize(order, n);
   for(int i = 0; i < n; i++)
      order[i] = i;
//--- insertion sort: newest (largest time, then largest ticket) first
   for(int i = 1; i < n; i++)
     {
      int key = order[i];
      int j = i - 1;
      while(j >= 0 && (positions[order[j]].time_msc < positions[key].time_msc
                       || (positions[order[j]].time_msc == positions[key].time_msc && positions[order[j]].ticket < positions[key].ticket)))
        {
         order[j + 1] = order[j];
         j--;
        }
      order[j + 1] = key;
     }
   return n;
  }

//--- value of one lot in the account currency: price / tick size * tick value
double LgNotionalPerLot(const string symbol, const double price)
  {
   double tick_size = SymbolInfoDouble(symbol, SYMBOL_TRADE_TICK_SIZE);
   double tick_value = SymbolInfoDouble(symbol, SYMBOL_TRADE_TICK_VALUE);
   if(tick_size > 0.0 && tick_value > 0.0)
      return price / tick_size * tick_value;
   return price * SymbolInfoDouble(symbol, SYMBOL_TRADE_CONTRACT_SIZE);
  }

//--- volume rounded UP to the symbol's volume step
double LgRoundUpToStep(const string symbol, const double lots)
  {
   double step = SymbolInfoDouble(symbol, SYMBOL_VOLUME_STEP);
   if(step <= 0.0)
      step = 0.01;
   double steps = MathCeil(lots / step - 1e-7);
   return NormalizeDouble(steps * step, 8);
  }

//--- how much of a position to close to remove at least `excess` lots; one deal is at most the
//--- symbol's maximum volume (the rest follows on the next check)
double LgCloseVolume(const string symbol, const double position_volume, const double excess)
  {
   double vmin = SymbolInfoDouble(symbol, SYMBOL_VOLUME_MIN);
   double vmax = SymbolInfoDouble(symbol, SYMBOL_VOLUME_MAX);
   double v = LgRoundUpToStep(symbol, excess);
   if(v < vmin)
      v = vmin;
   if(v >= position_volume - 1e-9 || position_volume - v < vmin - 1e-9)
      v = position_volume;
   if(vmax > 0.0 && v > vmax)
      v = vmax;
   return v;
  }

//--- a filling mode the symbol allows
ENUM_ORDER_TYPE_FILLING LgFilling(const string symbol)
  {
   long modes = SymbolInfoInteger(symbol, SYMBOL_FILLING_MODE);
   if((modes & SYMBOL_FILLING_FOK) != 0)
      return ORDER_FILLING_FOK;
   if((modes & SYMBOL_FILLING_IOC) != 0)
      return ORDER_FILLING_IOC;
   return ORDER_FILLING_RETURN;
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

//--- close `volume` lots of a position with an opposite deal; true when the server filled it
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
   request.type_filling = LgFilling(p.symbol);
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
   ResetLastError();
   bool sent = OrderSend(request, result);
   if(sent && (result.retcode == TRADE_RETCODE_DONE || result.retcode == TRADE_RETCODE_DONE_PARTIAL))
     {
      PrintFormat("LiquidityGuard: closed %.2f of %.2f lots of %s position #%I64u (%s)",
                  volume, p.volume, p.symbol, p.ticket, why);
      return true;
     }
   long now = (long)TimeGMT();
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

//--- remember the open positions: while blocking, anything above them is new exposure
void LgTakeBaseline()
  {
   LgPosition positions[];
   int order[];
   int n = LgCollectPositions(positions, order);
   ArrayResize(g_base_tickets, n);
   ArrayResize(g_base_volumes, n);
   ArrayResize(g_base_types, n);
   for(int i = 0; i < n; i++)
     {
      g_base_tickets[i] = positions[i].ticket;
      g_base_volumes[i] = positions[i].volume;
      g_base_types[i] = positions[i].type;
     }
  }

//--- start or stop blocking new exposure
void LgUpdateBlocking(const bool want, const string why)
  {
   if(want && !g_blocking)
     {
      LgTakeBaseline();
      g_blocking = true;
      PrintFormat("LiquidityGuard: new exposure is BLOCKED (%s): any new position or increase is closed at once; %d open positions may stay",
                  why, ArraySize(g_base_tickets));
     }
   if(!want && g_blocking)
     {
      g_blocking = false;
      ArrayFree(g_base_tickets);
      ArrayFree(g_base_volumes);
      ArrayFree(g_base_types);
      Print("LiquidityGuard: new exposure is allowed again within the limits");
     }
  }

//--- close positions opened, increased or reversed since blocking began; returns the deals done
int LgCutNewExposure(const string why)
  {
   int done = 0;
   LgPosition positions[];
   int order[];
   int n = LgCollectPositions(positions, order);
   int nb = ArraySize(g_base_tickets);
   for(int k = 0; k < n; k++)
     {
      int i = order[k];
      int b = -1;
      for(int j = 0; j < nb; j++)
        {
         if(g_base_tickets[j] == positions[i].ticket)
           {
            b = j;
            break;
           }
        }
      if(b < 0 || g_base_types[b] != positions[i].type)
        {
         if(LgClose(positions[i], positions[i].volume, StringFormat("new position while %s", why)))
            done++;
         continue;
        }
      double extra = positions[i].volume - g_base_volumes[b];
      if(extra > 1e-9)
        {
         if(LgClose(positions[i], LgCloseVolume(positions[i].symbol, positions[i].volume, extra),
                    StringFormat("increase while %s", why)))
            done++;
        }
      else
         g_base_volumes[b] = positions[i].volume;
     }
   return done;
  }

//--- the tighter of lca's cap and the EA's own cap, in lots; -1 = no cap
double LgSymbolCap(const string symbol)
  {
   double cap = LgLimitsSymbolCap(symbol);
   if(InpMaxLotsPerSymbol > 0.0 && (cap < 0.0 || InpMaxLotsPerSymbol < cap))
      cap = InpMaxLotsPerSymbol;
   return cap;
  }

//--- cut each symbol's gross volume to its cap, newest position first; returns the deals done
int LgCutSymbolCaps()
  {
   int done = 0;
   LgPosition positions[];
   int order[];
   int n = LgCollectPositions(positions, order);
   for(int k = 0; k < n; k++)
     {
      string symbol = positions[order[k]].symbol;
      bool seen = false;
      for(int j = 0; j < k && !seen; j++)
         seen = (positions[order[j]].symbol == symbol);
      if(seen)
         continue;
      double cap = LgSymbolCap(symbol);
      if(cap < 0.0)
         continue;
      double total = 0.0;
      for(int j = 0; j < n; j++)
        {
         if(positions[j].symbol == symbol)
            total += positions[j].volume;
        }
      double excess = total - cap;
      if(excess <= 1e-9)
         continue;
      string why = StringFormat("%s volume %.2f lots above the cap %.2f lots", symbol, total, cap);
      for(int j = k; j < n && excess > 1e-9; j++)
        {
         int i = order[j];
         if(positions[i].symbol != symbol)
            continue;
         double v = LgCloseVolume(symbol, positions[i].volume, excess);
         if(!LgClose(positions[i], v, why))
            break;
         excess -= v;
         done++;
        }
     }
   return done;
  }

//--- the account's effective leverage cap (ratio), the tighter of lca's and the EA's own; 0 = none
double LgMaxEffLev()
  {
   double cap = InpMaxEffLev;
   if(g_lim_ok && (cap <= 0.0 || g_lim_max_eff_lev < cap))
      cap = g_lim_max_eff_lev;
   return cap;
  }

//--- the MSI floor (equity / margin), the higher of lca's and the EA's own; 0 = none
double LgMsiFloor()
  {
   double floor_value = InpMsiFloor;
   if(g_lim_ok && g_lim_msi_floor > floor_value)
      floor_value = g_lim_msi_floor;
   return floor_value;
  }

//--- hold the account's effective leverage cap and MSI floor, newest position first
int LgCutAccountCaps()
  {
   int done = 0;
   LgPosition positions[];
   int order[];
   int n = LgCollectPositions(positions, order);
   if(n == 0)
      return 0;
   double equity = AccountInfoDouble(ACCOUNT_EQUITY);
   double margin = AccountInfoDouble(ACCOUNT_MARGIN);
   double value = 0.0;
   for(int i = 0; i < n; i++)
      value += positions[i].volume * LgNotionalPerLot(positions[i].symbol, positions[i].price);
   if(value <= 0.0)
      return 0;
   double excess = 0.0;
   string why = "";
   double max_lev = LgMaxEffLev();
   double msi_floor = LgMsiFloor();
   if(equity <= 0.0)
     {
      excess = value;
      why = StringFormat("equity %.2f is not positive", equity);
     }
   else
     {
      if(max_lev > 0.0 && value - max_lev * equity > excess)
        {
         excess = value - max_lev * equity;
         why = StringFormat("effective leverage %.2f above the cap %.2f", value / equity, max_lev);
        }
      if(msi_floor > 0.0 && margin > 0.0 && equity / margin < msi_floor)
        {
         double by_msi = value * (1.0 - equity / (msi_floor * margin));
         if(by_msi > excess)
           {
            excess = by_msi;
            why = StringFormat("MSI %.2f (margin level %.0f%%) below the floor %.2f", equity / margin, 100.0 * equity / margin, msi_floor);
           }
        }
     }
   if(excess <= 1e-6 * value)
      return 0;
   for(int k = 0; k < n && excess > 0.0; k++)
     {
      int i = order[k];
      double per_lot = LgNotionalPerLot(positions[i].symbol, positions[i].price);
      if(per_lot <= 0.0)
         continue;
      double v = LgCloseVolume(positions[i].symbol, positions[i].volume, excess / per_lot);
      if(LgClose(positions[i], v, why))
        {
         excess -= v * per_lot;
         done++;
        }
     }
   return done;
  }
//+------------------------------------------------------------------+
