"""64-bit simhash of a text, and the band split that makes near-duplicate lookups indexable.

Why simhash: two copies of one article on two URLs (print view, AMP page, a
syndicated copy with another footer) differ in a few words, so an exact
fingerprint misses them.  Simhash maps similar texts to integers that differ
in few bits; "near-duplicate" means a Hamming distance of at most
``MAX_DISTANCE`` bits.

Why bands: comparing a new article with every stored one is O(n).  Split the
64 bits into four 16-bit bands: two hashes within distance 3 differ in at most
3 bands, so by the pigeonhole principle they share at least one band exactly.
The stores keep each band in an indexed column and compare only the
candidates sharing a band (Manku, Jain and Das Sarma, WWW 2007).
"""

from __future__ import annotations

import hashlib
import re

__all__ = ["MAX_DISTANCE", "bands", "hamming", "simhash", "to_signed", "to_unsigned"]

#: Two articles whose simhashes differ in at most this many bits are near-duplicates.
MAX_DISTANCE = 3
#: Words per shingle: three keeps word order mattering without making one edit
#: change too many shingles.
SHINGLE = 3
_BITS = 64
_WORD = re.compile(r"\w+")


def _hash64(shingle: str) -> int:
    """A stable 64-bit hash (Python's ``hash`` changes per process, so it cannot be stored)."""
    return int.from_bytes(_digest(shingle), "big")


def _digest(shingle: str) -> bytes:
    return hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest()


#: ``_BIT_OF[j]`` maps a byte to its bit ``j`` (0 or 1), for ``bytes.translate``.
_BIT_OF = tuple(bytes((value >> j) & 1 for value in range(256)) for j in range(8))


def simhash(text: str) -> int:
    """The 64-bit simhash of ``text`` over word 3-shingles, as an unsigned int.

    Words are ``\\w+`` runs, case-folded, so punctuation, spacing and case do
    not count.  A text of fewer than three words is one shingle; a text with
    no word hashes to 0.  Each distinct shingle votes once per bit (repeated
    boilerplate lines do not outvote the article).  On articles of a few
    hundred words one changed word moves the hash by 0-3 bits, rarely more;
    very short texts are too small for simhash to be meaningful.

    How the votes are counted fast (a crawl hashes every article it
    fetches): the 8-byte digests are laid end to end, ``[k::8]`` takes byte
    ``k`` of every digest, and ``translate`` + ``count`` count the digests
    with bit ``j`` of that byte set, all in C: 64 passes over n bytes
    instead of n Python-level bit loops.  The result is bit for bit the one
    of the plain definition (a bit is set when more than half of the
    distinct shingle hashes have it), so stored hashes stay comparable.

    >>> simhash("")
    0
    >>> simhash("The quick brown fox") == simhash("the QUICK, brown fox!")
    True
    >>> words = [f"w{i}" for i in range(600)]
    >>> a = simhash(" ".join(words))
    >>> b = simhash(" ".join(words[:300] + ["changed"] + words[301:]))
    >>> hamming(a, b) <= MAX_DISTANCE
    True
    >>> 0 <= simhash("any text at all") < 2**64
    True
    """
    words = _WORD.findall(text.casefold())
    if not words:
        return 0
    if len(words) < SHINGLE:
        shingles = {" ".join(words)}
    else:
        shingles = set(map(" ".join, zip(words, words[1:], words[2:], strict=False)))
    # A set: equal hashes (of distinct shingles, a 2**-64 event) vote once.
    digests = {_digest(s) for s in shingles}
    half = len(digests) / 2
    joined = b"".join(digests)
    value = 0
    for k in range(8):  # byte k of each digest: bits 63-8k .. 56-8k of the hash
        column = joined[k::8]
        shift = (7 - k) * 8
        for j in range(8):
            if column.translate(_BIT_OF[j]).count(1) > half:
                value |= 1 << (shift + j)
    return value


def hamming(a: int, b: int) -> int:
    """The number of bits in which ``a`` and ``b`` differ.

    >>> hamming(0b1011, 0b0001)
    2
    """
    return (a ^ b).bit_count()


def bands(value: int) -> tuple[int, int, int, int]:
    """The four 16-bit bands of a 64-bit hash, high band first.

    >>> bands(0x0001_0002_0003_0004)
    (1, 2, 3, 4)
    """
    return (
        (value >> 48) & 0xFFFF,
        (value >> 32) & 0xFFFF,
        (value >> 16) & 0xFFFF,
        value & 0xFFFF,
    )


def to_signed(value: int) -> int:
    """Store an unsigned 64-bit hash in a signed BIGINT / SQLite INTEGER column.

    >>> to_signed(2**64 - 1)
    -1
    >>> to_unsigned(to_signed(2**63)) == 2**63
    True
    """
    return value - (1 << _BITS) if value >= (1 << (_BITS - 1)) else value


def to_unsigned(value: int) -> int:
    """The inverse of :func:`to_signed`.

    >>> to_unsigned(-1) == 2**64 - 1
    True
    """
    return value + (1 << _BITS) if value < 0 else value
