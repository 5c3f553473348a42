"""Signed checkpoints: round trip, tampering, and interop with Go's note package and a
production log (sum.golang.org), whose signed tree heads are tlog-checkpoints."""

from __future__ import annotations

import base64

import pytest

from casegraph.errors import AuditIntegrityError
from casegraph.security.checkpoint import (
    Checkpoint,
    SigningKey,
    VerifierKey,
    key_id,
    open_checkpoint,
    open_note,
    sign_checkpoint,
    sign_note,
)
from casegraph.security.merkle import leaf_hash, root_of

ORIGIN = "casegraph.example/audit"
ROOT = root_of([leaf_hash(b"a"), leaf_hash(b"b"), leaf_hash(b"c")])

# golang.org/x/mod/sumdb/note, note_test.go.
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKv"
    "qfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTG"
    "wnWLox33WWd1RvMc+QQ=\n"
)

# sum.golang.org's key, as built into the go command (cmd/go/internal/modfetch/key.go),
# and signed tree heads it served, as published in sigsum's witness design notes and in
# the go-sumdb article of goproxy.cn's users.
SUMDB_VKEY = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
SUMDB_NOTES = [
    (
        15368405,
        "go.sum database tree\n15368405\n/g9am3I6YWNKaZX/jkne1fqd9zEyjss+JXyPXG0WfkY=\n\n"
        "— sum.golang.org Az3grqJGUaSGukG9p8nI2vKgiFn7qGHxn0W+mrwyI6Gz3F0t1J3LzmWk/p96Ybf295E"
        "jwdSwlzgijq5WA9d1Ded7owM=\n",
    ),
    (
        445646,
        "go.sum database tree\n445646\njEFFy4AtYgBBNTSZTiNnQrgQqMbcH0mfO2oP2FxR9VU=\n\n"
        "— sum.golang.org Az3grkGho/PqvUmEuTv6+r2g303hUhu60FOD6vLpm19mBwH9UjquWY2OKxNmZ55z0gH"
        "rp24AgPC3Q5WO7uZrVdvdCQU=\n",
    ),
]


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey.generate(ORIGIN)


def _sig_line(note: str) -> tuple[str, bytes]:
    text, _, line = note.rpartition("\n\n")
    return text + "\n", base64.b64decode(line.rstrip("\n").split(" ")[-1])


def _with_sig(note: str, raw: bytes) -> str:
    text, _, line = note.rpartition("\n\n")
    prefix = line.rsplit(" ", 1)[0]
    return f"{text}\n\n{prefix} {base64.b64encode(raw).decode()}\n"


# Round trip and tampering.


@pytest.mark.parametrize("extensions", [(), ("ext one", "ext-two")])
@pytest.mark.parametrize("size", [0, 3, 2**64 - 1])
def test_sign_open_round_trip(key: SigningKey, size: int, extensions: tuple[str, ...]) -> None:
    cp = Checkpoint(ORIGIN, size, ROOT, extensions)
    note = sign_checkpoint(cp, key)
    assert note.startswith(cp.body() + "\n— " + ORIGIN + " ")
    assert note.endswith("\n")
    assert open_checkpoint(note, key.verifier_key()) == cp
    assert open_checkpoint(note.encode("utf-8"), key.verifier, origin=ORIGIN) == cp


def test_body_format() -> None:
    cp = Checkpoint("example.com/behind-the-sofa", 20852163, bytes(32), ("x",))
    assert cp.body() == (
        "example.com/behind-the-sofa\n20852163\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nx\n"
    )
    spec = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    parsed = Checkpoint.from_body(spec)  # the example of c2sp.org/tlog-checkpoint
    assert (parsed.origin, parsed.size, parsed.extensions) == (
        "example.com/behind-the-sofa",
        20852163,
        (),
    )
    assert parsed.body() == spec


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (f"\n3\n{base64.b64encode(ROOT).decode()}", f"\n4\n{base64.b64encode(ROOT).decode()}"),
        (base64.b64encode(ROOT).decode(), base64.b64encode(bytes(32)).decode()),
        (f"{ORIGIN}\n3", f"{ORIGIN}2\n3"),
        ("\n\n—", "\nextension\n\n—"),
    ],
    ids=["size", "root", "origin", "added-extension"],
)
def test_changed_text_is_rejected(key: SigningKey, old: str, new: str) -> None:
    note = sign_checkpoint(Checkpoint(ORIGIN, 3, ROOT), key)
    assert old in note
    with pytest.raises(AuditIntegrityError, match="Invalid signature"):
        open_checkpoint(note.replace(old, new, 1), key.verifier_key())


