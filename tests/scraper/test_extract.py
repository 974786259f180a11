"""Unit tests of ``scraper.extract`` (scraper/extraction/article.py) on small pages."""

from __future__ import annotations

import dataclasses
import re

import pytest

import cleaners
import scraper
from scraper.config import Config, ExtractConfig

IT_PARAGRAPHS = [
    "Il consiglio comunale ha approvato ieri sera il nuovo regolamento per i dehors dei bar "
    "e dei ristoranti del centro storico, dopo una discussione durata quasi quattro ore.",
    "Le nuove regole prevedono tavolini più piccoli, ombrelloni di colore chiaro e il divieto "
    "di installare pedane in legno sui marciapiedi più stretti di due metri.",
    "I commercianti avranno tempo fino alla fine dell'anno per adeguarsi, mentre per chi "
    "chiederà un nuovo permesso le norme saranno valide da subito.",
]
DE_PARAGRAPHS = [
    "Der Gemeinderat hat am Dienstagabend beschlossen, die alte Turnhalle neben der "
    "Grundschule abzureißen und an ihrer Stelle eine größere Sporthalle zu bauen.",
    "Die Kosten werden auf rund vier Millionen Euro geschätzt, wovon das Land etwa die "
    "Hälfte übernehmen soll, wenn der Förderantrag rechtzeitig gestellt wird.",
    "Während der Bauzeit sollen die Vereine in die Halle der Nachbargemeinde ausweichen, "
    "die dafür an zwei Abenden pro Woche zusätzlich geöffnet wird.",
]


def page(
    paragraphs: list[str],
    *,
    lang: str | None = "it-IT",
    head: str = "",
    h1: str | None = "Dehors, approvato il nuovo regolamento del centro storico",
    extra: str = "",
) -> str:
    """A small article page: <h1>, paragraphs in <article>, optional extras after it."""
    lang_attr = f' lang="{lang}"' if lang else ""
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    heading = f"<h1>{h1}</h1>\n" if h1 else ""
    return (
        f"<!DOCTYPE html><html{lang_attr}><head><meta charset='utf-8'>{head}</head><body>\n"
        f"<article>{heading}{body}</article>{extra}\n</body></html>"
    )


def test_headline_is_the_title_not_the_first_paragraph():
    article = scraper.extract(page(IT_PARAGRAPHS))
    assert article.title == "Dehors, approvato il nuovo regolamento del centro storico"
    assert article.text.startswith("Il consiglio comunale")
    assert "Dehors, approvato" not in article.text


def test_paragraphs_are_separated_by_one_blank_line():
    article = scraper.extract(page(IT_PARAGRAPHS))
    assert article.text == "\n\n".join(IT_PARAGRAPHS)
    assert article.word_count == len(re.findall(r"\w+", article.text))


def test_site_suffix_is_stripped_and_the_dash_of_the_headline_kept():
    headline = "Putin visiterà la Corea del Nord questa settimana – dichiarazione del Cremlino"
    head = (
        f"<title>{headline} | Notizie Oggi</title>"
        '<meta property="og:site_name" content="Notizie Oggi">'
    )
    article = scraper.extract(page(IT_PARAGRAPHS, head=head, h1=headline))
    assert article.title == headline
    assert article.sitename == "Notizie Oggi"


def test_bytes_windows_1252_without_declaration():
    html = page(IT_PARAGRAPHS, lang="it").encode("cp1252")
    article = scraper.extract(html)
    assert "più piccoli" in article.text
    assert article.text == scraper.extract(page(IT_PARAGRAPHS, lang="it")).text


def test_bytes_windows_1252_declared_utf8():
    html = page(DE_PARAGRAPHS, lang="de").encode("cp1252")
    assert b"charset='utf-8'" in html
    article = scraper.extract(html)
    assert "größere Sporthalle" in article.text
    assert "\ufffd" not in article.text


def test_bytes_utf8_declared_latin1():
    html = page(IT_PARAGRAPHS).replace("charset='utf-8'", "charset='iso-8859-1'")
    article = scraper.extract(html.encode("utf-8"))
    assert "più piccoli" in article.text
    assert "Ã" not in article.text


@pytest.mark.parametrize("html", ["", "   \n ", b"", b"\n"], ids=repr)
def test_empty_document_has_no_article(html: str | bytes):
    with pytest.raises(scraper.NoArticleError):
        scraper.extract(html)


def test_javascript_shell_has_no_article():
    shell = (
        "<!doctype html><html><head><title>Quarterly report viewer</title>"
        "<script src='/static/js/main.js'></script></head>"
        "<body><noscript>You need to enable JavaScript to run this app.</noscript>"
        '<div id="root"></div></body></html>'
    )
    with pytest.raises(scraper.NoArticleError, match="no article") as caught:
        scraper.extract(shell, "https://app.example/")
    # No body, but what the page states about itself is kept on the error.
    assert caught.value.metadata["title"] == "Quarterly report viewer"
    assert caught.value.metadata["url"] == "https://app.example/"
    assert caught.value.metadata["author"] is None


