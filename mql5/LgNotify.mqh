//+------------------------------------------------------------------+
//| LgNotify.mqh - push lca's alerts to the phone (SendNotification)  |
//| Part of LiquidityGuard (lca). See PROTOCOL.md (notify.txt).      |
//+------------------------------------------------------------------+
// lca writes its alerts into Common\Files\lca\notify.txt, each message with its own sequence; the
// EA reads the file on its timer and pushes every message above the last sequence it pushed.
// That sequence is kept in the terminal global variable lca.notify_sequence, set BEFORE the call:
// a message is pushed at most once, also across a restart of the EA or the terminal. A message
// older than LG_NOTIFY_MAX_AGE_SEC (a stale file found on a new attach) is not pushed.
// MT5 allows at most 2 pushes a second and 10 a minute: the EA sends at most one per second and
// LG_NOTIFY_PER_MINUTE in any 61 s; what waits meanwhile is merged into one push, newest first.
// The EA also pushes its own fail-safe entry and exit (lca may be dead: nobody else can).

#define LG_NOTIFY_MAGIC "lca-notify 1"
#define LG_NOTIFY_MAX_MESSAGES 8
#define LG_NOTIFY_MAX_TEXT 255
#define LG_NOTIFY_MAX_AGE_SEC 600
#define LG_NOTIFY_PER_MINUTE 10
#define LG_NOTIFY_MAX_SEQUENCE 9007199254740991
#define LG_GV_NOTIFY "lca.notify_sequence"

long     g_ntf_done = 0;          // highest lca sequence pushed (or given up): lca.notify_sequence
long     g_ntf_queued = 0;        // highest lca sequence taken from the file
string   g_ntf_pending[];         // texts waiting for the rate limit, oldest first
long     g_ntf_pending_seq[];     // their lca sequence, 0 for the EA's own
long     g_ntf_sent_at[];         // TimeGMT() of the pushes of the last 61 s
string   g_ntf_problem = "";
int      g_ntf_error_said = 0;

//--- the last sequence pushed, from the terminal global variable (kept across restarts)
void LgNotifyInit()
  {
   if(GlobalVariableCheck(LG_GV_NOTIFY))
      g_ntf_done = (long)GlobalVariableGet(LG_GV_NOTIFY);
   if(g_ntf_queued < g_ntf_done)
      g_ntf_queued = g_ntf_done;
   if(TerminalInfoInteger(TERMINAL_NOTIFICATIONS_ENABLED) == 0)
      Print("LiquidityGuard: push notifications are off in this terminal (Tools > Options > Notifications, MetaQuotes ID): lca's alerts and the fail-safe will not reach the phone");
  }

//--- wait for the next allowed push
void LgNotifyQueue(const string text, const long sequence)
  {
   int n = ArraySize(g_ntf_pending);
   ArrayResize(g_ntf_pending, n + 1);
   ArrayResize(g_ntf_pending_seq, n + 1);
   g_ntf_pending[n] = StringSubstr(text, 0, LG_NOTIFY_MAX_TEXT);
   g_ntf_pending_seq[n] = sequence;
  }

//--- say a problem of notify.txt once (until it changes)
void LgNotifyProblem(const string problem)
  {
   if(problem != g_ntf_problem && StringLen(problem) > 0)
      PrintFormat("LiquidityGuard: %s", problem);
   g_ntf_problem = problem;
  }

//--- one msg line "<sequence>;<utc>;<text>"; false when malformed
bool LgParseNotice(const string value, long &sequence, long &utc, string &text)
  {
   int a = StringFind(value, ";");
   if(a < 1)
      return false;
   int b = StringFind(value, ";", a + 1);
   if(b < a + 2)
      return false;
   text = StringSubstr(value, b + 1);
   return LgParseInt(StringSubstr(value, 0, a), sequence) && LgParseInt(StringSubstr(value, a + 1, b - a - 1), utc)
          && sequence >= 1 && sequence <= LG_NOTIFY_MAX_SEQUENCE && StringLen(text) >= 1 && StringLen(text) <= LG_NOTIFY_MAX_TEXT;
  }

