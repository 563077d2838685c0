"""Lint for the dual-compiling EA: reject what MetaEditor refuses or what C++ reads differently.

g++ accepts a lot that MetaEditor does not (pointers and ``->``, ``auto``, ``std::``, lambdas,
range-for, ``unsigned``…) and some MQL5 is silently different in C++ (``"text" + 5`` is pointer
arithmetic). This deny-list (shared/reference/mql5-testing.md §4) keeps ``mql5/*.mq5|mqh`` valid
MQL5 while the host tests compile it as C++. It is not a grammar: one real MetaEditor compile per
release remains necessary.

Usage: ``python tests/mql5/mql5_lint.py [files…]`` (default: mql5/*); exit 1 on findings.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Finding", "lint_file", "lint_text"]


@dataclass(frozen=True)
class Finding:
    """One rejected construct: where, and why."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


# (pattern on code with comments and string contents blanked, message)
_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"->"), "'->' (pointers): MQL5 has no pointer member access; use objects"),
    (re.compile(r"\bstd::"), "'std::' is C++ only"),
    (re.compile(r"\bnullptr\b"), "'nullptr' is C++ only (MQL5 uses NULL)"),
    (re.compile(r"\bauto\b"), "'auto' is C++ only: write the type"),
    (re.compile(r"\bconstexpr\b"), "'constexpr' is C++ only: use #define or const"),
    (re.compile(r"\b(namespace|using)\b"), "'namespace'/'using' are C++ only"),
    (re.compile(r"\b(static|dynamic|reinterpret|const)_cast\b"), "C++ casts: use (type)x"),
    (re.compile(r"\b(try|catch|throw|goto)\b"), "exceptions and goto do not exist in MQL5"),
    (re.compile(r"\b(unsigned|signed)\b"), "'unsigned'/'signed': use uint, ulong, ushort, uchar"),
    (re.compile(r"\blong\s+long\b"), "'long long': MQL5 long is already 64-bit"),
    (re.compile(r"\b(size_t|u?int(8|16|32|64)_t)\b"), "C fixed-width types are not MQL5"),
    (re.compile(r"\b(new|delete)\b"), "'new'/'delete': no object pointers in this EA"),
    (re.compile(r"\b(GetPointer|CheckPointer)\b"), "pointer functions: no object pointers"),
    (re.compile(r"\bthis\b"), "'this': write the member name plainly"),
    (re.compile(r"\btemplate\b|\btypename\b"), "templates behave differently in MQL5: avoid"),
    (re.compile(r"\[[&=]?\]\s*\("), "lambdas are C++ only"),
    (re.compile(r"\bfor\s*\([^;()]*\w\s*:\s*\w[^;()]*\)"), "range-for is C++ only"),
    (re.compile(r"\bR\"\("), "raw strings are C++ only"),
    (re.compile(r"#\s*pragma\b"), "#pragma is not MQL5"),
    (re.compile(r"\btypedef\b(?!\s+\w+\s*\(\s*\*)"), "typedef only for function pointers"),
    (re.compile(r"\b[CD]'"), "C'..'/D'..' literals do not compile as C++"),
    (re.compile(r"\[\s*\]\s*\["), "multi-dimensional dynamic arrays are not portable"),
    (re.compile(r"\(\s*string\s*\)"), "(string)x: use IntegerToString/DoubleToString/StringFormat"),
    (
        re.compile(
            r"\b(printf|sprintf|snprintf|malloc|calloc|free|memcpy|memset|strlen|strcpy|strcmp|"
            r"fopen|fclose|atoi|atol|atof|strtod|strtol|exit|abort|abs|floor|ceil|pow|sqrt)\s*\("
        ),
        "C library call: use the MQL5 function (Print, StringLen, MathFloor, …)",
    ),
]
_STRING_NUMBER = re.compile(r'"\s*\+\s*[-+]?[0-9.]|[0-9.]\s*\+\s*"')
_CHAR_CONCAT = re.compile(r"'\\?.'\s*\+\s*\"|\"\s*\+\s*'\\?.'")
_IMPORT = re.compile(r"^\s*#\s*(import|resource)\b")
_IFDEF_MQL5 = re.compile(r"^\s*#\s*ifdef\s+__MQL5__\b")
_IF = re.compile(r"^\s*#\s*if(def|ndef)?\b")
_ENDIF = re.compile(r"^\s*#\s*endif\b")
_STRUCT = re.compile(r"\bstruct\s+([A-Za-z_]\w*)")
_FUNC_DEF = re.compile(r"^[A-Za-z_][\w\s]*?\b([A-Za-z_]\w*)\s*\(([^()]*)\)\s*(\{|$)")
_STRING_VAR = re.compile(r"\bstring\s+([A-Za-z_]\w*)\s*(=|;|,|\))")


