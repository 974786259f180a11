"""Turn the bytes of a document into text, choosing the character encoding.

Pure: no I/O.  It runs on every fetched page and also in
``scraper.extract(bytes)``.  It returns the text, or raises
:class:`~scraper.errors.UndecodableContent` when it cannot tell the encoding:
a page refused with a clear error is better than mojibake stored as text.

The order follows the WHATWG encoding sniffing algorithm, adapted to the web
as it is (mislabelled pages are common):

1. a byte order mark wins (a UTF-8 one only when UTF-8 follows it);
2. the ``charset`` of the HTTP ``Content-Type`` header;
3. ``<meta charset>`` / ``<meta http-equiv="Content-Type">`` in the first 4 KiB;
4. detection (:mod:`.detect`): ISO-2022-JP escapes in 7-bit bytes, (mostly)
   valid UTF-8, then charset-normalizer on the page's non-ASCII text nodes,
   limited to the encodings browsers know, ties going to the encoding most
   used on the web; a single-byte answer must then read more words of the
   text's language than any other single-byte code page (:mod:`.words`), or
   the document is refused (``UndecodableContent``);
5. UTF-8 with replacement characters (ASCII, and binary data that the
   content gate refuses anyway).

A declared charset is only believed when the bytes decode strictly with it
and, for a legacy one, into plausible text: when charset-normalizer's
mess measure calls it mojibake (Cyrillic read as windows-1252, Shift-JIS
as GB18030...), detection decides, and overrules the label only with a
reading that is clearly cleaner; when detection cannot decide, the label
holds unless most of its words are no words.  A declared single-byte
charset (``iso-8859-1``...) is also not believed when the bytes are valid
multi-byte UTF-8: that is the usual mislabel, and legacy text that happens
to be valid UTF-8 is vanishingly rare.  UTF-8 with a few invalid bytes (a
stray windows-1252 byte, a truncated last character, an encoded surrogate)
is read as UTF-8 with only those bytes read otherwise (:func:`.utf8.as_utf8`).

UTF-8 pages, the vast majority, never reach detection's costly steps: the
strict UTF-8 decode answers (a few hundred microseconds for a large page).

Modules: :mod:`.labels` (labels and code page tables), :mod:`.utf8`,
:mod:`.detect`, :mod:`.words` (is a reading real text?), :mod:`.decode`.
"""

from __future__ import annotations

from scraper.fetching.charset.decode import decode_document
from scraper.fetching.charset.labels import declared_charset, normalize_label

__all__ = ["declared_charset", "decode_document", "normalize_label"]
