"""Undeclared legacy encodings (issue 5): the right text or a clear error, never mojibake.

Texts are our own, one short news item per language, in the code pages
natural for each; ``bench/charset_bench.py`` measures the same on real pages.
"""

from __future__ import annotations

import pytest

from scraper.errors import FetchError, UndecodableContent
from scraper.fetching.charset import decode_document
from tests.scraper.test_fetch_charset import FRENCH, JAPANESE, POLISH, page

#: One short text per language.
LEGACY_TEXTS = {
    "ru": "Правительство объявило о новых мерах поддержки малого бизнеса. Министр "
    "сообщил, что программа начнёт работать уже в следующем месяце.",
    "uk": "Уряд оголосив про нові заходи підтримки малого бізнесу. Міністр "
    "повідомив, що програма почне працювати вже наступного місяця.",
    "bg": "Правителството обяви нови мерки за подкрепа на малкия бизнес. Министърът "
    "съобщи, че програмата ще започне да работи от следващия месец.",
    "pl": POLISH,
    "cs": "Městská rada schválila rozpočet divadla po dlouhé diskusi obyvatel. Knihovna "
    "bude otevřena v létě, oznámil starosta města ve středu.",
    "hu": "A városi tanács hosszú vita után jóváhagyta a színház költségvetését. A "
    "könyvtár nyáron nyílik meg, jelentette be szerdán a polgármester.",
    "tr": "Belediye meclisi uzun bir tartışmanın ardından tiyatronun bütçesini onayladı. "
    "Kütüphane yazın açılacak, diye açıkladı başkan çarşamba günü.",
    "lt": "Miesto taryba po ilgų gyventojų diskusijų patvirtino teatro biudžetą. "
    "Biblioteka bus atidaryta vasarą, trečiadienį pranešė miesto meras.",
    "el": "Το δημοτικό συμβούλιο ενέκρινε τον προϋπολογισμό του θεάτρου μετά από μακρά "
    "συζήτηση. Η βιβλιοθήκη θα ανοίξει το καλοκαίρι, ανακοίνωσε ο δήμαρχος.",
    "he": "מועצת העיר אישרה את תקציב התיאטרון לאחר דיון ארוך. הספרייה תיפתח בקיץ, "
    "הודיע ראש העיר ביום רביעי.",
    "ar": "وافق مجلس المدينة على ميزانية المسرح بعد نقاش طويل. وستفتح المكتبة في الصيف، "
    "كما أعلن رئيس البلدية يوم الأربعاء.",
    "th": "สภาเมืองอนุมัติงบประมาณของโรงละครหลังจากการอภิปรายอันยาวนาน "
    "ห้องสมุดจะเปิดในฤดูร้อน นายกเทศมนตรีประกาศเมื่อวันพุธ",
    "fr": FRENCH,
    "de": "Der Stadtrat hat nach langer Diskussion den Haushalt des Theaters genehmigt. Die "
    "Bücherei öffnet im Sommer, kündigte der Bürgermeister am Mittwoch an.",
    "ja": JAPANESE,
    "zh-hans": "市议会经过长时间讨论后批准了剧院的预算。图书馆将于夏天开放，市长周三宣布。",
    "zh-hant": "市議會經過長時間討論後批准了劇院的預算。圖書館將於夏天開放，市長週三宣布。",
    "ko": "시의회는 오랜 논의 끝에 극장 예산을 승인했다. 도서관은 여름에 문을 열 것이라고 "
    "시장이 수요일에 발표했다.",
}
LEGACY_CASES = [
    ("ru", "cp1251"), ("ru", "koi8-r"), ("uk", "cp1251"), ("uk", "koi8-u"), ("bg", "cp1251"),
    ("pl", "iso-8859-2"), ("pl", "cp1250"), ("cs", "iso-8859-2"), ("cs", "cp1250"),
    ("hu", "iso-8859-2"), ("tr", "cp1254"), ("lt", "cp1257"), ("el", "cp1253"),
    ("el", "iso-8859-7"), ("he", "cp1255"), ("ar", "cp1256"), ("th", "cp874"),
    ("fr", "cp1252"), ("de", "cp1252"), ("ja", "shift_jis"), ("ja", "euc-jp"),
    ("zh-hans", "gb18030"), ("zh-hant", "big5"), ("ko", "euc-kr"),
]  # fmt: skip
#: Made-up words: no code page reads them as words, and ISO-8859-2's look-alikes as well.
NONSENSE = "Zqąvś brąqź"


