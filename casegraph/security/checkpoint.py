"""Signed checkpoints of the audit log: C2SP tlog-checkpoint in a C2SP signed note, Ed25519.

A checkpoint commits to the Merkle root (see `casegraph.security.merkle`) of the log at
one size. Its text is that of https://c2sp.org/tlog-checkpoint::

    casegraph.example/audit
    1234
    CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

and it is signed as a note of https://c2sp.org/signed-note, the format of Go's
golang.org/x/mod/sumdb/note, so a Go verifier, a witness or sum.golang.org's own tools
read what we write, and we read theirs::

    <text>
    <blank line>
    — <key name> base64(4-byte key ID || 64-byte Ed25519 signature)

Keys use the Go note encodings: the verifier key ``<name>+<key ID hex>+base64(0x01 ||
public key)``, the private key ``PRIVATE+KEY+<name>+<key ID hex>+base64(0x01 || seed)``,
with key ID = SHA-256(name || "\\n" || 0x01 || public key)[:4].

Pure: no IO. Everything that does not verify or parse raises `AuditIntegrityError` with
what was wrong; the signature is checked before the text is trusted, and the text is
parsed strictly (no leading zeros, canonical base64, no empty lines).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from casegraph.errors import AuditIntegrityError
from casegraph.security.merkle import HASH_SIZE

__all__ = [
    "ALG_ED25519",
    "MAX_SIGNATURES",
    "Checkpoint",
    "SigningKey",
    "VerifierKey",
    "key_id",
    "open_checkpoint",
    "open_note",
    "sign_checkpoint",
    "sign_note",
]

ALG_ED25519 = 0x01
"""The signed-note signature type byte of Ed25519."""

MAX_SIGNATURES = 100
"""Signature lines accepted in one note (Go's limit; the spec asks for at least 16)."""

MAX_TREE_SIZE = 2**64 - 1
"""Tree sizes are unsigned 64-bit integers in every other implementation."""

_SIG_PREFIX = "\u2014 "  # EM DASH, SPACE
_ED25519_SIG_SIZE = 64
_KEY_ID_HEX = re.compile(r"[0-9a-f]{8}")
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,19}")


def _fail(message: str) -> AuditIntegrityError:
    return AuditIntegrityError(message)


def _has_control(text: str) -> bool:
    """Whether text has an ASCII control character (below U+0020) other than newline."""
    return any(ord(c) < 0x20 and c != "\n" for c in text)


def _check_name(name: str, what: str) -> None:
    """Key names: non-empty, no Unicode space, no '+', no control character."""
    if not isinstance(name, str) or not name:
        raise _fail(f"The {what} must be a non-empty string.")
    if "+" in name or any(c.isspace() for c in name) or _has_control(name):
        raise _fail(
            f"The {what} {name!r} is not a valid note key name: it must have no spaces, "
            f"no '+' and no control characters."
        )
    _check_utf8(name, what)


def _check_utf8(text: str, what: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise _fail(f"The {what} is not valid UTF-8 text: {exc.reason}.") from None


def _b64decode(text: str, what: str) -> bytes:
    """Standard base64 with padding, canonical only (re-encoding gives the same text)."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise _fail(f"The {what} is not valid base64: {text!r}.") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise _fail(f"The {what} is not canonical base64: {text!r}.")
    return raw


def _b64encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def key_id(name: str, public_key: bytes, alg: int = ALG_ED25519) -> int:
    """The signed-note key ID: SHA-256(name || 0x0A || alg || public key)[:4], big-endian."""
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([alg]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


# Checkpoint text (c2sp.org/tlog-checkpoint).


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A tree head: the log's origin, its size and its Merkle root, plus extension lines.

    Construction checks the fields, so every `Checkpoint` has a well-formed `body()`.
    """

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.origin, str) or not self.origin:
            raise _fail("A checkpoint origin must be a non-empty string.")
        if "\n" in self.origin or _has_control(self.origin):
            raise _fail(f"A checkpoint origin must be one line of text: {self.origin!r}.")
        _check_utf8(self.origin, "checkpoint origin")
        if not isinstance(self.size, int) or isinstance(self.size, bool):
            raise _fail(f"A checkpoint size must be an integer, not {self.size!r}.")
        if not 0 <= self.size <= MAX_TREE_SIZE:
            raise _fail(f"A checkpoint size must be between 0 and 2^64 - 1, got {self.size}.")
        if not isinstance(self.root, bytes) or len(self.root) != HASH_SIZE:
            raise _fail(f"A checkpoint root must be {HASH_SIZE} bytes (SHA-256).")
        if not isinstance(self.extensions, tuple):
            raise _fail("Checkpoint extension lines must be given as a tuple of strings.")
        for line in self.extensions:
            if not isinstance(line, str) or not line:
                raise _fail("A checkpoint extension line must be a non-empty string.")
            if "\n" in line or _has_control(line):
                raise _fail(f"A checkpoint extension line must be one line of text: {line!r}.")
            _check_utf8(line, "checkpoint extension line")

    def body(self) -> str:
        """The note text: origin, decimal size, base64 root, extension lines; each ends "\\n"."""
        lines = [self.origin, str(self.size), _b64encode(self.root), *self.extensions]
        return "".join(f"{line}\n" for line in lines)

    @classmethod
    def from_body(cls, text: str) -> Checkpoint:
        """Parse a checkpoint note text strictly. It is only trustworthy once signed."""
        if not text.endswith("\n"):
            raise _fail("A checkpoint text must end with a newline.")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise _fail(
                f"A checkpoint text has at least 3 lines (origin, size, root), got {len(lines)}."
            )
        if any(not line for line in lines):
            raise _fail("A checkpoint text must not contain empty lines.")
        origin, size_line, root_line, *extensions = lines
        if not _DECIMAL.fullmatch(size_line):
            raise _fail(
                f"A checkpoint size must be ASCII decimal without leading zeros: {size_line!r}."
            )
        root = _b64decode(root_line, "checkpoint root")
        if len(root) != HASH_SIZE:
            raise _fail(f"A checkpoint root must be {HASH_SIZE} bytes, got {len(root)}.")
        return cls(origin, int(size_line), root, tuple(extensions))


