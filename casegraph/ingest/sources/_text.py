"""Text helpers shared by the source readers: cell cleaning and raw-text rendering."""

from __future__ import annotations

from unicodedata import is_normalized

from followthemoney.util import sanitize_text


def clean_cell(value: str) -> str | None:
    """Clean one cell exactly like followthemoney's `sanitize_text`; `None` when empty.

    Every character that `sanitize_text` removes or replaces (controls, invisible
    formatting, unusual spaces, surrogates) is non-printable, and the only
    printable whitespace is the plain space. So printable text that is already in
    NFC only needs stripping: the same result, several times faster on the common
    case. A test checks this equivalence for every code point.
    """
    if value.isprintable() and (value.isascii() or is_normalized("NFC", value)):
        return value.strip() or None
    return sanitize_text(value)


def escape_nul(text: str) -> str:
    """NUL characters written as `\\x00`, so raw text stays writable to a rejects file."""
    return text.replace("\x00", "\\x00")


def encoding_label(codec: str) -> str:
    """A user-facing name for a Python codec name, e.g. `utf-8` -> `UTF-8`."""
    if codec.startswith("utf"):
        return codec.upper().removesuffix("-LE").removesuffix("-BE")
    return codec
