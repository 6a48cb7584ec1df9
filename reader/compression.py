"""Gzip for a cached document that carries a per-response secret (a page's CSRF token).

A signed-in tier page is the same bytes on every request except for its CSRF
token, which Django masks anew for each response (its BREACH mitigation).
Compressing 300 KB on every request costs ~4 ms; this compresses the parts
between the token's places once, and per response only joins them around the
token.

Each part is raw deflate ending in a full flush: byte-aligned, referring back
only into the parts before it and never into a secret, so the parts
concatenate into one valid deflate stream whatever secret sits between them
(RFC 1951, 3.2.4; pigz joins its blocks the same way). The secret goes between them as a *stored* block: it is never
compressed, so the compressed length says nothing about it, and the gzip header
carries a random-length file name, the padding Django's GZipMiddleware adds.

Pure Python: no Django.
"""

from __future__ import annotations

import secrets
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

_GZIP_MAGIC_DEFLATE = b"\x1f\x8b\x08"
_FNAME = 0x08
_UNIX = 3
_FINAL_EMPTY_BLOCK = b"\x03\x00"  # a last, empty block with fixed Huffman codes
_STORED_MAX = 0xFFFF
_WINDOW = 32 * 1024
_UNMATCHABLE = b"\x00"


@dataclass(frozen=True)
class DeflatedParts:
    """A document's parts between a secret's places, each deflated once; see :func:`gzip_around`.

    ``crc_with_nul_secrets`` and ``secret_crc_effect`` give the document's CRC-32 whatever the secret
    (:func:`_document_crc`) without reading the document again for each response.
    """

    parts: tuple[bytes, ...]
    secret_length: int
    length: int
    crc_with_nul_secrets: int
    secret_crc_effect: tuple[int, ...]


def deflate_parts(parts: Sequence[bytes], *, secret_length: int, level: int = 6) -> DeflatedParts:
    """Each part deflated on its own, for secrets of ``secret_length`` bytes between them.

    A part may refer back into the parts before it (a preset dictionary of the
    last 32 KB the decompressor has seen), but never into a secret: the
    secret's bytes are NUL in that dictionary, and a document with a NUL in it
    gets no dictionary at all, so no back-reference can land on a secret.
    """
    use_history = not any(_UNMATCHABLE in part for part in parts)
    filler = _UNMATCHABLE * secret_length
    deflated = []
    history = b""
    for index, part in enumerate(parts):
        if index and use_history:
            history = (history + filler)[-_WINDOW:]
            compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS, zdict=history)
        else:
            compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
        deflated.append(compressor.compress(part) + compressor.flush(zlib.Z_FULL_FLUSH))
        history = (history + part)[-_WINDOW:]
    length = sum(map(len, parts)) + secret_length * (len(parts) - 1)
    return DeflatedParts(
        tuple(deflated), secret_length, length, _crc_with_secret(parts, _NUL * secret_length), _secret_crc_effect(parts, secret_length)
    )


def gzip_around(parts: Sequence[bytes], deflated: DeflatedParts, secret: bytes, *, max_padding: int = 100) -> bytes:
    """The gzip of ``secret.join(parts)``, from ``deflated = deflate_parts(parts, secret_length=len(secret))``."""
    if len(parts) != len(deflated.parts):
        raise ValueError(f"{len(parts)} parts but {len(deflated.parts)} deflated parts")
    if len(secret) != deflated.secret_length:
        raise ValueError(f"the parts were deflated for a secret of {deflated.secret_length} bytes, not {len(secret)}")
    if len(secret) > _STORED_MAX:
        raise ValueError(f"a secret of {len(secret)} bytes does not fit one stored block")
    stored_secret = b"\x00" + struct.pack("<HH", len(secret), len(secret) ^ 0xFFFF) + secret
    pieces = [_header(max_padding)]
    for index, compressed in enumerate(deflated.parts):
        if index:
            pieces.append(stored_secret)
        pieces.append(compressed)
    pieces += [_FINAL_EMPTY_BLOCK, struct.pack("<II", _document_crc(parts, deflated, secret), deflated.length & 0xFFFFFFFF)]
    return b"".join(pieces)  # one copy of the body


