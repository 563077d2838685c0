//+------------------------------------------------------------------+
//| LgCalendar.mqh - the broker's economic calendar for lca          |
//| Part of LiquidityGuard (lca). See PROTOCOL.md (telemetry v2).    |
//+------------------------------------------------------------------+
// Reads MT5's economic calendar (CalendarValueHistory, CalendarEventById, CalendarCountryById)
// every InpCalendarRefreshSec seconds, from the timer only (the first call may wait for the
// terminal to sync the calendar), and keeps the high and medium events of the book's currencies
// from an hour ago to InpCalendarHours ahead. LgTelemetry.mqh writes them as "e=" lines.
//
// Time: the calendar is in trade-server time. The offset is TimeTradeServer() - TimeGMT(),
// rounded to 15 minutes (every real offset is a multiple of 15 minutes; the two clocks are read
// a moment apart), and each event's UTC time = its server time - offset. A server that switches
// summer time inside the horizon shifts the events after the switch by an hour until the
// switch has happened (the next read then uses the new offset).

#define LG_CAL_MAX 256
#define LG_CAL_PAST_SEC 3600
#define LG_CAL_NAME_MAX 120

struct LgCalEvent
  {
   long              time_utc;
   string            currency;
   string            importance;
   long              event_id;
   string            name;
  };

LgCalEvent g_cal[];
long     g_cal_read_utc = 0;   // TimeGMT() of the last good read; 0 = never
long     g_cal_tried = 0;      // TimeGMT() of the last attempt
string   g_cal_problem = "";

//--- trade-server time minus UTC, seconds, rounded to 15 minutes
long LgServerOffset()
  {
   long raw = (long)TimeTradeServer() - (long)TimeGMT();
   return (long)MathRound((double)raw / 900.0) * 900;
  }

//--- a name lca can read: ASCII, no control characters, not empty; else the event's code
string LgCalName(const string name, const string code, const long event_id)
  {
   string text = name;
   if(!LgIsAscii(text) || StringLen(text) == 0)
      text = code;
   if(!LgIsAscii(text) || StringLen(text) == 0)
      text = StringFormat("event %I64d", event_id);
   string clean = "";
   int n = (int)MathMin(StringLen(text), LG_CAL_NAME_MAX);
   for(int i = 0; i < n; i++)
     {
      ushort c = StringGetCharacter(text, i);
      clean += (c < 32 || c == 127) ? " " : StringSubstr(text, i, 1);
     }
   return clean;
  }

//--- log a calendar problem once (and again only after it cleared)
void LgCalendarProblem(const string problem)
  {
   if(problem == g_cal_problem)
      return;
   g_cal_problem = problem;
   if(problem != "")
      PrintFormat("LiquidityGuard: %s; lca gets no calendar events from the EA until it can", problem);
  }

bool LgCalWanted(const string currency, const string &currencies[])
  {
   int n = ArraySize(currencies);
   for(int i = 0; i < n; i++)
     {
      if(currencies[i] == currency)
         return true;
     }
   return false;
  }

//--- copy one event between arrays (field by field: MQL5 structs with strings)
void LgCalCopy(LgCalEvent &dst[], const int di, const LgCalEvent &src[], const int si)
  {
   dst[di].time_utc = src[si].time_utc;
   dst[di].currency = src[si].currency;
   dst[di].importance = src[si].importance;
   dst[di].event_id = src[si].event_id;
   dst[di].name = src[si].name;
  }

//--- read the calendar (at most every InpCalendarRefreshSec); keep the last list on failure
void LgReadCalendar(const string &currencies[])
  {
   long now = (long)TimeGMT();
   if(InpCalendarHours <= 0 || (g_cal_tried != 0 && now - g_cal_tried < InpCalendarRefreshSec))
      return;
   g_cal_tried = now;
   long offset = LgServerOffset();
   MqlCalendarValue values[];
   ResetLastError();
   CalendarValueHistory(values, (datetime)(now + offset - LG_CAL_PAST_SEC),
                        (datetime)(now + offset + (long)InpCalendarHours * 3600));
   int err = GetLastError();
   if(err != 0 && err != ERR_CALENDAR_MORE_DATA)
     {
      LgCalendarProblem(StringFormat("cannot read the economic calendar (error %d; 5401 = not synced yet: is the terminal connected?)", err));
      return;
     }
   LgCalEvent found[];
   int n = ArraySize(values);
   int count = 0;
   for(int i = 0; i < n && count < LG_CAL_MAX; i++)
     {
      MqlCalendarEvent ev;
      if(!CalendarEventById(values[i].event_id, ev))
         continue;
      if(ev.importance != CALENDAR_IMPORTANCE_HIGH && ev.importance != CALENDAR_IMPORTANCE_MODERATE)
         continue;
      MqlCalendarCountry country;
      if(!CalendarCountryById((long)ev.country_id, country) || !LgCalWanted(country.currency, currencies))
         continue;
      ArrayResize(found, count + 1);
      found[count].time_utc = (long)values[i].time - offset;
      found[count].currency = country.currency;
      found[count].importance = ev.importance == CALENDAR_IMPORTANCE_HIGH ? "high" : "medium";
      found[count].event_id = (long)ev.id;
      found[count].name = LgCalName(ev.name, ev.event_code, (long)ev.id);
      count++;
     }
//--- by time, then event id (insertion sort: a few dozen events)
   LgCalEvent tmp[];
   ArrayResize(tmp, 1);
   for(int i = 1; i < count; i++)
     {
      LgCalCopy(tmp, 0, found, i);
      int k = i - 1;
      while(k >= 0 && (found[k].time_utc > tmp[0].time_utc
                       || (found[k].time_utc == tmp[0].time_utc && found[k].event_id > tmp[0].event_id)))
        {
         LgCalCopy(found, k + 1, found, k);
         k--;
        }
      LgCalCopy(found, k + 1, tmp, 0);
     }
   ArrayResize(g_cal, count);
   for(int i = 0; i < count; i++)
      LgCalCopy(g_cal, i, found, i);
   g_cal_read_utc = now;
   LgCalendarProblem("");
  }

//--- the "e=" lines for the telemetry written at `now`: the events from an hour ago to the horizon
int LgCalendarLines(const long now, string &out[])
  {
   int n = ArraySize(g_cal);
   int count = 0;
   ArrayResize(out, 0);
   for(int i = 0; i < n; i++)
     {
      if(g_cal[i].time_utc < now - LG_CAL_PAST_SEC || g_cal[i].time_utc > now + (long)InpCalendarHours * 3600)
         continue;
      ArrayResize(out, count + 1);
      out[count] = StringFormat("e=%I64d;%s;%s;%I64d;%s", g_cal[i].time_utc, g_cal[i].currency,
                                g_cal[i].importance, g_cal[i].event_id, g_cal[i].name);
      count++;
     }
   return count;
  }
//+------------------------------------------------------------------+
