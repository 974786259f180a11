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


#: blake2b with an 8-byte digest is the shingle hash: stable across processes
#: and versions (Python's ``hash`` changes per process, so it cannot be stored).
_blake2b = hashlib.blake2b


def simhash(text: str) -> int:
    """The 64-bit simhash of ``text`` over word 3-shingles, as an unsigned int.

    Words are ``\\w+`` runs, case-folded, so punctuation, spacing and case do
    not count.  A text of fewer than three words is one shingle; a text with
    no word hashes to 0.  Each distinct shingle votes once per bit (repeated
    boilerplate lines do not outvote the article).  On articles of a few
    hundred words one changed word moves the hash by 0-3 bits, rarely more;
    very short texts are too small for simhash to be meaningful.

    How it is made fast (a crawl hashes every article it fetches): the
    digests are made in one set comprehension, laid end to end and read as a
    ``(n, 8)`` byte array; numpy unpacks it into an ``(n, 64)`` bit matrix
    whose column sums are the votes.  The result is bit for bit the one of
    the plain definition (a bit is set when more than half of the distinct
    shingle hashes have it), so stored hashes stay comparable.

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
    # numpy is imported here: the crawl's main process imports this module
    # for bands() and hamming() only, and must not pay for numpy.
    import numpy as np

    words = _WORD.findall(text.casefold())
    if not words:
        return 0
    if len(words) < SHINGLE:
        shingles = {" ".join(words)}
    else:
        shingles = set(map(" ".join, zip(words, words[1:], words[2:], strict=False)))
    # A set: equal hashes (of distinct shingles, a 2**-64 event) vote once.
    digests = {_blake2b(s.encode("utf-8"), digest_size=8).digest() for s in shingles}
    rows = np.frombuffer(b"".join(digests), dtype=np.uint8).reshape(-1, 8)
    votes = np.unpackbits(rows, axis=1).sum(axis=0)  # big-endian: bit 63 first
    return int.from_bytes(np.packbits(votes > len(digests) / 2).tobytes(), "big")


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
