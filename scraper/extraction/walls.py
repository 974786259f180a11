"""Recognise pages that stand in front of an article instead of holding one.

A JavaScript shell, a cookie-consent wall or a login form often still carries
a few sentences ("Please enable JavaScript", "We value your privacy...").
Returned as the body, they poison every tool downstream, so extraction raises
``NoArticleError`` for them.  Only short bodies are checked: a real article
that mentions cookies or JavaScript is long enough to pass.
"""

from __future__ import annotations

import re
from typing import Final

from selectolax.lexbor import LexborHTMLParser

__all__ = ["consent_share", "has_login_form", "looks_like_wall"]

#: Bodies with at least this many words are articles, whatever they mention.
SHORT_BODY_WORDS = 120

_JS_REQUIRED = re.compile(
    r"(enable|activate|turn on|requires?|need|disabled|aktivieren|activer|activez|abilita|"
    r"attiva|habilita|activa|ative|włącz|inschakelen)\W+(?:\w+\W+){0,4}?javascript"
    r"|javascript\W+(?:\w+\W+){0,3}?(is\s+)?(disabled|required|deaktiviert|désactivé|"
    r"disabilitato|desactivado|desativado|wyłączony|uitgeschakeld)",
    re.IGNORECASE,
)

_CONSENT = re.compile(
    r"\b(cookies?|consent|privacy settings|privacy preferences|accept all|reject all|"
    r"alle akzeptieren|einwilligung|tout accepter|accetta tutt[io]|aceptar todo|"
    r"aceitar tod[oa]s|zgadzam się|alles accepteren|toestemming)\b",
    re.IGNORECASE,
)

_LOGIN = re.compile(
    r"\b(sign in|log in|login|subscribe to (continue|read)|create an account|anmelden|"
    r"se connecter|connexion|accedi|iniciar sesión|entrar|zaloguj|inloggen)\b",
    re.IGNORECASE,
)


def has_login_form(tree: LexborHTMLParser) -> bool:
    """Does the page ask for a password?  Read it before anything strips the form fields.

    >>> has_login_form(LexborHTMLParser('<form><input type="password"></form>'))
    True
    """
    return tree.css_first('input[type="password"]') is not None


def looks_like_wall(text: str, *, login_form: bool = False) -> bool:
    """True when a short body is a JavaScript notice, a consent wall or a login form.

    ``login_form`` says whether the page has a password field (:func:`has_login_form`).

    >>> looks_like_wall("Please enable JavaScript to view this site.")
    True
    >>> looks_like_wall("The council met on Monday to discuss the budget.")
    False
    >>> looks_like_wall("We use cookies. Accept all or manage privacy settings.")
    True
    >>> looks_like_wall("The court ruled that consent was never given.")
    False
    >>> looks_like_wall("Sign in to continue reading.", login_form=True)
    True
    """
    # Split no further than the limit: a whole article's words are not needed.
    if len(text.split(None, SHORT_BODY_WORDS - 1)) >= SHORT_BODY_WORDS:
        return False
    if _JS_REQUIRED.search(text):
        return True
    # One mention of "consent" is news; a wall names several of its terms.
    if len({m.group(0).casefold() for m in _CONSENT.finditer(text)}) >= 2:
        return True
    return login_form and _LOGIN.search(text) is not None


#: The words that every ``_CONSENT`` match holds one of (as :func:`_fold` spells
#: them), with where in the match each can start: "accept" starts "accept all",
#: and is 5 characters into "tout accepter", 6 into "alles accepteren".
_CONSENT_WORDS: Final[dict[str, tuple[int, ...]]] = {
    "cookie": (0,),
    "consent": (0,),
    "privacy": (0,),
    "accept": (0, 5, 6),
    "reject": (0,),
    "akzeptieren": (5,),
    "einwilligung": (0,),
    "accetta": (0,),
    "aceptar": (0,),
    "aceitar": (0,),
    "zgadzam": (0,),
    "toestemming": (0,),
}


def _fold(text: str) -> str:
    """``text`` in lower case, with the two lower-case letters ``re.IGNORECASE``
    equates with ASCII ones made ASCII (dotless "ı" is "i", long "ſ" is "s").

    Why: every character the case-blind ``_CONSENT`` equates with a letter of
    ``_CONSENT_WORDS`` then becomes that letter, unless it lower-cases to
    several ("İ"); a test checks all of Unicode.

    >>> _fold("Prıvacy ſettings, KELVIN")
    'privacy settings, kelvin'
    """
    return text.lower().replace("\u0131", "i").replace("\u017f", "s")


def _has_consent(text: str) -> bool:
    """Whether ``_CONSENT`` matches in ``text``: the same answer as its ``search``, cheaper.

    Why: the pattern starts with ``\\b`` and ignores case, so ``re`` has no
    prefix to skip ahead with and tries every position (0.4 ms on a
    1,500-word page), while most pages say "privacy" or "accept" somewhere
    and none holds a match.  Here ``str.find`` looks for the words in a
    lower-cased copy (:func:`_fold`), and the pattern is tried (``match``:
    anchored, with the whole string as context) only where a match holding
    the word found would start.  That needs the copy's positions to be the
    text's: when a character lower-cases to several ("İ"), the plain search
    runs instead.

    >>> _has_consent("We use COOKIES."), _has_consent("They accepted the consensus.")
    (True, False)
    """
    folded = _fold(text)
    if len(folded) != len(text):
        return _CONSENT.search(text) is not None
    for word, offsets in _CONSENT_WORDS.items():
        at = folded.find(word)
        while at >= 0:
            for offset in offsets:
                if offset <= at and _CONSENT.match(text, at - offset) is not None:
                    return True
            at = folded.find(word, at + 1)
    return False


def consent_share(text: str) -> float:
    """Share of the words of ``text`` that sit in lines about cookies or consent.

    Why: on a page whose consent dialog is in the markup, the article
    extractor sometimes keeps the dialog's paragraphs as the body.  A body
    made of them is a wall, not content, whatever its length.

    >>> consent_share("We use cookies on this site.\\nThe council met on Monday morning.")
    0.5
    """
    if not _has_consent(text):  # the common case
        return 0.0
    total = in_consent = 0
    for line in text.split("\n"):
        words = len(line.split())
        total += words
        if _has_consent(line):
            in_consent += words
    return in_consent / total if total else 0.0
