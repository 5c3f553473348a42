"""Choosing the text encoding of a delimited file from a sample of its bytes.

The order of evidence is: a byte order mark; NUL patterns of UTF-16/32 without a
mark; UTF-8, also when some lines are not valid UTF-8 (files pasted together from
several sources) as long as at least as many non-ASCII lines are valid UTF-8 as
not, so that the bad lines are rejected rather than the good ones mis-decoded; and
only then charset-normalizer's guess for legacy code pages, with a preference for
cp1252 when it reads the sample the same way.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

import charset_normalizer

from casegraph.errors import InvalidInputError

#: How many bytes from the start of the file are used to detect encoding and delimiter.
SAMPLE_SIZE = 1 << 20

_BOMS: list[tuple[bytes, str]] = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]

#: Codecs whose BOM-less form decodes as little endian, as Python does.
_ENDIAN_DEFAULT = {"utf-16": "utf-16-le", "utf-32": "utf-32-le", "utf-8-sig": "utf-8"}


@dataclass(frozen=True, slots=True)
class Encoding:
    """How to split and decode a file: codec, BOM to skip, line separator and unit."""

    codec: str
    bom: int = 0
    newline: bytes = b"\n"
    unit: int = 1


def lookup_codec(name: str) -> str:
    """The canonical Python codec name for a user-given encoding name."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise InvalidInputError(
            f"Unknown encoding {name!r}; use a name such as utf-8, utf-16, cp1252 or latin-1."
        ) from None


def detect_encoding(sample: bytes, explicit: str | None = None) -> Encoding:
    """The encoding of a file whose first bytes are `sample`.

    An `explicit` encoding is used as given, except that a matching byte order mark
    is skipped (and chooses the byte order for `utf-16`/`utf-32`).
    """
    bom_codec, bom = _bom(sample)
    if explicit is not None:
        codec = lookup_codec(explicit)
        codec = _ENDIAN_DEFAULT.get(codec, codec)
        if bom_codec is not None and bom_codec.split("-")[:2] == codec.split("-")[:2]:
            codec = bom_codec
        else:
            bom = 0
    elif bom_codec is not None:
        codec = bom_codec
    else:
        codec = _guess(sample)
    return _framing(codec, bom, sample[bom:])


def _bom(sample: bytes) -> tuple[str | None, int]:
    for mark, codec in _BOMS:
        if sample.startswith(mark):
            return codec, len(mark)
    return None, 0


def _guess(sample: bytes) -> str:
    if len(sample) >= SAMPLE_SIZE:
        # The sample may end inside a character: keep whole lines only.
        cut = sample.rfind(b"\n")
        sample = sample[: cut + 1] if cut > 0 else sample
    nuls = sample.count(0)
    if sample and nuls * 4 > len(sample):
        return _guess_wide(sample)
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    valid = invalid = 0
    legacy: list[bytes] = []  # the lines that are not UTF-8, for the legacy guess
    for line in sample.splitlines():
        if not line.isascii():
            try:
                line.decode("utf-8")
                valid += 1
                continue
            except UnicodeDecodeError:
                invalid += 1
        legacy.append(line)
    if valid >= invalid:
        # Valid multi-byte UTF-8 is rare by chance: treat the file as UTF-8 and
        # reject the other lines rather than mis-decode the UTF-8 ones.
        return "utf-8"
    # The UTF-8 lines will be rejected anyway; they would only mislead the guess.
    return _guess_legacy(b"\n".join(legacy))


def _guess_wide(sample: bytes) -> str:
    """UTF-16 or UTF-32 without a byte order mark, from where the NUL bytes sit."""
    head = sample[:4096]

    def mostly_nul(part: bytes) -> bool:
        return part.count(0) * 10 >= len(part) * 9

    if mostly_nul(head[2::4]) and mostly_nul(head[3::4]):
        return "utf-32-le"
    if mostly_nul(head[0::4]) and mostly_nul(head[1::4]):
        return "utf-32-be"
    return "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"


def _guess_legacy(sample: bytes) -> str:
    matches = charset_normalizer.from_bytes(sample)
    best = matches.best()
    if best is None:
        # Nothing fits: read as UTF-8 so that bad lines are rejected, not mangled.
        return "utf-8"
    codec = lookup_codec(best.encoding)
    if codec == "cp1252":
        return codec
    try:
        western = sample.decode("cp1252")
    except UnicodeDecodeError:
        return codec
    # charset-normalizer often cannot tell Latin code pages apart on short samples;
    # prefer the most common one when it ranks as well or reads the same text.
    for match in matches:
        if (
            lookup_codec(match.encoding) == "cp1252"
            and match.chaos <= best.chaos
            and match.coherence >= best.coherence
        ):
            return "cp1252"
    if sample.decode(codec, errors="replace") == western:
        return "cp1252"
    return codec


def _framing(codec: str, bom: int, body: bytes) -> Encoding:
    newline = "\n".encode(codec)
    unit = len(newline)
    carriage = "\r".encode(codec)
    if newline not in body and carriage in body:
        newline = carriage
    if not codec.startswith(("utf-16", "utf-32")):
        unit = 1
    return Encoding(codec=codec, bom=bom, newline=newline, unit=unit)
