//+------------------------------------------------------------------+
//| LgLimits.mqh - read and validate limits.txt written by lca       |
//| Part of LiquidityGuard (lca). See PROTOCOL.md.                   |
//+------------------------------------------------------------------+
// A file is applied only when it is valid as a whole: magic and version, every key in order,
// every number, and the end marker "end=<sequence>;<lca-hash31>". A missing, locked, torn or
// unparsable file is ignored and the last good limits are kept; so is a file whose sequence is
// below the one applied (an old or replayed file), said once. The sequence has at most 18 digits
// (1 to 999999999999999999, LG_MAX_SEQUENCE): lca never writes more (PROTOCOL.md).

#define LG_LIMITS_MAGIC "lca-limits 1"
#define LG_MAX_SYMBOL_LINES 512
#define LG_MAX_LINES 530
#define LG_MAX_SEQUENCE 999999999999999999

//--- the last good limits (g_lim_ok is false until one file was applied)
bool     g_lim_ok = false;
long     g_lim_sequence = 0;
long     g_lim_heartbeat = 0;
double   g_lim_max_eff_lev = 0.0;
double   g_lim_msi_floor = 0.0;
bool     g_lim_prop_lock = false;
bool     g_lim_new_exposure = true;
string   g_lim_names[];
double   g_lim_lots[];
string   g_lim_problem = "";

//--- read every line of a Common file, opened shared and read-only; -1 when it cannot be opened
int LgReadLines(const string path, string &lines[], string &problem)
  {
   ResetLastError();
   int h = FileOpen(path, FILE_READ | FILE_TXT | FILE_ANSI | FILE_COMMON | FILE_SHARE_READ | FILE_SHARE_WRITE);
   if(h == INVALID_HANDLE)
     {
      int err = GetLastError();
      if(err == ERR_FILE_NOT_EXIST || !FileIsExist(path, FILE_COMMON))
         problem = StringFormat("no limits file at Common\\Files\\%s (is lca running?)", path);
      else
         problem = StringFormat("cannot open Common\\Files\\%s (error %d, locked by another program?)", path, err);
      return -1;
     }
   int n = 0;
   while(!FileIsEnding(h) && n <= LG_MAX_LINES)
     {
      string line = LgChomp(FileReadString(h));
      ArrayResize(lines, n + 1);
      lines[n] = line;
      n++;
     }
   FileClose(h);
   return n;
  }

//--- parse the lines of a limits file; false with a reason when anything is wrong
bool LgParseLimits(string &lines[], const int n, long &sequence, long &heartbeat,
                   double &max_eff_lev, double &msi_floor, bool &prop_lock, bool &new_exposure,
                   string &names[], double &lots[], string &problem)
  {
   if(n < 8)
     {
      problem = StringFormat("limits file has only %d lines: torn, ignored", n);
      return false;
     }
   if(n > LG_MAX_LINES)
     {
      problem = "limits file is too long: ignored";
      return false;
     }
   for(int i = 0; i < n; i++)
     {
      if(!LgIsAscii(lines[i]))
        {
         problem = StringFormat("limits file line %d is not ASCII: ignored", i + 1);
         return false;
        }
     }
   if(lines[0] != LG_LIMITS_MAGIC)
     {
      problem = StringFormat("limits file starts with '%s', expected '%s' (lca and EA from different releases?): ignored",
                             lines[0], LG_LIMITS_MAGIC);
      return false;
     }
//--- the end marker and its hash come first: a torn file fails here
   string end_value = "";
   if(!LgKeyValue(lines[n - 1], "end", end_value))
     {
      problem = "limits file has no end marker: torn, ignored";
      return false;
     }
   long hash = 0;
   for(int i = 0; i < n - 1; i++)
      hash = LgHashLine(hash, lines[i]);
   string parts[];
   long end_sequence = 0;
   long end_hash = 0;
   if(StringSplit(end_value, ';', parts) != 2 || !LgParseInt(parts[0], end_sequence) || !LgParseInt(parts[1], end_hash))
     {
      problem = StringFormat("limits end marker 'end=%s' is malformed: torn, ignored", end_value);
      return false;
     }
   if(end_hash != hash)
     {
      problem = StringFormat("limits file hash %I64d does not match its content (%I64d): torn or edited, ignored", end_hash, hash);
      return false;
     }
//--- the fixed keys, in order
   string v = "";
   if(!LgKeyValue(lines[1], "sequence", v) || !LgParseInt(v, sequence) || sequence < 1 || sequence > LG_MAX_SEQUENCE || sequence != end_sequence)
     {
      problem = StringFormat("limits line 2 '%s' is not a valid sequence: ignored", lines[1]);
      return false;
     }
   if(!LgKeyValue(lines[2], "heartbeat_utc", v) || !LgParseInt(v, heartbeat) || heartbeat < 0)
     {
      problem = StringFormat("limits line 3 '%s' is not a valid heartbeat_utc: ignored", lines[2]);
      return false;
     }
   if(!LgKeyValue(lines[3], "max_eff_lev", v) || !LgParseDecimal(v, max_eff_lev) || max_eff_lev <= 0.0)
     {
      problem = StringFormat("limits line 4 '%s' is not a valid max_eff_lev (> 0): ignored", lines[3]);
      return false;
     }
   if(!LgKeyValue(lines[4], "msi_floor", v) || !LgParseDecimal(v, msi_floor) || msi_floor < 0.0)
     {
      problem = StringFormat("limits line 5 '%s' is not a valid msi_floor (>= 0): ignored", lines[4]);
      return false;
     }
   if(!LgKeyValue(lines[5], "prop_lock", v) || (v != "0" && v != "1"))
     {
      problem = StringFormat("limits line 6 '%s' is not prop_lock=0 or 1: ignored", lines[5]);
      return false;
     }
   prop_lock = (v == "1");
   if(!LgKeyValue(lines[6], "new_exposure", v) || (v != "0" && v != "1"))
     {
      problem = StringFormat("limits line 7 '%s' is not new_exposure=0 or 1: ignored", lines[6]);
      return false;
     }
   new_exposure = (v == "1");
//--- the symbol lines
   int count = 0;
   ArrayResize(names, 0);
   ArrayResize(lots, 0);
   for(int i = 7; i < n - 1; i++)
     {
      string fields[];
      double cap = 0.0;
      if(!LgKeyValue(lines[i], "symbol", v) || StringSplit(v, ';', fields) != 2 || StringLen(fields[0]) == 0
         || !LgParseDecimal(fields[1], cap) || cap < 0.0)
        {
         problem = StringFormat("limits line %d '%s' is not symbol=NAME;LOTS: ignored", i + 1, lines[i]);
         return false;
        }
      for(int k = 0; k < count; k++)
        {
         if(names[k] == fields[0])
           {
            problem = StringFormat("limits file names %s twice: ignored", fields[0]);
            return false;
           }
        }
      if(count >= LG_MAX_SYMBOL_LINES)
        {
         problem = "limits file has too many symbol lines: ignored";
         return false;
        }
      ArrayResize(names, count + 1);
      ArrayResize(lots, count + 1);
      names[count] = fields[0];
      lots[count] = cap;
      count++;
     }
   return true;
  }