//--- read notify.txt and queue its new messages; a torn or invalid file is ignored (said once)
void LgReadNotify(const string path)
  {
   if(!FileIsExist(path, FILE_COMMON))
      return;
   string lines[];
   string problem = "";
   int n = LgReadLines(path, lines, problem);
   if(n < 0)
      return;  // locked right now: the next timer tick reads it
   if(n < 5 || n > LG_NOTIFY_MAX_MESSAGES + 4 || lines[0] != LG_NOTIFY_MAGIC)
     {
      LgNotifyProblem(StringFormat("notify file has %d lines or starts with '%s' (expected '%s'): ignored", n, n > 0 ? lines[0] : "", LG_NOTIFY_MAGIC));
      return;
     }
   string end_value = "";
   long hash = 0;
   for(int i = 0; i < n - 1; i++)
     {
      if(!LgIsAscii(lines[i]))
        {
         LgNotifyProblem("notify file is not ASCII: ignored");
         return;
        }
      hash = LgHashLine(hash, lines[i]);
     }
   string parts[];
   long end_sequence = 0;
   long end_hash = 0;
   if(!LgKeyValue(lines[n - 1], "end", end_value) || StringSplit(end_value, ';', parts) != 2
      || !LgParseInt(parts[0], end_sequence) || !LgParseInt(parts[1], end_hash) || end_hash != hash)
     {
      LgNotifyProblem("notify file has no valid end marker: torn or edited, ignored");
      return;
     }
   string v = "";
   long sequence = 0;
   long written = 0;
   if(!LgKeyValue(lines[1], "sequence", v) || !LgParseInt(v, sequence) || sequence != end_sequence
      || !LgKeyValue(lines[2], "written_utc", v) || !LgParseInt(v, written))
     {
      LgNotifyProblem("notify file has no valid sequence and written_utc lines: ignored");
      return;
     }
   long last = 0;
   long now = (long)TimeGMT();
   int old = 0;
   for(int i = 3; i < n - 1; i++)
     {
      long seq = 0;
      long utc = 0;
      string text = "";
      if(!LgKeyValue(lines[i], "msg", v) || !LgParseNotice(v, seq, utc, text) || seq <= last)
        {
         LgNotifyProblem(StringFormat("notify file line %d is not msg=<sequence>;<utc>;<text> with rising sequences: ignored", i + 1));
         return;
        }
      last = seq;
     }
   if(last != sequence)
     {
      LgNotifyProblem("notify file's last message is not its sequence: ignored");
      return;
     }
   LgNotifyProblem("");
   if(sequence <= g_ntf_queued)
      return;
   for(int i = 3; i < n - 1; i++)
     {
      long seq = 0;
      long utc = 0;
      string text = "";
      LgKeyValue(lines[i], "msg", v);
      LgParseNotice(v, seq, utc, text);
      if(seq <= g_ntf_queued)
         continue;
      if(now - utc > LG_NOTIFY_MAX_AGE_SEC)
         old++;
      else
         LgNotifyQueue(text, seq);
     }
   if(old > 0)
      PrintFormat("LiquidityGuard: %d message(s) of lca older than %d s not pushed (an old notify file)", old, LG_NOTIFY_MAX_AGE_SEC);
   g_ntf_queued = sequence;
   if(ArraySize(g_ntf_pending) == 0 && g_ntf_done < sequence)
     {
      g_ntf_done = sequence;  // all old: never push them later either
      GlobalVariableSet(LG_GV_NOTIFY, (double)g_ntf_done);
     }
  }

//--- push what waits when MT5's rate limit allows: one a second, LG_NOTIFY_PER_MINUTE in 61 s
void LgNotifyFlush()
  {
   int n = ArraySize(g_ntf_pending);
   if(n == 0)
      return;
   long now = (long)TimeGMT();
   int kept = 0;
   int sent = ArraySize(g_ntf_sent_at);
   for(int i = 0; i < sent; i++)
     {
      if(now - g_ntf_sent_at[i] < 61)
        {
         g_ntf_sent_at[kept] = g_ntf_sent_at[i];
         kept++;
        }
     }
   ArrayResize(g_ntf_sent_at, kept);
   if(kept >= LG_NOTIFY_PER_MINUTE || (kept > 0 && g_ntf_sent_at[kept - 1] >= now))
      return;
   string text = g_ntf_pending[0];
   if(n > 1)
     {
      text = StringFormat("%d alerts, newest first: ", n);
      for(int i = n - 1; i >= 0; i--)
         text = text + g_ntf_pending[i] + (i > 0 ? " | " : "");
     }
   if(StringLen(text) > LG_NOTIFY_MAX_TEXT)
      text = StringSubstr(text, 0, LG_NOTIFY_MAX_TEXT - 3) + "...";
   long top = g_ntf_done;
   for(int i = 0; i < n; i++)
     {
      if(g_ntf_pending_seq[i] > top)
         top = g_ntf_pending_seq[i];
     }
   if(top > g_ntf_done)
     {
      g_ntf_done = top;  // before the call: at most once, whatever happens next
      GlobalVariableSet(LG_GV_NOTIFY, (double)g_ntf_done);
     }
   ArrayResize(g_ntf_sent_at, kept + 1);
   g_ntf_sent_at[kept] = now;
   ResetLastError();
   if(SendNotification(text))
     {
      ArrayResize(g_ntf_pending, 0);
      ArrayResize(g_ntf_pending_seq, 0);
      return;
     }
   int err = GetLastError();
   if(err == ERR_NOTIFICATION_TOO_FREQUENT)
      return;  // MT5 counted otherwise: keep them for the next second
   if(err != g_ntf_error_said)
      PrintFormat("LiquidityGuard: push notification not sent (error %d%s); %d message(s) dropped",
                  err, err == ERR_NOTIFICATION_WRONG_SETTINGS ? ": enable Tools > Options > Notifications with your MetaQuotes ID" : "", n);
   g_ntf_error_said = err;
   ArrayResize(g_ntf_pending, 0);
   ArrayResize(g_ntf_pending_seq, 0);
  }
//+------------------------------------------------------------------+
