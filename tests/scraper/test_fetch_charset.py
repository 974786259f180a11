"""Charset choice: decode_document directly, and through a real fetch."""

from __future__ import annotations

import codecs
import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.errors import UndecodableContent
from scraper.fetching.charset import decode_document
from tests.scraper.conftest import FAST
from tests.servers import html


@pytest.fixture
def fast_config():
    """The shared FAST settings, with our loopback test server allowed (refused by default)."""
    return dataclasses.replace(FAST, allow_networks=("127.0.0.1/32",))


FRENCH = (
    "Le café était très bon à Noël ; l'élève a dit « déjà vu » à côté de la forêt. "
    "Où êtes-vous allés cet été ? Ça m'étonne beaucoup, voilà tout."
)
RUSSIAN = (
    "Съешь же ещё этих мягких французских булок, да выпей чаю. Широкая электрификация "
    "южных губерний даст мощный толчок подъёму сельского хозяйства."
)
JAPANESE = (
    "日本語のテキストです。これはシフトJISでエンコードされた文章です。"
    "東京は日本の首都であり、多くの人々が住んでいます。"
)


def page(body: str, meta: str = "") -> str:
    return f"<html><head>{meta}<title>t</title></head><body><p>{body}</p></body></html>"


# -- pure decoding ------------------------------------------------------------------------


def test_header_charset_wins_when_it_fits():
    data = page(FRENCH).encode("cp1252")
    text, encoding, source = decode_document(data, "text/html; charset=windows-1252")
    assert (text, encoding, source) == (page(FRENCH), "cp1252", "header")


def test_header_utf8_but_bytes_cp1252_falls_to_detection():
    data = page(FRENCH).encode("cp1252")
    text, encoding, source = decode_document(data, "text/html; charset=utf-8")
    assert text == page(FRENCH)
    assert source == "detected"
    assert encoding == "cp1252"


def test_header_latin1_but_bytes_utf8_is_the_common_mislabel():
    data = page(FRENCH).encode("utf-8")
    assert decode_document(data, "text/html; charset=ISO-8859-1") == (
        page(FRENCH),
        "utf-8",
        "detected",
    )


def test_declared_latin1_is_read_as_windows_1252():
    data = "“smart quotes” – and € signs".encode("cp1252")
    text, encoding, source = decode_document(data, "text/html; charset=iso-8859-1")
    assert text == "“smart quotes” – and € signs"
    assert (encoding, source) == ("cp1252", "header")


def test_meta_charset_only():
    data = page(RUSSIAN, '<meta charset="windows-1251">').encode("cp1251")
    assert decode_document(data, "text/html") == (
        page(RUSSIAN, '<meta charset="windows-1251">'),
        "cp1251",
        "meta",
    )


def test_meta_http_equiv():
    meta = '<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">'
    data = page(RUSSIAN, meta).encode("koi8-r")
    assert decode_document(data)[1:] == ("koi8-r", "meta")


def test_header_wrong_meta_right():
    meta = '<meta charset="windows-1251">'
    data = page(RUSSIAN, meta).encode("cp1251")
    text, encoding, source = decode_document(data, "text/html; charset=utf-8")
    assert (text, encoding, source) == (page(RUSSIAN, meta), "cp1251", "meta")


def test_bom_beats_meta_and_header():
    meta = '<meta charset="iso-8859-1">'
    data = codecs.BOM_UTF8 + page(FRENCH, meta).encode("utf-8")
    assert decode_document(data, "text/html; charset=windows-1251") == (
        page(FRENCH, meta),
        "utf-8",
        "bom",
    )


def test_utf16_bom():
    data = codecs.BOM_UTF16_LE + page(JAPANESE).encode("utf-16-le")
    assert decode_document(data) == (page(JAPANESE), "utf-16-le", "bom")


def test_undeclared_cp1251_is_detected():
    text, encoding, source = decode_document(page(RUSSIAN).encode("cp1251"), "text/html")
    assert text == page(RUSSIAN)
    assert (encoding, source) == ("cp1251", "detected")


@pytest.mark.parametrize("content_type", ["text/html; charset=shift_jis", "text/html"])
def test_shift_jis(content_type):
    text, encoding, _ = decode_document(page(JAPANESE).encode("shift_jis"), content_type)
    assert text == page(JAPANESE)
    assert encoding == "cp932"


def test_unknown_label_is_ignored():
    data = page(FRENCH).encode("utf-8")
    assert decode_document(data, "text/html; charset=bogus-9") == (
        page(FRENCH),
        "utf-8",
        "detected",
    )


def test_empty_and_ascii_default_to_utf8():
    assert decode_document(b"") == ("", "utf-8", "default")
    assert decode_document(b"<p>plain</p>") == ("<p>plain</p>", "utf-8", "default")


@settings(deadline=None, max_examples=200)  # the detector's first call is slow
@given(
    st.binary(max_size=2000),
    st.sampled_from([None, "text/html", "text/html; charset=utf-8", "text/html; charset=x"]),
)
def test_text_or_the_typed_error_on_any_bytes(data, content_type):
    """Any bytes: text, or UndecodableContent naming its candidates; nothing else."""
    try:
        text, encoding, source = decode_document(data, content_type)
    except UndecodableContent as exc:
        assert exc.candidates
        return
    assert isinstance(text, str)
    codecs.lookup(encoding)
    assert source in {"bom", "header", "meta", "detected", "default"}


# -- through a fetch ----------------------------------------------------------------------


def test_fetch_decodes_mislabelled_page(server, fetch):
    server.route("/", html(page(FRENCH).encode("cp1252"), charset="utf-8"))
    result = fetch(server.url("/"))
    assert result.text == page(FRENCH)
    assert (result.encoding, result.encoding_source) == ("cp1252", "detected")