def test_flipped_signature_bytes_are_rejected(key: SigningKey) -> None:
    note = sign_checkpoint(Checkpoint(ORIGIN, 3, ROOT), key)
    _, raw = _sig_line(note)
    assert len(raw) == 68
    for i in range(len(raw)):
        for bit in (0, 7):
            bad = raw[:i] + bytes([raw[i] ^ (1 << bit)]) + raw[i + 1 :]
            with pytest.raises(AuditIntegrityError) as info:
                open_checkpoint(_with_sig(note, bad), key.verifier_key())
            # A flip in the key ID makes the signature one by an unknown key.
            assert ("not signed by" if i < 4 else "Invalid signature") in str(info.value)


def test_wrong_key_is_rejected(key: SigningKey) -> None:
    note = sign_checkpoint(Checkpoint(ORIGIN, 3, ROOT), key)
    other = SigningKey.generate(ORIGIN)  # same name, other key: other key ID
    with pytest.raises(AuditIntegrityError, match="not signed by"):
        open_checkpoint(note, other.verifier_key())
    with pytest.raises(AuditIntegrityError, match="not signed by"):
        open_checkpoint(note, SigningKey.generate("someone.else").verifier_key())
    # A forged signature line claiming our name and key ID but made by another key.
    assert other.key_id != key.key_id
    text, _ = _sig_line(note)
    raw = key.key_id.to_bytes(4, "big") + other.sign(text.encode())
    with pytest.raises(AuditIntegrityError, match="Invalid signature"):
        open_checkpoint(_with_sig(note, raw), key.verifier_key())


def test_other_signatures_are_ignored_and_origin_checked(key: SigningKey) -> None:
    cp = Checkpoint(ORIGIN, 3, ROOT)
    witness = SigningKey.generate("witness.example")
    ours = sign_checkpoint(cp, key)
    theirs = sign_checkpoint(cp, witness)
    cosigned = ours + theirs.rpartition("\n\n")[2]
    assert open_checkpoint(cosigned, key.verifier_key()) == cp
    assert open_checkpoint(cosigned, witness.verifier_key()) == cp
    with pytest.raises(AuditIntegrityError, match="not for"):
        open_checkpoint(ours, key.verifier_key(), origin="another.example/log")


@pytest.mark.parametrize(
    "body",
    [
        f"{ORIGIN}\n03\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n+3\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n 3\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n1_0\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n٣\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n-1\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n{2**64}\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n3\n{base64.b64encode(ROOT[:31]).decode()}\n",
        f"{ORIGIN}\n3\n{base64.b64encode(ROOT).decode().rstrip('=')}\n",
        f"{ORIGIN}\n3\n{base64.urlsafe_b64encode(bytes([255]) * 32).decode()}\n",
        f"{ORIGIN}\n3\n",
        f"{ORIGIN}\n3\n{base64.b64encode(ROOT).decode()}\n\nextension\n",
        f"\n3\n{base64.b64encode(ROOT).decode()}\n",
    ],
)
def test_malformed_checkpoint_text_is_rejected_even_when_signed(key: SigningKey, body: str) -> None:
    note = sign_note(body, key)
    with pytest.raises(AuditIntegrityError):
        open_checkpoint(note, key.verifier_key())


def test_non_canonical_base64_root_is_rejected() -> None:
    good = base64.b64encode(bytes(32)).decode()  # ends in "A=": 2 spare zero bits
    assert good.endswith("A=")
    with pytest.raises(AuditIntegrityError, match="canonical"):
        Checkpoint.from_body(f"{ORIGIN}\n3\n{good[:-2]}B=\n")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"origin": ""},
        {"origin": "a\nb"},
        {"origin": "tab\there"},
        {"size": -1},
        {"size": 2**64},
        {"size": True},
        {"root": ROOT[:31]},
        {"extensions": ("",)},
        {"extensions": ("a\nb",)},
        {"extensions": ["x"]},
    ],
)
def test_checkpoint_fields_are_checked(kwargs: dict[str, object]) -> None:
    fields: dict[str, object] = {"origin": ORIGIN, "size": 3, "root": ROOT, "extensions": ()}
    fields.update(kwargs)
    with pytest.raises(AuditIntegrityError):
        Checkpoint(**fields)  # type: ignore[arg-type]


# Keys.


def test_key_strings_round_trip(key: SigningKey) -> None:
    again = SigningKey.from_private_key(key.private_key())
    assert again.verifier_key() == key.verifier_key()
    assert str(VerifierKey.parse(key.verifier_key())) == key.verifier_key()
    name, id_hex, _ = key.verifier_key().split("+", 2)
    assert name == ORIGIN
    assert int(id_hex, 16) == key.key_id == key_id(ORIGIN, key.verifier.public_key)
    assert key.private_key() not in repr(key)
    assert key.private_key().rsplit("+", 1)[1] not in repr(key)


@pytest.mark.parametrize("name", ["", "has space", "has+plus", "nbsp\u00a0", "ctl\x01"])
def test_bad_key_names_are_refused(name: str) -> None:
    with pytest.raises(AuditIntegrityError):
        SigningKey.generate(name)


# Interop: golang.org/x/mod/sumdb/note test vectors.