# Keys (golang.org/x/mod/sumdb/note encodings).


@dataclass(frozen=True, slots=True)
class VerifierKey:
    """A public Ed25519 note key: name, key ID and the 32-byte public key."""

    name: str
    key_id: int
    public_key: bytes

    def __post_init__(self) -> None:
        _check_name(self.name, "key name")
        if len(self.public_key) != 32:
            raise _fail("An Ed25519 public key is 32 bytes.")
        if self.key_id != key_id(self.name, self.public_key):
            raise _fail(f"The key ID of verifier key {self.name!r} does not match its key.")

    @classmethod
    def parse(cls, vkey: str) -> VerifierKey:
        """Read `<name>+<key ID hex>+<base64(0x01 || public key)>`."""
        if not isinstance(vkey, str):
            raise _fail("A verifier key must be a string.")
        parts = vkey.split("+", 2)
        if len(parts) != 3:
            raise _fail("A verifier key has the form <name>+<key ID>+<base64 key>.")
        name, id_hex, key64 = parts
        _check_name(name, "verifier key name")
        if not _KEY_ID_HEX.fullmatch(id_hex):
            raise _fail(f"The key ID of a verifier key is 8 lowercase hex digits: {id_hex!r}.")
        raw = _b64decode(key64, "verifier key")
        if not raw or raw[0] != ALG_ED25519:
            raise _fail("The verifier key is not an Ed25519 key (type byte 0x01).")
        if len(raw) != 33:
            raise _fail(f"An Ed25519 verifier key is 32 bytes, got {len(raw) - 1}.")
        if int(id_hex, 16) != key_id(name, raw[1:]):
            raise _fail(f"The key ID {id_hex} does not match verifier key {name!r}.")
        return cls(name, int(id_hex, 16), raw[1:])

    def __str__(self) -> str:
        return f"{self.name}+{self.key_id:08x}+{_b64encode(bytes([ALG_ED25519]) + self.public_key)}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether `signature` is this key's Ed25519 signature of `message`."""
        if len(signature) != _ED25519_SIG_SIZE:
            return False
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


class SigningKey:
    """A private Ed25519 note key with its name. Its repr never shows the seed."""

    __slots__ = ("_name", "_private", "_seed", "_verifier")

    def __init__(self, name: str, seed: bytes) -> None:
        _check_name(name, "key name")
        if not isinstance(seed, bytes) or len(seed) != 32:
            raise _fail("An Ed25519 private key seed is 32 bytes.")
        self._name = name
        self._seed = seed
        self._private = Ed25519PrivateKey.from_private_bytes(seed)
        public = self._private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self._verifier = VerifierKey(name, key_id(name, public), public)

    @classmethod
    def generate(cls, name: str) -> SigningKey:
        """A new random key (the seed comes from the operating system's CSPRNG)."""
        seed = Ed25519PrivateKey.generate().private_bytes_raw()
        return cls(name, seed)

    @classmethod
    def from_private_key(cls, skey: str) -> SigningKey:
        """Read `PRIVATE+KEY+<name>+<key ID hex>+<base64(0x01 || seed)>`."""
        if not isinstance(skey, str):
            raise _fail("A private key must be a string.")
        parts = skey.split("+", 4)
        if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":
            raise _fail("A private key has the form PRIVATE+KEY+<name>+<key ID>+<base64 key>.")
        _, _, name, id_hex, key64 = parts
        _check_name(name, "private key name")
        if not _KEY_ID_HEX.fullmatch(id_hex):
            raise _fail("The key ID of a private key is 8 lowercase hex digits.")
        raw = _b64decode(key64, "private key")
        if not raw or raw[0] != ALG_ED25519:
            raise _fail("The private key is not an Ed25519 key (type byte 0x01).")
        if len(raw) != 33:
            raise _fail("An Ed25519 private key seed is 32 bytes.")
        key = cls(name, raw[1:])
        if key.key_id != int(id_hex, 16):
            raise _fail(f"The key ID {id_hex} does not match private key {name!r}.")
        return key

    def private_key(self) -> str:
        """The private key string to store (secret): the inverse of `from_private_key`."""
        return (
            f"PRIVATE+KEY+{self._name}+{self.key_id:08x}+"
            f"{_b64encode(bytes([ALG_ED25519]) + self._seed)}"
        )

    def verifier_key(self) -> str:
        """The public verifier key string to give to whoever checks checkpoints."""
        return str(self._verifier)

    @property
    def verifier(self) -> VerifierKey:
        return self._verifier

    @property
    def name(self) -> str:
        return self._name

    @property
    def key_id(self) -> int:
        return self._verifier.key_id

    def sign(self, message: bytes) -> bytes:
        """The raw 64-byte Ed25519 signature of `message`."""
        return self._private.sign(message)

    def __repr__(self) -> str:
        return f"SigningKey({self.verifier_key()!r})"