def test_fetch_shift_jis_meta(server, fetch):
    body = page(JAPANESE, '<meta charset="Shift_JIS">').encode("shift_jis")
    server.route("/", html(body, charset=None))
    result = fetch(server.url("/"))
    assert JAPANESE in result.text
    assert result.encoding_source == "meta"


def test_meta_utf16_means_utf8():
    data = page(FRENCH, '<meta charset="utf-16">').encode("utf-8")
    assert decode_document(data)[1:] == ("utf-8", "meta")


# -- mislabels that decode, BOMs that lie, broken UTF-8 (issue 5) -------------------------

POLISH = (
    "Rada miasta zatwierdziła budżet teatru po długiej dyskusji mieszkańców. "
    "Biblioteka zostanie otwarta latem, ogłosił prezydent miasta w środę."
)


@pytest.mark.parametrize(
    ("text", "real", "label", "expected"),
    [
        (RUSSIAN, "cp1251", "windows-1252", "cp1251"),
        (FRENCH, "cp1252", "windows-1251", "cp1252"),
        (RUSSIAN, "koi8-r", "windows-1251", "koi8-r"),
    ],
)
def test_a_label_that_decodes_into_nonsense_is_overruled(text, real, label, expected):
    data = page(text).encode(real)
    assert decode_document(data, f"text/html; charset={label}") == (
        page(text),
        expected,
        "detected",
    )


def test_a_wrong_cjk_meta_label_is_overruled():
    meta = '<meta charset="gb2312">'
    data = page(JAPANESE * 2, meta).encode("shift_jis")
    assert data.decode("gb18030")  # the label decodes, into nonsense
    assert decode_document(data)[:2] == (page(JAPANESE * 2, meta), "cp932")


def test_a_latin_label_is_never_overruled_by_another_latin_code_page():
    """Polish in ISO-8859-2 labelled so: the label holds, however the detector scores it."""
    data = page(POLISH).encode("iso-8859-2")
    assert decode_document(data, "text/html; charset=iso-8859-2") == (
        page(POLISH),
        "iso8859-2",
        "header",
    )


def test_a_little_text_in_a_declared_cjk_charset_is_believed():
    """A few characters cannot prove a label wrong (here: Big5 in an image's file name)."""
    html = '<img src="/a/灰底首圖.jpg"><p>Plain English text around it.</p>'
    data = html.encode("big5")
    assert decode_document(data, "text/html; charset=big5") == (html, "big5hkscs", "header")


def test_utf8_bom_on_legacy_bytes_is_ignored():
    data = codecs.BOM_UTF8 + page(RUSSIAN).encode("cp1251")
    assert decode_document(data) == (page(RUSSIAN), "cp1251", "detected")


def test_undeclared_latin2_is_not_taken_for_a_baltic_code_page():
    data = page(POLISH).encode("iso-8859-2")
    assert decode_document(data)[:2] == (page(POLISH), "iso8859-2")


def test_undeclared_iso_2022_jp():
    data = page(JAPANESE).encode("iso2022_jp")
    assert data.isascii()
    assert decode_document(data) == (page(JAPANESE), "iso2022_jp", "detected")
    assert decode_document(data, "text/html; charset=utf-8")[:2] == (page(JAPANESE), "iso2022_jp")


@pytest.mark.parametrize("content_type", [None, "text/html; charset=utf-8"])
def test_utf8_with_a_stray_cp1252_byte_keeps_the_rest(content_type):
    data = page(FRENCH).encode().replace(b"beaucoup", b"\x93beaucoup\x94", 1)
    text, encoding, _ = decode_document(data, content_type)
    assert text == page(FRENCH.replace("beaucoup", "“beaucoup”"))
    assert encoding == "utf-8"


def test_utf8_with_encoded_surrogates():
    """CESU-8 pairs become their character; a lone surrogate (half a character) goes."""
    pair = "😀".encode("utf-16-be")
    cesu = b"".join(
        chr(int.from_bytes(pair[i : i + 2], "big")).encode("utf-8", "surrogatepass") for i in (0, 2)
    )
    data = page(FRENCH).encode().replace(b"tout", b"tout " + cesu + b" \xed\xa0\x80!", 1)
    text, encoding, _ = decode_document(data)
    assert text == page(FRENCH.replace("tout", "tout 😀 !", 1))
    assert encoding == "utf-8"


def test_utf8_truncated_mid_character_loses_only_that_character():
    data = page(FRENCH).encode() + "é".encode()[:1]
    assert decode_document(data) == (page(FRENCH), "utf-8", "detected")


def test_legacy_text_is_not_taken_for_broken_utf8():
    """A few valid UTF-8 pairs by chance in cp1252 text do not make it UTF-8."""
    data = (page(FRENCH) + "Ã©").encode("cp1252")
    assert decode_document(data)[:2] == (page(FRENCH) + "Ã©", "cp1252")


def test_unlabelled_english_page_with_a_cyrillic_word_reads_it_as_cyrillic():
    """A few legacy words (a language menu) were read as windows-1252 mojibake."""
    body = "Read our “guide” in English or in <a href='/ru'>Русский</a> — it’s free."
    data = page(body).encode("cp1251")
    assert decode_document(data, None) == (page(body), "cp1251", "detected")


def test_unlabelled_cp1252_page_with_trademarks_stays_cp1252():
    body = "The REALTOR® and Pokémon™ marks, “quoted” – café crème à la carte."
    data = page(body).encode("cp1252")
    assert decode_document(data, None) == (page(body), "cp1252", "detected")
