"""The MQL5→C++ translation is line-preserving and the lint rejects non-portable constructs."""

from __future__ import annotations

import re
from pathlib import Path

import harness
import pytest
from mq5_to_cpp import translate_file, translate_line
from mql5_lint import lint_file, lint_text


def test_the_ea_sources_pass_the_lint() -> None:
    files = [p for p in harness.MQL5_DIR.iterdir() if p.suffix in (".mq5", ".mqh")]
    assert len(files) >= 2
    findings = [str(f) for p in files for f in lint_file(p)]
    assert findings == []


@pytest.mark.parametrize(
    ("snippet", "reason"),
    [
        ("void f() { int *p; p->x = 1; }", "->"),
        ("std::string s;", "std::"),
        ("auto x = 1;", "auto"),
        ("void f() { CTrade *t = new CTrade(); }", "new"),
        ("void f() { for(int x : xs) {} }", "range-for"),
        ("unsigned int n = 0;", "unsigned"),
        ("long long n = 0;", "long long"),
        ('string s = "err " + 5;', "string + number"),
        ('string s = "a" + \'b\';', "char literal"),
        ("string s = (string)x;", "(string)"),
        ("void f() { this.x = 1; }", "this"),
        ("#pragma once", "#pragma"),
        ("datetime t = D'2024.01.01';", "C'..'"),
        ("double a[][4];", "multi-dimensional"),
        ('#import "user32.dll"', "#import"),
        ("void f(MqlTick t) {}", "by reference"),
        ("void f() { int n = strlen(s); }", "C library"),
        ("string s = \"ab\";\nushort c = s[0];", "indexing string"),
        ("void f() { try { } catch(...) {} }", "exceptions"),
        ("int n = nullptr;", "nullptr"),
    ],
)
def test_the_lint_rejects(snippet: str, reason: str) -> None:
    messages = " | ".join(f.message for f in lint_text(snippet))
    assert reason in messages, f"{snippet!r} not rejected for {reason!r}: {messages!r}"


def test_the_lint_allows_mql5_only_code_inside_ifdef() -> None:
    text = '#ifdef __MQL5__\n#import "user32.dll"\nint MessageBoxW(int h);\n#import\n#endif\n'
    assert lint_text(text) == []


def test_the_lint_ignores_comments_and_string_contents() -> None:
    assert lint_text('// std::vector -> new\nstring s = "auto -> new";\n') == []


def test_translation_rewrites_arrays_strings_and_properties() -> None:
    assert translate_line("#property version \"1.00\"")[0] == ""
    assert translate_line('input group "Limits"')[0] == ""
    assert translate_line("string names[];")[0] == "MqlArray<string> names;"
    assert (translate_line("int f(const string &lines[], double &lots[])")[0]
            == "int f(const MqlArray<string> &lines, MqlArray<double> &lots)")
    assert translate_line('Print("a\\"b" + x);')[0] == 'Print(string("a\\"b") + x);'
    assert translate_line("x = 'a'; // \"not a string\"")[0] == "x = 'a'; // \"not a string\""
    assert translate_line("double fixed[4];")[0] == "double fixed[4];"


def test_translation_keeps_block_comments_untouched() -> None:
    line, in_block = translate_line('/* "quoted"')
    assert line == '/* "quoted"'
    assert in_block
    line, in_block = translate_line('still "quoted" */ s = "x";', in_block)
    assert line == 'still "quoted" */ s = string("x");'
    assert not in_block


def test_translation_is_line_preserving_for_every_source_file() -> None:
    out = translate_file(harness.MQL5_DIR / harness.EA_MAIN).splitlines()
    seen: dict[tuple[str, int], str] = {}
    current: str | None = None
    number = 0
    for line in out[2:-1]:  # inside "namespace ea { ... }"
        m = re.match(r'#line (\d+) "(.+)"$', line)
        if m:
            number, current = int(m.group(1)), m.group(2)
            continue
        assert current is not None
        seen[(current, number)] = line
        number += 1
    files = {Path(f) for f, _ in seen}
    assert {f.name for f in files} == {
        p.name for p in harness.MQL5_DIR.iterdir() if p.suffix in (".mq5", ".mqh")
    }
    for f in files:
        in_block = False
        for n, src in enumerate(f.read_text(encoding="utf-8").splitlines(), start=1):
            if src.startswith('#include "'):
                assert (str(f), n) not in seen  # replaced by the included file
                continue
            want, in_block = translate_line(src, in_block)
            assert seen[(str(f), n)] == want, (f.name, n)
