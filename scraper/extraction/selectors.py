"""Data tables for metadata extraction: meta names, schema.org types, byline and site words.

Kept apart from the logic in ``metadata.py`` and ``dates.py`` so that adding a
CMS's meta tag or a byline word is a one-line data change.  Names are
lower-case: meta keys, schema.org types and class words are compared after
``casefold()``.  In the tuples order matters: the first key that holds a usable
value wins.
"""

from __future__ import annotations

import re

__all__ = [
    "ARTICLE_TYPES",
    "AUTHOR_LINK",
    "AUTHOR_META",
    "BYLINE_PREFIX",
    "DATE_LABEL",
    "DATE_MODIFIED_META",
    "DATE_PUBLISHED_META",
    "DATE_UPDATED_LABEL",
    "DESCRIPTION_META",
    "FOREIGN_WORDS",
    "GENERIC_AUTHORS",
    "HOST_PREFIXES",
    "IMAGE_META",
    "MONTHS",
    "NAME_HEAD",
    "NAME_PARTICLES",
    "NAME_TAIL",
    "NAME_TAIL_DATE",
    "NOT_AUTHOR",
    "NOT_BYLINE_CLASS",
    "NOT_PUBLICATION_LABEL",
    "ORG_TYPES",
    "ORG_WORDS",
    "PAGE_TYPES",
    "PERSON_TYPES",
    "SECOND_LEVEL_DOMAINS",
    "SECTION_META",
    "SITENAME_META",
    "SITE_WORDS",
    "TAG_META",
    "TITLE_META",
]


def _words(text: str) -> frozenset[str]:
    """A table written as one string of space-separated, casefolded words."""
    return frozenset(text.casefold().split())


# --------------------------------------------------------------------------
# schema.org (JSON-LD) types
# --------------------------------------------------------------------------

#: Types of the main article, whose fields describe the page's content.
ARTICLE_TYPES = _words(
    "Article NewsArticle BlogPosting Report ScholarlyArticle TechArticle AnalysisNewsArticle"
    " OpinionNewsArticle ReportageNewsArticle ReviewNewsArticle BackgroundNewsArticle"
    " AskPublicNewsArticle LiveBlogPosting SocialMediaPosting DiscussionForumPosting Review"
    " CriticReview Recipe HowTo Guide MedicalScholarlyArticle SatiricalArticle"
    " AdvertiserContentArticle"
)

#: Types that describe the page itself: weaker than an article (service pages have them).
PAGE_TYPES = _words(
    "WebPage ItemPage AboutPage FAQPage ProfilePage CollectionPage SearchResultsPage"
    " ContactPage MedicalWebPage RealEstateListing CheckoutPage QAPage"
)

#: Types whose ``name`` is a person's name.
PERSON_TYPES = _words("Person Patient")

#: Types whose ``name`` is an organisation's or a site's name.
ORG_TYPES = _words(
    "Organization NewsMediaOrganization Corporation LocalBusiness EducationalOrganization"
    " CollegeOrUniversity GovernmentOrganization MedicalOrganization NGO OnlineBusiness"
    " OnlineStore Store Brand WebSite ProfessionalService"
)

# --------------------------------------------------------------------------
# <meta> names and properties, best first
# --------------------------------------------------------------------------

#: Titles (og:title is read on its own, before these).
TITLE_META = (
    "og:title",
    "twitter:title",
    "citation_title",
    "dc.title",
    "dcterms.title",
    "parsely-title",
    "sailthru.title",
    "headline",
)

#: Author names.
AUTHOR_META = (
    "citation_author",
    "parsely-author",
    "sailthru.author",
    "author",
    "article:author",
    "dc.creator",
    "dcterms.creator",
    "dc:creator",
    "byl",
    "authors",
    "cxenseparse:author",
    "shareaholic:article_author_name",
)

