"""The fast cell cleaning gives exactly followthemoney's result, for every character."""

from __future__ import annotations

import sys

from followthemoney.util import sanitize_text

from casegraph.ingest.sources._text import clean_cell


def test_clean_cell_equals_sanitize_text_for_every_code_point() -> None:
    differences = []
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        for text in (char, f"a{char}b", f"e\u0301{char}"):
            if clean_cell(text) != sanitize_text(text):
                differences.append(text)
    assert differences == []


def test_clean_cell_strips_and_drops_empty_text() -> None:
    assert clean_cell("  Acme Ltd \t") == "Acme Ltd"
    assert clean_cell(" \u200b ") is None
    assert clean_cell("Cafe\u0301") == "Café"
