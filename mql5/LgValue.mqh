//+------------------------------------------------------------------+
//| LgValue.mqh - position value in the account currency            |
//| Part of LiquidityGuard (lca).                                    |
//+------------------------------------------------------------------+
// One lot is worth price / tick size * tick value in the account currency (the terminal converts
// the tick value). Without a tick value (no conversion rate yet, or a broker that leaves it 0)
// the value is contract size * price, which is in the symbol's PROFIT currency (JPY for USDJPY):
// it is converted to the account currency through a symbol that pairs the two currencies
// (direct PROFIT+ACCOUNT: multiply by its ask; inverse ACCOUNT+PROFIT: divide by its bid: the
// side that values the position higher, so the guard never under-counts leverage), with
// the symbol's own broker suffix tried first. When no such symbol exists, the value is unknown:
// the symbol is left out of the leverage check and that is said once.

string   g_value_unknown = "";

//--- the broker's suffix of a symbol name ("USDJPY.x" -> ".x"); "" for a plain 6-letter name
string LgSymbolSuffix(const string symbol)
  {
   if(StringLen(symbol) <= 6)
      return "";
   return StringSubstr(symbol, 6);
  }

//--- price of one unit of `from` in `to` through the pair named with `suffix`; 0 when none is quoted
double LgRateVia(const string from, const string to, const string suffix)
  {
   string direct = from + to + suffix;
   if(SymbolSelect(direct, true))
     {
      double ask = SymbolInfoDouble(direct, SYMBOL_ASK);
      if(ask > 0.0)
         return ask;
     }
   string inverse = to + from + suffix;
   if(SymbolSelect(inverse, true))
     {
      double bid = SymbolInfoDouble(inverse, SYMBOL_BID);
      if(bid > 0.0)
         return 1.0 / bid;
     }
   return 0.0;
  }

//--- price of one unit of `from` in `to`, the symbol's own suffix first; 0 when no pair is known
double LgConversionRate(const string from, const string to, const string suffix)
  {
   if(from == to)
      return 1.0;
   double rate = 0.0;
   if(suffix != "")
      rate = LgRateVia(from, to, suffix);
   if(rate <= 0.0)
      rate = LgRateVia(from, to, "");
   return rate;
  }

//--- value of one lot in the account currency; 0 when it cannot be known
double LgNotionalPerLot(const string symbol, const double price)
  {
   double tick_size = SymbolInfoDouble(symbol, SYMBOL_TRADE_TICK_SIZE);
   double tick_value = SymbolInfoDouble(symbol, SYMBOL_TRADE_TICK_VALUE);
   if(tick_size > 0.0 && tick_value > 0.0)
      return price / tick_size * tick_value;
   string account = AccountInfoString(ACCOUNT_CURRENCY);
   string profit = SymbolInfoString(symbol, SYMBOL_CURRENCY_PROFIT);
   double rate = LgConversionRate(profit, account, LgSymbolSuffix(symbol));
   if(rate <= 0.0)
     {
      if(g_value_unknown != symbol)
        {
         PrintFormat("LiquidityGuard: %s has no tick value and no symbol converts %s to the account currency %s: its positions are left out of the leverage check",
                     symbol, profit, account);
         g_value_unknown = symbol;
        }
      return 0.0;
     }
   return price * SymbolInfoDouble(symbol, SYMBOL_TRADE_CONTRACT_SIZE) * rate;
  }
//+------------------------------------------------------------------+