#: The publication date.
DATE_PUBLISHED_META = (
    "article:published_time",
    "datepublished",
    "citation_publication_date",
    "citation_date",
    "citation_online_date",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "dc.date",
    "dcterms.date",
    "og:published_time",
    "article.published",
    "published_time",
    "published-date",
    "publish-date",
    "publishdate",
    "publish_date",
    "pubdate",
    "date",
    "cxenseparse:recs:publishtime",
    "article_date_original",
    "original-publish-date",
    "datecreated",
)

#: The last modification date.
DATE_MODIFIED_META = (
    "article:modified_time",
    "datemodified",
    "og:updated_time",
    "dcterms.modified",
    "dc.date.modified",
    "last-modified",
    "lastmod",
)

#: The site's or publication's name.
SITENAME_META = (
    "og:site_name",
    "application-name",
    "apple-mobile-web-app-title",
    "publisher",
    "dc.publisher",
    "dcterms.publisher",
    "citation_journal_title",
    "al:ios:app_name",
)

#: A description or summary.
DESCRIPTION_META = (
    "og:description",
    "description",
    "twitter:description",
    "dc.description",
    "dcterms.description",
    "dcterms.abstract",
    "sailthru.description",
)

#: The lead image's URL.
IMAGE_META = (
    "og:image",
    "og:image:url",
    "og:image:secure_url",
    "twitter:image",
    "twitter:image:src",
)

#: Tags or keywords (comma-separated in ``keywords``).
TAG_META = ("article:tag", "parsely-tags", "sailthru.tags", "news_keywords", "keywords")

#: The section or category.
SECTION_META = ("article:section", "parsely-section", "sailthru.section", "category")

# --------------------------------------------------------------------------
# page regions
# --------------------------------------------------------------------------

#: Class or id words of blocks whose dates and names are not the article's:
#: comments, related links, menus, sharing bars.  (Matched as whole words of
#: the class and id, so "mainContainer_noSidebar" is not a sidebar.)
FOREIGN_WORDS = _words(
    "comment comments commentlist commentary discussion reply replies respond related"
    " relatedposts sidebar recommended recommendations recirc trending popular mostread"
    " newsletter promo teaser teasers breadcrumb breadcrumbs nav navbar navigation menu"
    " share sharing social"
)

# --------------------------------------------------------------------------
# titles and site names
# --------------------------------------------------------------------------

#: Words that name a kind of site rather than a site: "Rust Blog", "Aura Official Site".
SITE_WORDS = _words(
    "the a of and blog blogs docs documentation doc wiki forum forums community discussion"
    " discussions help support official site website web online news magazine home page"
    " homepage store shop inc ltd llc co com org net"
)

#: Second-level labels of public suffixes ("co" in "bbc.co.uk").
SECOND_LEVEL_DOMAINS = _words("co com org net gov ac edu ne or go")

#: First host labels that are not part of a site's name.
HOST_PREFIXES = _words("www m amp en mobile")

# --------------------------------------------------------------------------
# authors and bylines
# --------------------------------------------------------------------------

#: "By", "Di", "Von", "Par", "Por"... in front of a byline's names ("Written by", "Autor:").
BYLINE_PREFIX = re.compile(
    r"^(?:(?:[a-z]+\s+)?by|di|von|par|por|door"
    r"|authors?|autor(?:en)?|auteurs?|autore|autori|escrito por|écrit par|geschrieben von"
    r"|scritto da)(?:\s*[:\-–—]\s*|\s+)",
    re.IGNORECASE,
)

#: Credits in a byline that are not authorship ("Updated by", "Reviewed by").
NOT_AUTHOR = re.compile(
    r"^(?:(?:last\s+)?updated|(?:medically\s+|fact[- ]?|expert\s+)?(?:reviewed|checked)|edited"
    r"|photos?|photographs?|illustrations?|images?|video|translated|produced|sponsored"
    r"|in partnership)\s+(?:by|with)\b",
    re.IGNORECASE,
)

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"

_DATE_TAIL = r"\s+(?:on\s+)?(?:" + _MONTH + r"\s+\d|\d{1,4}[/.\-]\d|\d{1,2}\s+" + _MONTH + r").*"