def test_go_keys_parse_and_sign_byte_for_byte() -> None:
    signer = SigningKey.from_private_key(PETER_SKEY)
    assert signer.verifier_key() == PETER_VKEY
    assert signer.private_key() == PETER_SKEY
    assert str(VerifierKey.parse(PETER_VKEY)) == PETER_VKEY
    assert sign_note(GO_TEXT, signer) == GO_TEXT + "\n" + PETER_SIG


def _manglings(key: str) -> set[str]:
    """Every proper substring and every one-character increment, as note_test.go does."""
    out = {key[i:j] for i in range(len(key) + 1) for j in range(i + 1, len(key) + 1)}
    out |= {key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :] for i in range(len(key))}
    out.discard(key)
    return out


def test_go_mangled_keys_are_refused() -> None:
    for bad in sorted(_manglings(PETER_VKEY)):
        with pytest.raises(AuditIntegrityError):
            VerifierKey.parse(bad)
    for bad in sorted(_manglings(PETER_SKEY)):
        with pytest.raises(AuditIntegrityError):
            SigningKey.from_private_key(bad)
    # Wrong key length and unknown algorithm, each with a matching key ID (note_test.go).
    for bad in (
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ):
        with pytest.raises(AuditIntegrityError):
            VerifierKey.parse(bad)


def test_go_open() -> None:
    both = GO_TEXT + "\n" + PETER_SIG + ENOCH_SIG
    assert open_note(both, PETER_VKEY) == GO_TEXT
    assert open_note(both, ENOCH_VKEY) == GO_TEXT
    with pytest.raises(AuditIntegrityError, match="not signed by"):
        open_note(both, SigningKey.generate("CarmenSandiego").verifier_key())
    misnamed = GO_TEXT + "\n" + PETER_SIG.replace("PeterNeumann", "CarmenSandiego")
    with pytest.raises(AuditIntegrityError, match="not signed by"):
        open_note(misnamed, PETER_VKEY)

    # Go indexes bytes: insert "ABCD" 60 bytes into the signature line.
    sig = PETER_SIG.encode()
    altered = GO_TEXT.encode() + b"\n" + sig[:60] + b"ABCD" + sig[60:]
    with pytest.raises(AuditIntegrityError, match="Invalid signature"):
        open_note(altered, PETER_VKEY)

    # Repeated signatures and a bad one by an unknown key are fine.
    enoch = ENOCH_SIG.encode()
    repeated = (
        GO_TEXT.encode() + b"\n" + sig + sig + enoch + enoch + enoch[:60] + b"ABCD" + enoch[60:]
    )
    assert open_note(repeated, PETER_VKEY) == GO_TEXT

    assert open_note(GO_TEXT + "\n" + PETER_SIG * 100, PETER_VKEY) == GO_TEXT
    with pytest.raises(AuditIntegrityError, match="more than 100"):
        open_note(GO_TEXT + "\n" + PETER_SIG * 101, PETER_VKEY)


@pytest.mark.parametrize(
    "message",
    [
        GO_TEXT.encode(),
        (GO_TEXT + "\n").encode(),
        (GO_TEXT + "\n" + PETER_SIG[:-1]).encode(),
        ("\x01" + GO_TEXT + "\n" + PETER_SIG).encode(),
        b"\xff" + (GO_TEXT + "\n" + PETER_SIG).encode(),
        (GO_TEXT + "\n" + "— Bad Name " + PETER_SIG.split(" ")[-1][:-1]).encode(),
        (GO_TEXT + "\n" + PETER_SIG + "Unexpected line.\n").encode(),
        (GO_TEXT.replace("\n", "\r\n", 1) + "\n" + PETER_SIG).encode(),
        (GO_TEXT + "\n" + PETER_SIG.replace("—", "-")).encode(),
    ],
    ids=[
        "no-signatures",
        "blank-line-only",
        "no-final-newline",
        "control-char",
        "invalid-utf8",
        "bad-name",
        "unexpected-line",
        "carriage-return",
        "hyphen-not-em-dash",
    ],
)
def test_go_malformed_notes_are_rejected(message: bytes) -> None:
    with pytest.raises(AuditIntegrityError):
        open_note(message, PETER_VKEY)


# Interop: a production transparency log.


@pytest.mark.parametrize(("size", "note"), SUMDB_NOTES, ids=[str(s) for s, _ in SUMDB_NOTES])
def test_sum_golang_org_checkpoints_verify(size: int, note: str) -> None:
    cp = open_checkpoint(note, SUMDB_VKEY, origin="go.sum database tree")
    assert cp.size == size
    assert cp.body() == note.partition("\n\n")[0] + "\n"
    tampered = note.replace(f"\n{size}\n", f"\n{size + 1}\n")
    with pytest.raises(AuditIntegrityError, match="Invalid signature"):
        open_checkpoint(tampered, SUMDB_VKEY)
