"""docs/library.md runs: its Python blocks are executed in order as one script, and each prints
exactly the ```text block shown under it (issue 13 item 7)."""

from __future__ import annotations

import contextlib
import io
import re

import controller
from tests.conftest import REPO

LIBRARY_DOC = REPO / "docs" / "library.md"
_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```\n", re.DOTALL | re.MULTILINE)


def _examples(text: str) -> list[tuple[str, str | None]]:
    """(python source, expected output or None) per ```python block, in order. The output is the
    ```text block that follows it with nothing but blank lines between."""
    blocks = list(_BLOCK.finditer(text))
    examples: list[tuple[str, str | None]] = []
    for i, block in enumerate(blocks):
        if block.group(1) != "python":
            continue
        expected = None
        if i + 1 < len(blocks):
            after = blocks[i + 1]
            if after.group(1) == "text" and not text[block.end():after.start()].strip():
                expected = after.group(2)
        examples.append((block.group(2), expected))
    return examples


def test_the_python_blocks_of_docs_library_run_and_print_what_the_page_shows() -> None:
    examples = _examples(LIBRARY_DOC.read_text(encoding="utf-8"))
    assert len(examples) >= 5
    namespace: dict[str, object] = {"__name__": "docs_library"}
    for number, (source, expected) in enumerate(examples, start=1):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(source, f"docs/library.md block {number}", "exec"), namespace)
        if expected is not None:
            assert printed.getvalue() == expected, f"block {number} printed otherwise"


def test_the_example_check_fails_when_a_block_prints_something_else() -> None:
    page = "```python\nprint(1 + 1)\n```\n\n```text\n3\n```\n"
    ((source, expected),) = _examples(page)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(source, {})
    assert (printed.getvalue(), expected) == ("2\n", "3\n")


def test_docs_library_names_every_name_of_the_library_api() -> None:
    text = LIBRARY_DOC.read_text(encoding="utf-8")
    assert [name for name in controller.__all__ if name not in text] == []