def _blank(text: str) -> list[str]:
    """The lines with comments removed and string/char literal contents replaced by spaces."""
    out: list[str] = []
    in_block = False
    for line in text.splitlines():
        buf: list[str] = []
        i = 0
        while i < len(line):
            if in_block:
                end = line.find("*/", i)
                if end < 0:
                    i = len(line)
                    break
                i = end + 2
                in_block = False
                continue
            if line.startswith("//", i):
                break
            if line.startswith("/*", i):
                in_block = True
                i += 2
                continue
            c = line[i]
            if c in "\"'":
                j = i + 1
                while j < len(line) and line[j] != c:
                    j += 2 if line[j] == "\\" else 1
                buf.append(c + " " * max(0, j - i - 1) + c)
                i = j + 1
                continue
            buf.append(c)
            i += 1
        out.append("".join(buf))
    return out


def _collect(code: list[str]) -> tuple[set[str], set[str]]:
    """The struct names (parameters must take them by reference) and the plain string variables."""
    structs = {"MqlTradeRequest", "MqlTradeResult", "MqlTradeTransaction", "MqlTick", "MqlBookInfo",
               "MqlRates", "MqlDateTime"}
    string_vars: set[str] = set()
    for line in code:
        structs.update(_STRUCT.findall(line))
        string_vars.update(m.group(1) for m in _STRING_VAR.finditer(line))
    return structs, string_vars


def _line_findings(line: str, raw: str, structs: set[str], string_vars: set[str]) -> list[str]:
    messages = [message for pattern, message in _RULES if pattern.search(line)]
    code_part = raw.split("//")[0]
    if _STRING_NUMBER.search(code_part):
        messages.append("string + number: use IntegerToString/StringFormat")
    if _CHAR_CONCAT.search(code_part):
        messages.append("a 'c' char literal is a number in MQL5: use \"c\"")
    m = _FUNC_DEF.match(line)
    if m and not line.lstrip().startswith(("if", "while", "for", "switch", "return", "#")):
        for param in filter(None, (p.strip() for p in m.group(2).split(","))):
            words = param.replace("const ", "").split()
            if words and words[0] in structs and "&" not in param:
                messages.append(f"struct parameter '{param}' must be passed by reference (&)")
    messages.extend(
        f"indexing string '{name}[...]' is not MQL5: use StringGetCharacter"
        for name in string_vars
        if re.search(rf"\b{re.escape(name)}\s*\[", line)
    )
    return messages


def lint_text(text: str, path: str = "<text>") -> list[Finding]:
    """Findings for one MQL5 source text."""
    findings: list[Finding] = []
    code = _blank(text)
    structs, string_vars = _collect(code)
    mql5_only: list[bool] = []  # the #if nesting; True where the level is #ifdef __MQL5__
    for number, (line, raw) in enumerate(zip(code, text.splitlines(), strict=True), start=1):
        if _IFDEF_MQL5.match(line):
            mql5_only.append(True)
        elif _IF.match(line):
            mql5_only.append(False)
        elif _ENDIF.match(line) and mql5_only:
            mql5_only.pop()
        if _IMPORT.match(line) and not any(mql5_only):
            findings.append(Finding(path, number, "#import/#resource only inside #ifdef __MQL5__"))
        findings.extend(
            Finding(path, number, message)
            for message in _line_findings(line, raw, structs, string_vars)
        )
    return findings


def lint_file(path: Path) -> list[Finding]:
    """Findings for one .mq5/.mqh file."""
    return lint_text(path.read_text(encoding="utf-8"), str(path))


def main(argv: list[str]) -> int:
    repo = Path(__file__).resolve().parents[2]
    files = [Path(a) for a in argv] or sorted(
        p for p in (repo / "mql5").iterdir() if p.suffix in (".mq5", ".mqh")
    )
    findings = [f for path in files for f in lint_file(path)]
    for f in findings:
        print(f)
    print(f"{len(findings)} finding(s) in {len(files)} file(s)")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
