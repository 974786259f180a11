"""Data tables for metadata extraction: meta-tag names, schema.org types, byline words.

Kept apart from the logic in ``metadata.py`` so that adding a CMS's meta tag is a
one-line data change.  Every name is lower-case: meta keys are matched after
``casefold()``.  Order matters in the tuples: the first key that holds a usable
value wins.
"""

from __future__ import annotations

import re

__all__ = [
    "ARTICLE_TYPES",
    "AUTHOR_META",
    "BYLINE_CLASS_TOKENS",
    "BYLINE_PREFIX",
    "DATE_MODIFIED_META",
    "DATE_PUBLISHED_META",
    "DESCRIPTION_META",
    "IMAGE_META",
    "ORG_TYPES",
    "PAGE_TYPES",
    "PERSON_TYPES",
    "SECTION_META",
    "SITENAME_META",
    "TAG_META",
    "TITLE_META",
]

#: schema.org types of the main article, whose fields describe the page's content.
ARTICLE_TYPES = frozenset(
    t.casefold()
    for t in (
        "Article",
        "NewsArticle",
        "BlogPosting",
        "Report",
        "ScholarlyArticle",
        "TechArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "ReportageNewsArticle",
        "ReviewNewsArticle",
        "BackgroundNewsArticle",
        "AskPublicNewsArticle",
        "LiveBlogPosting",
        "SocialMediaPosting",
        "DiscussionForumPosting",
        "Review",
        "CriticReview",
        "Recipe",
        "HowTo",
        "Guide",
        "MedicalScholarlyArticle",
        "SatiricalArticle",
        "AdvertiserContentArticle",
    )
)

#: schema.org types that describe the page itself (weaker than an article).
PAGE_TYPES = frozenset(
    t.casefold()
    for t in (
        "WebPage",
        "ItemPage",
        "AboutPage",
        "FAQPage",
        "ProfilePage",
        "CollectionPage",
        "SearchResultsPage",
        "ContactPage",
        "MedicalWebPage",
        "RealEstateListing",
        "CheckoutPage",
        "QAPage",
    )
)

#: Types whose ``name`` is a person's name.
PERSON_TYPES = frozenset(t.casefold() for t in ("Person", "Patient"))

#: Types whose ``name`` is an organisation's or a site's name.
ORG_TYPES = frozenset(
    t.casefold()
    for t in (
        "Organization",
        "NewsMediaOrganization",
        "Corporation",
        "LocalBusiness",
        "EducationalOrganization",
        "CollegeOrUniversity",
        "GovernmentOrganization",
        "MedicalOrganization",
        "NGO",
        "OnlineBusiness",
        "OnlineStore",
        "Store",
        "Brand",
        "WebSite",
        "ProfessionalService",
    )
)

#: <meta> names/properties whose content is a title, best first.
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

#: <meta> names/properties whose content names the author(s), best first.
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

#: <meta> names/properties whose content is the publication date, best first.
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
    "dateCreated".casefold(),
)

#: <meta> names/properties whose content is the last modification date, best first.
DATE_MODIFIED_META = (
    "article:modified_time",
    "datemodified",
    "og:updated_time",
    "dcterms.modified",
    "dc.date.modified",
    "last-modified",
    "lastmod",
)

#: <meta> names/properties whose content is the site's or publication's name.
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

#: <meta> names/properties whose content is a description, best first.
DESCRIPTION_META = (
    "og:description",
    "description",
    "twitter:description",
    "dc.description",
    "dcterms.description",
    "dcterms.abstract",
    "sailthru.description",
)

#: <meta> names/properties whose content is the lead image URL, best first.
IMAGE_META = ("og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src")

#: <meta> names/properties listing tags or keywords.
TAG_META = ("article:tag", "parsely-tags", "sailthru.tags", "news_keywords", "keywords")

#: <meta> names/properties naming the section or category.
SECTION_META = ("article:section", "parsely-section", "sailthru.section", "category")

#: class or id tokens (after casefold) of elements holding a byline's author name.
BYLINE_CLASS_TOKENS = frozenset(
    (
        "author",
        "author-name",
        "authorname",
        "author_name",
        "author-link",
        "author__name",
        "post-author",
        "post-author-name",
        "entry-author",
        "entry-author-name",
        "article-author",
        "article__author",
        "byline",
        "byline-name",
        "byline__name",
        "byline__author",
        "byline-author",
        "by-author",
        "meta-author",
        "posted-by",
        "written-by",
        "writer",
        "author-info__name",
        "c-byline__author",
        "td-post-author-name",
        "elementor-post-info__item--type-author",
        "fn",
    )
)

#: "By", "Di", "Von", "Par", "Por"... in front of a byline's names (with "Written by" etc.).
BYLINE_PREFIX = re.compile(
    r"^(?:(?:written|posted|published|story|words|reported|article)\s+by|by|di|von|par|por|door"
    r"|authors?|autor(?:en)?|auteurs?|autore|autori|escrito por|écrit par|geschrieben von"
    r"|scritto da)(?:\s*[:\-–—]\s*|\s+)",
    re.IGNORECASE,
)