#: A date after a name in a byline ("Jane Doe March 2, 2026").
NAME_TAIL_DATE = re.compile(_DATE_TAIL, re.IGNORECASE)

#: What follows a name in a byline: a date, a job title, a "more" link.
NAME_TAIL = re.compile(
    r"(?:"
    + _DATE_TAIL
    + r"|\s+(?:senior|staff|contributing|freelance|chief|managing|deputy|associate|executive"
    r"|editor|editorial|writer|reporter|correspondent|columnist|journalist|contributor|expert"
    r"|analyst|founder|co-founder|ceo|director|manager|specialist|autos?|more\s+about"
    r"|view\s+all|see\s+all|posts\s+by|follow|last\s+update[ds]?|on\s+behalf\s+of)\b.*"
    r"|\s*»\s*)$",
    re.IGNORECASE,
)

#: A date in front of a byline's names ("Dec. 19, 2025 · Niko Matsakis").
NAME_HEAD = re.compile(
    r"^(?:"
    + _MONTH
    + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}\.?\s+"
    + _MONTH
    + r"\s+\d{4}|\d{4}-\d{2}-\d{2})\s*[·•|\-–—,]?\s*",
    re.IGNORECASE,
)

#: Placeholders that CMSs and templates put where an author's name should be.
GENERIC_AUTHORS = _words(
    "admin administrator webmaster root system guest anonymous unknown user author editor"
    " staff wpadmin superuser by login register subscribe menu search home share contact"
) | {"sign in", "log in", "sign up"}

#: Parts of a class token that mark an author's photo, bio or links, not the name.
NOT_BYLINE_CLASS = re.compile(
    r"image|img|avatar|photo|pic|bio|desc|about|social|role|position|job|follow|more|count"
    r"|comment|icon|label|title|headshot|thumb|card|box|list|wrap"
)

#: Lower-case words that may sit inside a person's name ("Ludwig van Beethoven").
NAME_PARTICLES = _words(
    "de da di del della dei der den des du la le van von vom zu bin ibn al el y e dos das do"
    " ter ten st"
)

#: Words that make a name an organisation's ("Loyola Marymount University").
ORG_WORDS = _words(
    "inc llc ltd gmbh corp corporation company group university college institute"
    " foundation association agency media news magazine studio studios team"
)

#: Links to an author's page ("/author/jane-doe/", forum "/members/jdoe.123/").
AUTHOR_LINK = re.compile(
    r"/(?:authors?|contributors?|writers?|columnists?|reporters?|producers?|u|members?)"
    r"/[^/?#]+/?(?:[?#]|$)",
    re.IGNORECASE,
)

# --------------------------------------------------------------------------
# dates written out
# --------------------------------------------------------------------------


def _months(*lines: str) -> dict[str, int]:
    """Month names, one line of twelve per language and form, to month numbers."""
    table: dict[str, int] = {}
    for line in lines:
        for number, name in enumerate(line.split(), start=1):
            table.setdefault(name.casefold(), number)
    return table


