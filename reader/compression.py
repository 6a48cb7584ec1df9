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
    """A document's parts between a secret's places, each deflated once; see :func:`gzip_around`."""

    parts: tuple[bytes, ...]
    secret_length: int


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
    return DeflatedParts(tuple(deflated), secret_length)


def gzip_around(parts: Sequence[bytes], deflated: DeflatedParts, secret: bytes, *, max_padding: int = 100) -> bytes:
    """The gzip of ``secret.join(parts)``, from ``deflated = deflate_parts(parts, secret_length=len(secret))``."""
    if len(parts) != len(deflated.parts):
        raise ValueError(f"{len(parts)} parts but {len(deflated.parts)} deflated parts")
    if len(secret) != deflated.secret_length:
        raise ValueError(f"the parts were deflated for a secret of {deflated.secret_length} bytes, not {len(secret)}")
    if len(secret) > _STORED_MAX:
        raise ValueError(f"a secret of {len(secret)} bytes does not fit one stored block")
    stored_secret = b"\x00" + struct.pack("<HH", len(secret), len(secret) ^ 0xFFFF) + secret
    crc = 0
    length = 0
    body = []
    for index, (part, compressed) in enumerate(zip(parts, deflated.parts)):
        if index:
            body.append(stored_secret)
            crc = zlib.crc32(secret, crc)
            length += len(secret)
        body.append(compressed)
        crc = zlib.crc32(part, crc)
        length += len(part)
    return b"".join(
        [
            _header(max_padding),
            *body,
            _FINAL_EMPTY_BLOCK,
            struct.pack("<II", crc, length & 0xFFFFFFFF),
        ]
    )


def _header(max_padding: int) -> bytes:
    """Gzip header with mtime 0 and, as padding, a file name of 1 to ``max_padding`` random characters."""
    if max_padding <= 0:
        return _GZIP_MAGIC_DEFLATE + struct.pack("<BIBB", 0, 0, 0, _UNIX)
    name = secrets.token_urlsafe(max_padding)[: 1 + secrets.randbelow(max_padding)].encode()
    return _GZIP_MAGIC_DEFLATE + struct.pack("<BIBB", _FNAME, 0, 0, _UNIX) + name + b"\x00"