//--- log a problem with the limits file once, not on every timer tick
void LgLimitsProblem(const string problem)
  {
   if(problem == g_lim_problem)
      return;
   g_lim_problem = problem;
   if(g_lim_ok)
      PrintFormat("LiquidityGuard: %s; keeping the last good limits (sequence %I64d)", problem, g_lim_sequence);
   else
      PrintFormat("LiquidityGuard: %s; the EA's own hard limits apply", problem);
  }

//--- read limits.txt; apply it when it is valid as a whole
void LgReadLimits(const string path)
  {
   string lines[];
   string problem = "";
   int n = LgReadLines(path, lines, problem);
   if(n < 0)
     {
      LgLimitsProblem(problem);
      return;
     }
   long sequence = 0;
   long heartbeat = 0;
   double max_eff_lev = 0.0;
   double msi_floor = 0.0;
   bool prop_lock = false;
   bool new_exposure = true;
   string names[];
   double lots[];
   if(!LgParseLimits(lines, n, sequence, heartbeat, max_eff_lev, msi_floor, prop_lock, new_exposure, names, lots, problem))
     {
      LgLimitsProblem(problem);
      return;
     }
   if(g_lim_ok && sequence < g_lim_sequence)
     {
      LgLimitsProblem(StringFormat("limits file sequence %I64d goes backwards (below the applied %I64d: an old or replayed file?): ignored",
                                   sequence, g_lim_sequence));
      return;
     }
   if(g_lim_problem != "")
      Print("LiquidityGuard: limits file is readable again");
   g_lim_problem = "";
   bool changed = !g_lim_ok || max_eff_lev != g_lim_max_eff_lev || msi_floor != g_lim_msi_floor
                  || prop_lock != g_lim_prop_lock || new_exposure != g_lim_new_exposure
                  || ArraySize(names) != ArraySize(g_lim_names);
   int count = ArraySize(names);
   for(int i = 0; i < count && !changed; i++)
     {
      if(names[i] != g_lim_names[i] || lots[i] != g_lim_lots[i])
         changed = true;
     }
   g_lim_ok = true;
   g_lim_sequence = sequence;
   g_lim_heartbeat = heartbeat;
   g_lim_max_eff_lev = max_eff_lev;
   g_lim_msi_floor = msi_floor;
   g_lim_prop_lock = prop_lock;
   g_lim_new_exposure = new_exposure;
   ArrayResize(g_lim_names, count);
   ArrayResize(g_lim_lots, count);
   for(int i = 0; i < count; i++)
     {
      g_lim_names[i] = names[i];
      g_lim_lots[i] = lots[i];
     }
   if(changed)
      PrintFormat("LiquidityGuard: new limits from lca (sequence %I64d): max effective leverage %.2f, MSI floor %.2f, prop lock %s, new exposure %s, %d symbol caps",
                  sequence, max_eff_lev, msi_floor, prop_lock ? "ON" : "off", new_exposure ? "allowed" : "BLOCKED", count);
  }

//--- lca's cap for a symbol in lots, or -1 when lca sets none
double LgLimitsSymbolCap(const string symbol)
  {
   if(!g_lim_ok)
      return -1.0;
   int count = ArraySize(g_lim_names);
   for(int i = 0; i < count; i++)
     {
      if(g_lim_names[i] == symbol)
         return g_lim_lots[i];
     }
   return -1.0;
  }
//+------------------------------------------------------------------+
