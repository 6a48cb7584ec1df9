"""Gzip around a per-response secret: reader/compression.py (no Django, no database)."""

import gzip
import random
import string
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader import compression

PARTS = [b"<body data-token='", b"'><p>" + b"A long page that compresses well. " * 400 + b"</p><input value='", b"'></body>"]


def gzip_of(parts, secret, **options):
    return compression.gzip_around(parts, compression.deflate_parts(parts, secret_length=len(secret)), secret, **options)


@pytest.mark.parametrize(
    "parts",
    [PARTS, [b""], [b"", b""], [b"only"], [b"x" * 200_000, b"", b"y"], [bytes(range(256)) * 300, b"tail"], [b"ab" * 20_000, b"ab" * 20_000, b"b" * 10]],
)
def test_it_decompresses_to_the_parts_joined_around_the_secret(parts):
    secret = b"s3cr3t-" * 9
    assert gzip.decompress(gzip_of(parts, secret)) == secret.join(parts)
    # What browsers run: zlib with a gzip header, in one stream.
    assert zlib.decompress(gzip_of(parts, secret), wbits=31) == secret.join(parts)


@settings(max_examples=150, deadline=None)
@given(
    parts=st.lists(st.binary(max_size=3000), min_size=1, max_size=5),
    secret_length=st.integers(0, 80),
    secrets=st.lists(st.binary(min_size=80, max_size=80), min_size=1, max_size=4),
)
def test_the_crc_known_from_the_parts_is_that_of_the_document_for_any_secret(parts, secret_length, secrets):
    # The CRC is worked out once per document, not per secret (compression._document_crc); gzip checks it.
    deflated = compression.deflate_parts(parts, secret_length=secret_length)
    for secret in (secret[:secret_length] for secret in secrets):
        document = secret.join(parts)
        assert gzip.decompress(compression.gzip_around(parts, deflated, secret)) == document
        assert compression._document_crc(parts, deflated, secret) == zlib.crc32(document)


def test_the_secret_is_stored_not_compressed_so_the_length_does_not_depend_on_it():
    # Against BREACH: a secret that matches the page's text must not come out shorter.
    deflated = compression.deflate_parts(PARTS, secret_length=32)
    sizes = {
        len(compression.gzip_around(PARTS, deflated, secret, max_padding=0))
        for secret in (b"A long page that compresses well", b"x7Qz!pL0@wN3#rT8$vB2%kM6^hJ4&gF1")
    }
    assert len(sizes) == 1
    assert b"x7Qz!pL0@wN3#rT8$vB2%kM6^hJ4&gF1" in compression.gzip_around(PARTS, deflated, b"x7Qz!pL0@wN3#rT8$vB2%kM6^hJ4&gF1")


def test_the_header_is_padded_with_a_random_length_file_name():
    sizes = {len(gzip_of(PARTS, b"token")) for _ in range(40)}
    plain = len(gzip_of(PARTS, b"token", max_padding=0))
    assert len(sizes) > 5
    assert plain + 2 <= min(sizes) and max(sizes) <= plain + 101  # FNAME: 1-100 characters and a NUL


def test_a_part_refers_back_to_the_parts_before_it_but_never_into_a_secret():
    # Text that does not compress on its own, so only a reference to an earlier part can shrink it.
    repeated = "".join(random.Random(1).choices(string.ascii_letters, k=4000)).encode()
    parts = [repeated, repeated, repeated]
    deflated = compression.deflate_parts(parts, secret_length=5)
    assert len(deflated.parts[1]) < len(deflated.parts[0]) / 5  # the dictionary worked
    # A secret that repeats the text around it would be a tempting match: the output must still be right.
    for secret in (repeated[:5], b"\x00\x00\x00\x00\x00", b"zzzzz"):
        assert gzip.decompress(compression.gzip_around(parts, deflated, secret)) == secret.join(parts)
    with_nul = [b"x\x00\x00y" * 1000, b"\x00\x00y" * 1000]
    assert gzip.decompress(gzip_of(with_nul, b"zz")) == b"zz".join(with_nul)


def test_mismatched_parts_and_secrets_are_refused():
    deflated = compression.deflate_parts(PARTS, secret_length=5)
    with pytest.raises(ValueError, match="2 parts but 3 deflated parts"):
        compression.gzip_around(PARTS[:2], deflated, b"token")
    with pytest.raises(ValueError, match="for a secret of 5 bytes, not 6"):
        compression.gzip_around(PARTS, deflated, b"token!")
    with pytest.raises(ValueError, match="does not fit one stored block"):
        compression.gzip_around(PARTS, compression.deflate_parts(PARTS, secret_length=70_000), b"x" * 70_000)
