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

import re
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["MAX_DISTANCE", "bands", "hamming", "simhash", "to_signed", "to_unsigned"]

#: Two articles whose simhashes differ in at most this many bits are near-duplicates.
MAX_DISTANCE = 3
#: Words per shingle: three keeps word order mattering without making one edit
#: change too many shingles.
SHINGLE = 3
_BITS = 64
_WORD = re.compile(r"\w+")

# The constants of the definition (stored hashes depend on them: never change
# one without a store migration that rehashes, like ``0005_simhash_v2``).
#: Base of the polynomial word hash (the FNV-64 prime).
WORD_BASE: Final = 0x100000001B3
#: Multipliers mixing the three word hashes of a shingle.
SHINGLE_K1: Final = 0x9E3779B97F4A7C15
SHINGLE_K2: Final = 0xC2B2AE3D27D4EB4F
#: The finaliser of MurmurHash3 (fmix64): spreads every input bit over all 64.
_FMIX1: Final = 0xFF51AFD7ED558CCD
_FMIX2: Final = 0xC4CEB9FE1A85EC53


def simhash(text: str) -> int:
    """The 64-bit simhash of ``text`` over word 3-shingles, as an unsigned int.

    Words are ``\\w+`` runs, case-folded, so punctuation, spacing and case do
    not count.  A text of fewer than three words is one shingle; a text with
    no word hashes to 0.  Each distinct shingle votes once per bit (repeated
    boilerplate lines do not outvote the article).  On articles of a few
    hundred words one changed word moves the hash by 0-3 bits, rarely more;
    very short texts are too small for simhash to be meaningful.

    The definition (``tests/scraper/store/test_simhash.py`` spells it out in
    plain Python, and the stored hashes depend on it): a word's hash is
    ``fmix64(sum(b[i] * WORD_BASE ** (n - i)))`` over its UTF-8 bytes
    ``b[0..n-1]`` followed by one space byte, modulo 2**64; a shingle's is
    ``fmix64(w1 * K1 + rotl(w2, 21) * K2 + rotl(w3, 42))``, missing words of
    a short text counting as 0; a bit of the result is set when more than
    half of the distinct shingle hashes have it.

    Why this and not a cryptographic hash per shingle (the definition before
    2026-11-28, blake2b): every crawled article is hashed, and one blake2b
    call per shingle cost about 1.2 ms per article.  Word and shingle hashes
    are arithmetic that numpy does for the whole text at once (about 0.35 ms,
    half of it finding the words); simhash needs well-spread bits, not
    collision resistance against an adversary.  It is stable across
    processes, machines and versions.

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

    words = _words(text.casefold())
    if not words:
        return 0
    # Every word followed by one space: the spaces mark where words end.
    data = np.frombuffer((" ".join(words) + " ").encode("utf-8"), dtype=np.uint8)
    ends = np.flatnonzero(data == 0x20)
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    lengths = ends - starts + 1
    # Each byte's power of the base: its distance to the end of its word.
    exponents = np.repeat(ends, lengths) - np.arange(len(data))
    powers = np.full(int(lengths.max()), WORD_BASE, dtype=np.uint64)
    powers[0] = 1
    powers = np.cumprod(powers, dtype=np.uint64)  # wraps modulo 2**64, as meant
    terms = data.astype(np.uint64) * powers[exponents]
    word_hashes = _fmix64(np.add.reduceat(terms, starts))
    if len(word_hashes) < SHINGLE:
        pad = np.zeros(SHINGLE - len(word_hashes), dtype=np.uint64)
        word_hashes = np.concatenate((word_hashes, pad))
    first, second, third = word_hashes[:-2], word_hashes[1:-1], word_hashes[2:]
    mixed = (
        first * np.uint64(SHINGLE_K1) + _rotl(second, 21) * np.uint64(SHINGLE_K2) + _rotl(third, 42)
    )
    # Each distinct hash votes once (equal hashes of distinct shingles are a
    # 2**-64 event): sorted, then every value unlike its predecessor (numpy's
    # own unique() hashes instead, several times slower here).
    ordered = np.sort(_fmix64(mixed))
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    shingles = ordered[keep]
    # One row of 64 bits per shingle, big-endian (bit 63 first); counted in
    # uint32 (a uint8 sum widens each row first: twice the time).
    bits = np.unpackbits(shingles.astype(">u8").view(np.uint8)).reshape(-1, _BITS)
    votes = bits.sum(axis=0, dtype=np.uint32)
    return int.from_bytes(np.packbits(votes > len(shingles) / 2).tobytes(), "big")


#: A ``bytes.translate`` table blanking every ASCII byte outside ``\\w`` (keeps the rest).
_NON_WORD_ASCII_BLANKED: Final = bytes(
    b if b >= 0x80 or chr(b).isalnum() or b == ord("_") else ord(" ") for b in range(256)
)


def _words(text: str) -> list[str]:
    """``_WORD.findall(text)``, found faster on ordinary text.

    Why: the regex tests each character's Unicode category (most of the
    hash's cost).  Blanking the ASCII characters outside ``\\w`` is one C
    pass over the UTF-8 bytes (such bytes stand only for themselves there),
    and splitting on whitespace then leaves chunks that no ``\\w`` run
    crosses; most are one run already (``str.isalnum``), and only the others
    (``x_y``, ``word—word``) go through the regex.

    >>> _words("state-of-the-art, x_y; a—b 2024.")
    ['state', 'of', 'the', 'art', 'x_y', 'a', 'b', '2024']
    """
    blanked = text.encode("utf-8", "surrogatepass").translate(_NON_WORD_ASCII_BLANKED)
    chunks = blanked.decode("utf-8", "surrogatepass").split()
    if all(map(str.isalnum, chunks)):
        return chunks
    words: list[str] = []
    for chunk in chunks:
        if chunk.isalnum():
            words.append(chunk)
        else:
            words.extend(_WORD.findall(chunk))
    return words


def _fmix64(values: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """MurmurHash3's 64-bit finaliser, elementwise (uint64 arithmetic wraps)."""
    import numpy as np

    shift = np.uint64(33)
    values = values ^ (values >> shift)
    values = values * np.uint64(_FMIX1)
    values = values ^ (values >> shift)
    values = values * np.uint64(_FMIX2)
    return values ^ (values >> shift)


def _rotl(values: NDArray[np.uint64], bits: int) -> NDArray[np.uint64]:
    """Rotate each 64-bit value left by ``bits``."""
    import numpy as np

    return (values << np.uint64(bits)) | (values >> np.uint64(_BITS - bits))


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