#: Month names and abbreviations, lower-case, to month numbers.  Where a
#: language declines month names, the form used in dates ("8 czerwca 2023",
#: "8. června 2023", "8 июня 2023") is listed.  The first language to list an
#: abbreviation wins (every language here agrees on the shared ones).
MONTHS = _months(
    # English
    "january february march april may june july august september october november december",
    "jan feb mar apr may jun jul aug sep oct nov dec",
    # German (and Austrian "Jänner")
    "januar februar märz april mai juni juli august september oktober november dezember",
    "jänner feb mär apr mai jun jul aug sept okt nov dez",
    "jän feb mrz apr mai jun jul aug sep okt nov dez",
    # French
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "janv févr mars avr mai juin juil août sept oct nov déc",
    "janv fevr mars avr mai juin juil aout sept oct nov dec",
    # Italian
    "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "gen feb mar apr mag giu lug ago set ott nov dic",
    # Spanish
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "ene feb mar abr may jun jul ago sept oct nov dic",
    "ene feb mar abr may jun jul ago setiembre oct nov dic",
    # Portuguese
    "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
    "jan fev mar abr mai jun jul ago set out nov dez",
    # Catalan
    "gener febrer març abril maig juny juliol agost setembre octubre novembre desembre",
    # Dutch
    "januari februari maart april mei juni juli augustus september oktober november december",
    "jan feb mrt apr mei jun jul aug sep okt nov dec",
    # Swedish, Danish, Norwegian
    "januari februari mars april maj juni juli augusti september oktober november december",
    "januar februar marts april maj juni juli august september oktober november december",
    # Polish (genitive, as in dates; and nominative)
    "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października"
    " listopada grudnia",
    "styczeń luty marzec kwiecień maj czerwiec lipiec sierpień wrzesień październik"
    " listopad grudzień",
    # Czech (genitive)
    "ledna února března dubna května června července srpna září října listopadu prosince",
    # Romanian
    "ianuarie februarie martie aprilie mai iunie iulie august septembrie octombrie"
    " noiembrie decembrie",
    # Turkish
    "ocak şubat mart nisan mayıs haziran temmuz ağustos eylül ekim kasım aralık",
    # Finnish (partitive, as in "8. kesäkuuta 2023")
    "tammikuuta helmikuuta maaliskuuta huhtikuuta toukokuuta kesäkuuta heinäkuuta elokuuta"
    " syyskuuta lokakuuta marraskuuta joulukuuta",
    # Indonesian and Malay
    "januari februari maret april mei juni juli agustus september oktober november desember",
    # Russian and Ukrainian (genitive)
    "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
    "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня",
    # Greek (genitive)
    "ιανουαρίου φεβρουαρίου μαρτίου απριλίου μαΐου ιουνίου ιουλίου αυγούστου σεπτεμβρίου"
    " οκτωβρίου νοεμβρίου δεκεμβρίου",
    # Hungarian
    "január február március április május június július augusztus szeptember október"
    " november december",
)

#: A label saying that the date after it is a later revision, not the first
#: publication ("Updated", "Last modified", "Aggiornato il", "Mis à jour le").
DATE_UPDATED_LABEL = re.compile(
    r"updated|modified|revised|last edit|aktualisiert|geändert|mis à jour|modifié|actualisé"
    r"|aggiornat|modificat|actualizad|actualitzat|atualizad|bijgewerkt|gewijzigd"
    r"|zaktualizowan|aktualizacja|uppdaterad|opdateret|oppdatert|aktualizováno|güncellen"
    r"|actualizat|päivitetty|обновлено|оновлено",
    re.IGNORECASE,
)

#: A label saying that the date after it is the article's ("Published", "Posted
#: on", "Pubblicato il", "Veröffentlicht am", "Publié le", "Opublikowano").
DATE_LABEL = re.compile(
    r"publish|posted|post time|released|written|date|pubblicat|veröffentlicht|erschienen"
    r"|publiziert|publié|mis en ligne|publicad|gepubliceerd|geplaatst|opublikowan|publicerad"
    r"|udgivet|publisert|publikováno|zveřejněno|yay[ıi]mlan|yay[ıi]nlan|publicat|julkaistu"
    r"|опубликовано|опубліковано|datum|fecha|data",
    re.IGNORECASE,
)

#: A label saying that the date after it is about something else: a member's
#: sign-up, the last reply of a thread, a customer's review, an event, an
#: offer or a delivery, a copyright, today's date.
NOT_PUBLICATION_LABEL = re.compile(
    r"joined|member since|registered|last (?:post|reply|activity|seen|visit)|\brepl(?:y|ied|ies)\b"
    r"|\breviewed(?:\s+on)?:?\s*$|\brelease date|\bships?\b|deliver|arriv|\buntil\b|\btoday\b"
    r"|comment|\bevent|expir|\bends?\b|deadline|valid|\bborn\b|\bsince\b|\bsale\b|©"
    r"|copyright|\bdue\b|\bstarts\b|\bstarting\b|closing|mitglied seit|membre depuis|iscritto",
    re.IGNORECASE,
)