def legacy_page(language: str, head: str = "") -> str:
    return page(LEGACY_TEXTS[language], head)


@pytest.mark.parametrize(("language", "encoding"), LEGACY_CASES)
def test_undeclared_legacy_text_is_right_or_refused(language, encoding):
    """Never mojibake: the original text, or UndecodableContent."""
    html = legacy_page(language)
    try:
        text, _, source = decode_document(html.encode(encoding), "text/html")
    except UndecodableContent:
        return
    assert text == html
    assert source == "detected"


@pytest.mark.parametrize(
    ("language", "encoding", "expected"),
    [
        # Look-alike code pages the detector alone confused (issue 5's benchmark).
        ("tr", "cp1254", "cp1254"),
        ("lt", "cp1257", "cp1257"),
        ("pl", "cp1250", "cp1250"),
        ("cs", "iso-8859-2", "iso8859-2"),
        ("el", "iso-8859-7", "cp1253"),  # the same text here: the one more used
        ("he", "cp1255", "cp1255"),
        ("th", "cp874", "cp874"),
    ],
)
def test_look_alike_code_pages_are_told_apart_by_their_words(language, encoding, expected):
    html = legacy_page(language)
    assert decode_document(html.encode(encoding), None) == (html, expected, "detected")


def test_no_clear_reading_raises_a_typed_error_naming_the_candidates():
    data = page(NONSENSE).encode("iso-8859-2")
    with pytest.raises(UndecodableContent) as caught:
        decode_document(data, "text/html")
    error = caught.value
    assert isinstance(error, FetchError)
    assert "iso8859-2" in error.candidates
    assert "iso8859-2" in str(error)
    assert "Declare the charset" in str(error)
    assert error.url is None


def test_the_error_names_the_url_when_given():
    data = page(NONSENSE).encode("iso-8859-2")
    with pytest.raises(UndecodableContent, match=r"^https://a\.example/p: cannot tell") as caught:
        decode_document(data, "text/html", url="https://a.example/p")
    assert caught.value.url == "https://a.example/p"


def test_a_declared_charset_breaks_the_tie():
    """The same bytes, declared: the label is believed, nothing raised."""
    html = page(NONSENSE, '<meta charset="iso-8859-2">')
    assert decode_document(html.encode("iso-8859-2")) == (html, "iso8859-2", "meta")


def test_binary_junk_is_left_to_the_content_gate():
    """Control bytes everywhere: no text in any encoding; the gate says UnsupportedContent."""
    junk = bytes(range(256)) * 64
    text, encoding, source = decode_document(junk, "text/html; charset=utf-8")
    assert isinstance(text, str)
    assert (encoding, source) == ("utf-8", "default")


# -- harm: what was right stays right ---------------------------------------------------------


@pytest.mark.parametrize("language", sorted(LEGACY_TEXTS))
def test_undeclared_utf8_in_any_language_is_untouched(language):
    html = legacy_page(language)
    assert decode_document(html.encode(), "text/html") == (html, "utf-8", "detected")


@pytest.mark.parametrize(("language", "encoding"), LEGACY_CASES)
def test_declared_legacy_pages_are_untouched(language, encoding):
    html = legacy_page(language, f'<meta charset="{encoding}">')
    text, _, source = decode_document(html.encode(encoding))
    assert (text, source) == (html, "meta")


def test_pure_ascii_is_untouched():
    html = page("Plain English text, with nothing but ASCII in it.")
    assert decode_document(html.encode("ascii"), None) == (html, "utf-8", "default")
    declared = decode_document(html.encode("ascii"), "text/html; charset=windows-1251")
    assert declared == (html, "cp1251", "header")