# --- the CRC-32 of the document, per secret, without reading the document ---------------------------
#
# CRC-32 is affine: for messages of one length n, crc(X ^ Y) = crc(X) ^ lin(Y), where lin(Y) = crc(Y) ^
# crc(n NULs) is linear in Y's bits. The document with secret s is the document with NUL secrets XOR
# the message D(s) that is NUL but for s in each secret's place, so
#     crc(document) = crc(document with NUL secrets) ^ lin(D(s)).
# NULs in front of a message leave lin unchanged, and lin(s followed by k NULs) is lin(s) times a power
# of x, a linear map of lin(s) alone; so lin(D(s)) = A lin(s) for a 32 x 32 bit matrix A fixed by the
# document. A's columns are found once, from 32 secrets whose lin values span the 32 bits; per
# response it is one CRC of the secret and at most 32 XORs, where reading a 250 KB page again took 70 us.

_NUL = b"\x00"
_CRC_BITS = 32
_SHORTEST_SECRET = 4  # the CRC of 4 bytes takes every 32-bit value: shorter secrets cannot span A's columns


def _crc_with_secret(parts: Sequence[bytes], secret: bytes) -> int:
    crc = 0
    for index, part in enumerate(parts):
        if index:
            crc = zlib.crc32(secret, crc)
        crc = zlib.crc32(part, crc)
    return crc


def _lin(message: bytes) -> int:
    return zlib.crc32(message) ^ zlib.crc32(_NUL * len(message))


def _secret_crc_effect(parts: Sequence[bytes], secret_length: int) -> tuple[int, ...]:
    """The columns of A (above): A's column b is lin(D(s)) for a secret s with lin(s) = 1 << b."""
    if secret_length < _SHORTEST_SECRET or len(parts) < 2:
        return ()
    nul_document = [_NUL * len(part) for part in parts]
    all_nul_crc = _crc_with_secret(nul_document, _NUL * secret_length)
    # Secrets that are NUL but for one bit of their last 4 bytes: their lin values are a basis.
    basis = []
    for bit in range(_CRC_BITS):
        secret = _NUL * (secret_length - 4) + (1 << bit).to_bytes(4, "little")
        basis.append((_lin(secret), _crc_with_secret(nul_document, secret) ^ all_nul_crc))
    # Gauss-Jordan over GF(2) on (lin(s), lin(D(s))) pairs, which stay pairs under XOR: ends with lin(s) = 1 << b.
    for bit in range(_CRC_BITS):
        pivot = next(index for index in range(bit, _CRC_BITS) if basis[index][0] >> bit & 1)
        basis[bit], basis[pivot] = basis[pivot], basis[bit]
        pivot_secret, pivot_effect = basis[bit]
        for index in range(_CRC_BITS):
            if index != bit and basis[index][0] >> bit & 1:
                basis[index] = (basis[index][0] ^ pivot_secret, basis[index][1] ^ pivot_effect)
    return tuple(effect for _, effect in basis)


def _document_crc(parts: Sequence[bytes], deflated: DeflatedParts, secret: bytes) -> int:
    if not deflated.secret_crc_effect:
        return _crc_with_secret(parts, secret)
    secret_lin = _lin(secret)
    crc = deflated.crc_with_nul_secrets
    for bit, effect in enumerate(deflated.secret_crc_effect):
        if secret_lin >> bit & 1:
            crc ^= effect
    return crc


def _header(max_padding: int) -> bytes:
    """Gzip header with mtime 0 and, as padding, a file name of 1 to ``max_padding`` random characters."""
    if max_padding <= 0:
        return _GZIP_MAGIC_DEFLATE + struct.pack("<BIBB", 0, 0, 0, _UNIX)
    name = secrets.token_urlsafe(max_padding)[: 1 + secrets.randbelow(max_padding)].encode()
    return _GZIP_MAGIC_DEFLATE + struct.pack("<BIBB", _FNAME, 0, 0, _UNIX) + name + b"\x00"