def test_no_article_error_survives_pickling_with_its_metadata():
    import pickle

    error = scraper.NoArticleError("no article", metadata={"title": "App"})
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.metadata) == ("no article", {"title": "App"})
    assert scraper.NoArticleError("the document is empty").metadata == {}


def test_too_few_words_is_no_article():
    config = Config(extract=ExtractConfig(min_words=1000))
    with pytest.raises(scraper.NoArticleError):
        scraper.extract(page(IT_PARAGRAPHS), config=config)


def test_declared_language_is_reduced_to_the_primary_subtag():
    config = Config(extract=ExtractConfig(detect_language=False))
    article = scraper.extract(page(IT_PARAGRAPHS, lang="it-IT"), config=config)
    assert article.language == "it"


def test_detected_language_without_declaration():
    article = scraper.extract(page(DE_PARAGRAPHS, lang=None, h1="Neue Sporthalle"))
    assert article.language == "de"


def test_detection_overrides_a_wrong_template_lang():
    """A template that says ``en`` over a long German text is wrong: the text wins."""
    article = scraper.extract(page(DE_PARAGRAPHS * 2, lang="en-US", h1="Neue Sporthalle"))
    assert article.language == "de"


def test_missing_metadata_is_none_not_invented():
    """The body names years and dates: none of them is the publication date."""
    paragraphs = [*DE_PARAGRAPHS, "Die alte Halle war am 12. März 1968 eröffnet worden."]
    article = scraper.extract(page(paragraphs, lang="de", h1="Neue Sporthalle"))
    data = article.to_dict()
    for key in ("author", "date", "date_published", "sitename", "description", "canonical_url"):
        assert key in data
        assert data[key] is None, key


def test_relative_canonical_is_made_absolute():
    head = '<link rel="canonical" href="/cronaca/dehors">'
    article = scraper.extract(page(IT_PARAGRAPHS, head=head), "https://news.example/x?y=1")
    assert article.url == "https://news.example/x?y=1"
    assert article.canonical_url == "https://news.example/cronaca/dehors"


def test_comments_are_not_body():
    comments = (
        '<section id="comments" class="comments"><h3>Commenti</h3>'
        '<div class="comment"><p>Era ora che qualcuno mettesse ordine nelle piazze del centro, '
        "speriamo che i controlli siano seri.</p></div></section>"
    )
    article = scraper.extract(page(IT_PARAGRAPHS, extra=comments))
    assert "Era ora" not in article.text


def test_str_and_utf8_bytes_give_the_same_article():
    html = page(IT_PARAGRAPHS)
    assert scraper.extract(html) == scraper.extract(html.encode("utf-8"))


def test_cleaning_runs_unless_turned_off(monkeypatch: pytest.MonkeyPatch):
    """The text goes through cleaners.clean with its language; ``clean=False`` skips it."""
    calls = []

    def fake_clean(text, lang=None, *, title=None, config=None):
        calls.append((lang, title))
        return text.upper()

    monkeypatch.setattr(cleaners, "clean", fake_clean)
    cleaned = scraper.extract(page(IT_PARAGRAPHS))
    assert cleaned.text == "\n\n".join(IT_PARAGRAPHS).upper()
    assert calls == [("it", "Dehors, approvato il nuovo regolamento del centro storico")]
    raw_config = Config(extract=ExtractConfig(clean=False))
    raw = scraper.extract(page(IT_PARAGRAPHS), config=raw_config)
    assert raw.text == "\n\n".join(IT_PARAGRAPHS)
    assert len(calls) == 1


def test_markdown_on_request():
    html = page([*IT_PARAGRAPHS[:2], "</p><h2>Le reazioni</h2><p>" + IT_PARAGRAPHS[2]])
    plain = scraper.extract(html)
    assert plain.markdown is None
    config = Config(extract=dataclasses.replace(ExtractConfig(), markdown=True))
    article = scraper.extract(html, config=config)
    assert article.markdown is not None
    assert "## Le reazioni" in article.markdown
    assert IT_PARAGRAPHS[0] in article.markdown


def test_extraction_is_deterministic():
    html = page(IT_PARAGRAPHS, head="<title>Dehors - Gazzetta</title>")
    assert scraper.extract(html, "https://gazzetta.example/a") == scraper.extract(
        html, "https://gazzetta.example/a"
    )


def test_a_short_chinese_article_is_an_article():
    # Chinese puts no spaces between words: counted as \w+ runs, this body would
    # be two "words" and fall under the minimum.
    html = (
        "<html lang='zh'><head><title>北京下雨</title></head><body><article>"
        "<h1>北京下雨</h1><p>今天北京下了一场大雨，很多人都带了雨伞。天气预报说明天还会下雨。</p>"
        "</article></body></html>"
    )
    article = scraper.extract(html)
    assert article.text == "今天北京下了一场大雨，很多人都带了雨伞。天气预报说明天还会下雨。"
    assert article.word_count >= 20
