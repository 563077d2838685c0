"""docs/journal.md is the journal's reference (issue 13 item 6): one section per row kind, and
exactly the kinds of `JournalKind`, which names every kind a writer in bridge/ journals."""

from __future__ import annotations

import re
from pathlib import Path

from bridge.journal_kinds import JournalKind, SliceStatus

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "journal.md"


def _doc_kinds() -> list[str]:
    return re.findall(r"^## `([a-z_]+)`", DOC.read_text(encoding="utf-8"), flags=re.M)


def test_the_journal_reference_lists_every_kind_and_nothing_else():
    kinds = _doc_kinds()
    assert len(kinds) == len(set(kinds)), "a kind has two sections"
    assert set(kinds) == {k.value for k in JournalKind}


def test_every_kind_a_writer_journals_is_a_journal_kind():
    written = set()
    for path in (ROOT / "bridge").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        written |= set(re.findall(r"journal\.append\(\s*\"([a-z_]+)\"", text))
        written |= {m.lower() for m in re.findall(r"journal\.append\(\s*JournalKind\.([A-Z_]+)",
                                                  text)}
    assert written, "no writer found: the pattern is stale"
    assert written <= {k.value for k in JournalKind}, written - {k.value for k in JournalKind}


def test_the_slice_section_lists_every_slice_status():
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## `slice`", 1)[1].split("\n## ", 1)[0]
    for status in SliceStatus:
        assert f"`{status.value}`" in section, status


def test_the_readme_and_the_operator_guide_link_the_reference():
    for doc in (ROOT / "README.md", ROOT / "docs" / "operator.md"):
        assert "journal.md" in doc.read_text(encoding="utf-8"), doc
