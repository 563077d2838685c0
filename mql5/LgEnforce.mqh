//+------------------------------------------------------------------+
//| LgEnforce.mqh - cut volume, leverage and new exposure            |
//| Part of LiquidityGuard (lca).                                    |
//+------------------------------------------------------------------+
// An EA cannot veto a trade before it executes: it hears of it in OnTradeTransaction and cuts the
// excess at once, newest position first. Closes are raw OrderSend deals with position = ticket
// (LgSend.mqh), which reduce on hedging and netting accounts alike. Close volumes are rounded UP to the volume
// step (rounding down would leave the cap breached), never below the minimum volume, and a
// remainder below the minimum closes the whole position.

//--- new-exposure block (fail-safe or prop lock): the positions and volumes allowed to remain
bool     g_blocking = false;
ulong    g_base_tickets[];
double   g_base_volumes[];
long     g_base_types[];

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