# Signed notes (c2sp.org/signed-note).


def sign_note(text: str, key: SigningKey) -> str:
    """The signed note: `text`, a blank line, and one signature line by `key`."""
    if not text.endswith("\n"):
        raise _fail("A note text must end with a newline.")
    if _has_control(text):
        raise _fail("A note text must not contain control characters other than newline.")
    _check_utf8(text, "note text")
    signature = key.key_id.to_bytes(4, "big") + key.sign(text.encode("utf-8"))
    return f"{text}\n{_SIG_PREFIX}{key.name} {_b64encode(signature)}\n"


def _as_verifier(verifier_key: str | VerifierKey) -> VerifierKey:
    if isinstance(verifier_key, VerifierKey):
        return verifier_key
    return VerifierKey.parse(verifier_key)


def open_note(message: str | bytes, verifier_key: str | VerifierKey) -> str:
    """The text of a signed note, once a signature by `verifier_key` is checked.

    As the signed-note spec says, signatures by other keys (other name or key ID) are
    ignored, every signature by the given key must verify, and at least one must be
    there. Raises `AuditIntegrityError` on a malformed note, a bad signature, or no
    signature by the key.
    """
    verifier = _as_verifier(verifier_key)
    if isinstance(message, bytes):
        try:
            message = message.decode("utf-8")
        except UnicodeDecodeError:
            raise _fail("The signed note is not valid UTF-8.") from None
    _check_utf8(message, "signed note")
    if _has_control(message):
        raise _fail("The signed note contains control characters other than newline.")
    split = message.rfind("\n\n")
    if split < 0:
        raise _fail("The signed note has no blank line before its signatures.")
    text, block = message[: split + 1], message[split + 2 :]
    if not block or not block.endswith("\n"):
        raise _fail("The signed note must end with signature lines, each ending in a newline.")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise _fail(f"The signed note has more than {MAX_SIGNATURES} signatures.")

    signed_text = text.encode("utf-8")
    seen: list[str] = []
    verified = 0
    for line in lines:
        if not line.startswith(_SIG_PREFIX):
            raise _fail(f"A signature line must start with an em dash and a space: {line!r}.")
        name, _, sig64 = line[len(_SIG_PREFIX) :].partition(" ")
        _check_name(name, "signature key name")
        if not sig64:
            raise _fail(f"The signature line of {name!r} has no signature.")
        raw = _b64decode(sig64, f"signature of {name!r}")
        if len(raw) < 5:
            raise _fail(f"The signature of {name!r} is too short.")
        signer_id = int.from_bytes(raw[:4], "big")
        seen.append(f"{name}+{signer_id:08x}")
        if name != verifier.name or signer_id != verifier.key_id:
            continue  # another key (a witness, a rotated key): ignored, as the spec says
        if not verifier.verify(signed_text, raw[4:]):
            raise _fail(
                f"Invalid signature for key {name}+{signer_id:08x}: the note was altered or "
                f"signed with another key."
            )
        verified += 1
    if not verified:
        raise _fail(
            f"The note is not signed by key {verifier.name}+{verifier.key_id:08x} "
            f"(unknown key); it is signed by {', '.join(seen)}."
        )
    return text


# Signed checkpoints.


def sign_checkpoint(checkpoint: Checkpoint, key: SigningKey) -> str:
    """The checkpoint as a note signed by `key`, ready to publish or store."""
    return sign_note(checkpoint.body(), key)


def open_checkpoint(
    text: str | bytes, verifier_key: str | VerifierKey, *, origin: str | None = None
) -> Checkpoint:
    """Check a signed checkpoint against `verifier_key` and parse it.

    With `origin`, the checkpoint must also be for that log. Raises
    `AuditIntegrityError` when the note is malformed, unsigned by the key, badly signed,
    or its text is not a well-formed checkpoint.
    """
    checkpoint = Checkpoint.from_body(open_note(text, verifier_key))
    if origin is not None and checkpoint.origin != origin:
        raise _fail(f"The checkpoint is for log {checkpoint.origin!r}, not for {origin!r}.")
    return checkpoint
