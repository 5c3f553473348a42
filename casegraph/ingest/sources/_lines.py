"""Splitting a binary stream into physical lines, in constant memory.

Lines are split on the encoded line feed (`\\n`), so a `\\r\\n` ending counts as one
line break and a lone `\\r` inside a line does not start a new one. Files that use
only `\\r` (classic Mac OS) are split on `\\r` instead, as decided by the caller.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from casegraph.errors import SourceError
from casegraph.ingest.sources._text import encoding_label

#: How much is read at a time when the fast path (`\n`, one-byte units) does not apply.
_CHUNK = 1 << 20


def split_lines(stream: BinaryIO, newline: bytes = b"\n", unit: int = 1) -> Iterator[bytes]:
    """Yield the lines of `stream`, each with its terminator (the last may have none).

    `unit` is the code unit size of the encoding (2 for UTF-16, 4 for UTF-32): a
    newline is only recognised at an offset that is a multiple of it, so that the
    byte 0x0A inside another UTF-16 character does not split a line.
    """
    if newline == b"\n" and unit == 1:
        yield from stream
        return
    pending = b""
    size = len(newline)
    while chunk := stream.read(_CHUNK):
        pending += chunk
        start = search = 0
        while (found := pending.find(newline, search)) >= 0:
            if (found - start) % unit:
                search = found + 1
                continue
            yield pending[start : found + size]
            start = search = found + size
        pending = pending[start:]
    if pending:
        yield pending


#: What to do about a line that does not decode, for files whose encoding can be chosen.
ENCODING_HINT = "re-save the file as UTF-8 or pass --encoding"


def open_binary(path: Path) -> BinaryIO:
    """Open `path` for reading bytes, or raise a `SourceError` that says what to do."""
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise SourceError(f"{path} does not exist; check the path.") from None
    except IsADirectoryError:
        raise SourceError(f"{path} is a directory; give the path of a file.") from None
    except OSError as exc:
        raise SourceError(
            f"{path} cannot be opened ({exc.strerror}); check the path and permissions."
        ) from None


def decode_problem(
    line_no: int, exc: UnicodeDecodeError, codec: str, hint: str = ENCODING_HINT
) -> str:
    """The message for a line that does not decode, e.g. `line 17 is not valid UTF-8...`."""
    bad = exc.object[exc.start : exc.end]
    what = "byte" if len(bad) == 1 else "bytes"
    shown = " ".join(f"0x{b:02X}" for b in bad[:4])
    return (
        f"line {line_no} is not valid {encoding_label(codec)}: {what} {shown} at position "
        f"{exc.start + 1}; {hint}"
    )


def nul_problem(line_no: int, position: int) -> str:
    """The message for a line holding a NUL character (binary data, or a wrong encoding)."""
    return (
        f"line {line_no} contains a NUL byte at position {position + 1}; the file may be "
        "binary or in another encoding such as UTF-16 (pass --encoding)"
    )


def utf8_problem(line_no: int, codec: str) -> str:
    """The message for a UTF-8 line in a file whose detected encoding is another."""
    return (
        f"line {line_no} is UTF-8, but the file was detected as {encoding_label(codec)} "
        "(mixed encodings); re-save the file as UTF-8 or pass --encoding"
    )
