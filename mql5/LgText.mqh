//+------------------------------------------------------------------+
//| LgText.mqh - numbers and the lca-hash31 of the file protocol     |
//| Part of LiquidityGuard (lca). See PROTOCOL.md.                   |
//+------------------------------------------------------------------+
// Written in the subset of MQL5 that is also C++ (tests/mql5 compiles it with g++).

#define LG_HASH_MOD 2147483647
#define LG_HASH_MUL 131

//--- lca-hash31 of one line followed by "\n": h = (h*131 + byte) mod 2^31-1
long LgHashLine(long h, const string line)
  {
   int n = StringLen(line);
   for(int i = 0; i < n; i++)
     {
      long c = (long)StringGetCharacter(line, i);
      h = (h * LG_HASH_MUL + c) % LG_HASH_MOD;
     }
   h = (h * LG_HASH_MUL + 10) % LG_HASH_MOD;
   return h;
  }

//--- true when every character is 7-bit ASCII
bool LgIsAscii(const string s)
  {
   int n = StringLen(s);
   for(int i = 0; i < n; i++)
     {
      if(StringGetCharacter(s, i) > 127)
         return false;
     }
   return true;
  }

//--- a line as read, without a trailing carriage return
string LgChomp(const string s)
  {
   int n = StringLen(s);
   while(n > 0 && StringGetCharacter(s, n - 1) == 13)
      n--;
   return StringSubstr(s, 0, n);
  }

//--- -?[0-9]+ with at most 18 digits
bool LgParseInt(const string s, long &value)
  {
   int n = StringLen(s);
   int start = 0;
   if(n > 0 && StringGetCharacter(s, 0) == 45)
      start = 1;
   if(n - start < 1 || n - start > 18)
      return false;
   for(int i = start; i < n; i++)
     {
      ushort c = StringGetCharacter(s, i);
      if(c < 48 || c > 57)
         return false;
     }
   value = StringToInteger(s);
   return true;
  }

//--- -?[0-9]+(\.[0-9]+)? : a plain decimal, no exponent, no sign other than '-'
bool LgParseDecimal(const string s, double &value)
  {
   int n = StringLen(s);
   int start = 0;
   if(n > 0 && StringGetCharacter(s, 0) == 45)
      start = 1;
   if(n - start < 1 || n - start > 30)
      return false;
   int digits_before = 0;
   int digits_after = 0;
   bool dot = false;
   for(int i = start; i < n; i++)
     {
      ushort c = StringGetCharacter(s, i);
      if(c == 46)
        {
         if(dot)
            return false;
         dot = true;
        }
      else
         if(c >= 48 && c <= 57)
           {
            if(dot)
               digits_after++;
            else
               digits_before++;
           }
         else
            return false;
     }
   if(digits_before == 0 || (dot && digits_after == 0))
      return false;
   value = StringToDouble(s);
   return true;
  }

//--- value of "key=value" when line starts with key and '='
bool LgKeyValue(const string line, const string key, string &value)
  {
   string prefix = key + "=";
   if(StringFind(line, prefix) != 0)
      return false;
   value = StringSubstr(line, StringLen(prefix));
   return true;
  }
//+------------------------------------------------------------------+
