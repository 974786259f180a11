"""Data for the cleaners: character classes, regexes, word lists and lexicons.

Logic lives in the step modules; this module only holds the tables they read,
in the manner of ftfy's ``chardata.py``.  Everything here is immutable
(strings, frozensets, compiled regexes), so importing it has no side effects.
"""

from __future__ import annotations

import re


def _words(text: str) -> list[str]:
    """Split a whitespace-separated word table (easier to read and edit than a list)."""
    return text.split()


# ---------------------------------------------------------------- languages

#: Languages whose typography puts a (no-break) space before ``; : ! ?``.
SPACE_BEFORE_HIGH_PUNCT_LANGS = frozenset({"fr", "br"})

#: wordfreq keeps some languages under another code (Serbo-Croatian is ``sh``).
WORDFREQ_CODES = {"hr": "sh", "sr": "sh", "bs": "sh", "no": "nb", "tl": "fil"}

#: Three-letter and legacy codes users pass for two-letter ones.
LANG_ALIASES = {
    "eng": "en",
    "deu": "de",
    "ger": "de",
    "fra": "fr",
    "fre": "fr",
    "ita": "it",
    "spa": "es",
    "por": "pt",
    "nld": "nl",
    "dut": "nl",
    "pol": "pl",
    "hrv": "hr",
    "srp": "sr",
    "ces": "cs",
    "cze": "cs",
    "rus": "ru",
    "ukr": "uk",
    "swe": "sv",
    "dan": "da",
    "fin": "fi",
    "hun": "hu",
    "ron": "ro",
    "rum": "ro",
    "tur": "tr",
    "cat": "ca",
    "ell": "el",
    "gre": "el",
    "nob": "nb",
    "nor": "nb",
    "slk": "sk",
    "slo": "sk",
    "slv": "sl",
    "bul": "bg",
    "lit": "lt",
    "lav": "lv",
    "iw": "he",
    "in": "id",
    "ji": "yi",
}

# ---------------------------------------------------------------- entities

#: An HTML entity reference, possibly escaped again (``&amp;amp;auml;``).
ENTITY_RE = re.compile(
    r"&(?:amp;)*(#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};"
    r"|(?:nbsp|amp|quot|lt|gt)(?![A-Za-z0-9;]))"
)

# ---------------------------------------------------------------- whitespace

#: Zero-width and invisible format characters that scrapers leave in words.
ZERO_WIDTH = "\u200b\u2060\ufeff"
#: Joiners: removable between Latin letters, meaningful in Arabic, Indic, emoji.
JOINERS = "\u200c\u200d"
#: Spaces that become a plain space (no-break, thin, en, em, figure...).
ODD_SPACES = (
    "\t\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f"
)
#: No-break spaces that French typography puts before ``; : ! ? »`` and after ``«``.
FRENCH_SPACES = "\xa0\u202f\u2009"
#: Characters after which a script uses zero-width characters on purpose.
ZW_SCRIPT_RE = re.compile(
    "[\u0600-\u06ff\u0750-\u077f\u0900-\u0dff\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"
    "\u3000-\u9fff\uac00-\ud7af\U0001f000-\U0001faff\u2600-\u27bf\ufe0f]"
)
#: Characters the whitespace step always rewrites (a quick test before any work).
ODD_WHITESPACE_CHARS = ZERO_WIDTH + JOINERS + ODD_SPACES + "\r\x0b\x0c\x85\u2028\u2029"
#: The same, as one character class.
ODD_WHITESPACE_CHAR_RE = re.compile("[" + ODD_WHITESPACE_CHARS + "]")
#: The ASCII ones: all that ASCII text can hold, each found by a C-level ``in``.
ODD_WHITESPACE_ASCII = "".join(char for char in ODD_WHITESPACE_CHARS if char.isascii())

# ---------------------------------------------------------------- stray tags

#: Tag names, longest first so that an alternation prefers ``strong`` to ``s``.
_TAGS = sorted(
    _words(
        """
    a abbr address article aside audio b big blockquote body br button caption center
    cite code col dd del details dfn div dl dt em figcaption figure font footer form h1
    h2 h3 h4 h5 h6 head header hr html i iframe img input ins kbd label li link main
    mark meta nav noscript ol option p picture pre q s samp script section small source
    span strike strong style sub summary sup svg table tbody td textarea tfoot th thead
    time title tr tt u ul var video wbr
    """
    ),
    key=lambda t: (-len(t), t),
)
TAG_NAMES = frozenset(_TAGS)
_TAG = "(?:" + "|".join(_TAGS) + ")"
#: Tags that separate words (a space replaces them when they sit between letters).
BLOCK_TAGS = frozenset(
    _words(
        """
    address article aside blockquote body br dd div dl dt figcaption figure footer form
    h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section table tbody td tfoot
    th thead tr ul
    """
    )
)
_ATTR_EQ = r"""(?:\s+[A-Za-z_:][-\w:.]*\s*=\s*(?:"[^"<>\n]*"|'[^'<>\n]*'|[^\s"'<>=`]+))"""
_ATTR_ANY = _ATTR_EQ[:-1] + r"|\s+[A-Za-z_:][-\w:.]*)"
#: A stray tag fragment.  Groups say which form it is; the step decides with context.
STRAY_TAG_RE = re.compile(
    # 1. a whole tag: <p>, </em>, <br/>, <a href="x">, and an HTML comment
    rf"(?P<full></?(?P<t1>{_TAG}){_ATTR_ANY}*\s*/?>|<!--.*?-->)"
    # 2. the start of a tag cut before its '>': <em, </p, <br/
    rf"|(?P<open></?(?P<t2>{_TAG}){_ATTR_EQ}*\s*/?)(?![\w>=]|-\S)"
    # 3. a closing tag glued to the next word: </pseit
    rf"|(?P<glued></(?P<t3>{_TAG}))(?=[^\W\d_])"
    # 3b. an opening tag glued to the next word: <emSi, <pde (lower-case tag only:
    #     "<Palace Tale>" is a title in angle brackets, not <p + "alace")
    rf"|(?-i:(?P<gluednext><(?P<t5>{_TAG}))(?=[^\W\d_]{{2}}))"
    # 4. the end of a tag cut after its '<': p>, /strong>, div class="x">
    rf"|(?P<close>/?(?P<t4>{_TAG})(?P<attrs>{_ATTR_EQ}*)\s*/?>)",
    re.IGNORECASE,
)
#: Quick test: any '<' or '>' next to a letter or slash at all?
TAGS_PRECHECK_RE = re.compile(r"<[/A-Za-z!]|[A-Za-z0-9\"'/]>")

# ---------------------------------------------------------------- mojibake

#: UTF-8 read as Latin-1 / Windows-1252: a lead byte followed by a continuation byte,
#: or a C1 control character, or the 'Ã ' that a lost no-break space leaves.
MOJIBAKE_PRECHECK_RE = re.compile(
    "[\xc2-\xf4\u0152\u0178\u017d\u0160\u0161][\x80-\xbf\u0152\u0153\u0160\u0161\u0178"
    "\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2020"
    "\u2021\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]|[\x80-\x9f]|\xc3 "
)

_CP1252_SYMBOLS = (
    "\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018\u2019"
    "\u201a\u201c\u201d\u201e\u2020\u2021\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
)
#: A run of characters that Windows-1252 can encode beyond ASCII: a mojibake candidate.
MOJIBAKE_RUN_RE = re.compile("[\x80-\xff" + _CP1252_SYMBOLS + "]{2,}")
#: What a repaired run may decode to: Latin, Greek, Cyrillic letters, common symbols.
PLAUSIBLE_DECODED_RE = re.compile("[\xa0-\u052f\u1e00-\u1fff\u2010-\u2044\u20ac\u2122]+")

# ---------------------------------------------------------------- punctuation

#: Words that end with a period and may be followed by a comma (``et al.,``).
ABBREVIATIONS = frozenset(
    _words(
        """
    al etc eg ie cf vs viz approx ca resp incl excl esp fig figs eq eqs no nos vol vols
    ed eds pp p ch sec art nr inc ltd co corp jr sr dr mr mrs ms prof st mt ave dept
    univ gov gen col lt capt sgt rev hon bzw usw vgl ggf evtl inkl ebd hrsg ecc ecc sig
    dott ing avv pag cap mme mlle cie env p.ex ej sra sres dña dra lic pág págs núm tel
    fax blz dhr mevr enz bijv resp ul al tzw itd itp np tj tzn wg
    """
    )
)

#: Abbreviations, by language, that a lowercase word follows after a space (``r. wzrosły``).
ABBREVIATIONS_BEFORE_WORDS = {
    "pl": frozenset(
        _words("r w b ul np tj godz tys św tzw zob por ok ks płk mgr inż woj pow im nr wg")
    ),
}

#: Titles, by language, written with a period before a name (``M. Wurtz``, ``Dr. Sieben``).
TITLES_BEFORE_NAMES = {
    "fr": frozenset(_words("M MM Mme Mmes Mlle Me Mgr Dr Pr")),
    "de": frozenset(_words("Dr Hr Fr Prof")),
    "en": frozenset(_words("Mr Mrs Ms Dr Prof")),
    "it": frozenset(_words("Sig Dott Prof On Avv Ing")),
    "es": frozenset(_words("Sr Sra Srta Dr Dra")),
    "pt": frozenset(_words("Sr Sra Dr Dra")),
    "nl": frozenset(_words("Dhr Mevr Dr")),
    "pl": frozenset(_words("Dr Prof")),
}

#: Conjunctions after which ``word- conj`` is a truncated compound, never a broken word.
CONJUNCTIONS = frozenset(
    _words(
        """
    und oder bis sowie bzw and or nor to vs et ou à e o y u ni en of tot t/m i lub albo
    czy oraz ani a és vagy ja tai eller og och
    """
    )
)

#: Emoticons whose ``:``/``;`` must keep the space before them.
EMOTICON_RE = re.compile(r"[:;]['-]?[)(\]\[DPpOo3/\\|*](?![^\W\d_])")

# ---------------------------------------------------------------- paragraphs

#: A line that starts a list item (never glued to the line before).
LIST_ITEM_RE = re.compile(r"\s*(?:[-*•–—·▪►>#|]|\d{1,3}[.)]\s|[a-z][.)]\s|[A-Z]\)\s)")
#: Short function words that cannot end a sentence or a heading.
DANGLING_WORDS = frozenset(
    _words(
        """
    a an the of to in on at by for with from and or but as that than der die das den dem
    des ein eine einen einem einer und oder mit von zu im am für auf aus bei nach über
    unter il lo la le gli i un una uno di da in con su per tra fra e o ma che del della
    dei delle le la les un une des de du et ou avec pour dans sur par au aux que qui el
    los las del al y con por para en que um uma os as do da dos das no na nos nas em com
    por para que het een van en of met voor op aan bij naar dat die w z na do i oraz lub
    że się od za przez dla przy o
    """
    )
)

#: Articles and prepositions that never end a sentence or a heading, even before a name.
ARTICLES_AND_PREPOSITIONS = frozenset(
    _words(
        """
    the a an der die das den dem des ein eine einen einem einer zum zur beim vom im am
    il lo la le gli un una uno dello della dei degli delle nel nello nella nei negli
    nelle les une du au aux el los las um uma os as dos das het een w z ze na do od
    przez dla
    """
    )
)

# ---------------------------------------------------------------- boilerplate

# Lexicons of boilerplate vocabulary in many languages (en de it fr es pt nl pl and
# some more).  The rules in boilerplate.py are general: a short line is boilerplate
# when it is made only of these words (plus function words and decorations) and
# contains a trigger, or sits at the top or bottom edge of the text; a few longer
# sentences (cookie notices, "your e-mail will not be published") are matched by
# phrase patterns.  Nothing here is one site's wording.

#: Words that, with only boilerplate words around them, make a short line boilerplate.
BOILERPLATE_TRIGGERS = frozenset(
    _words(
        # share
        """
        share shares sharing tweet retweet reshare repost teilen teile teilt condividi
        condividere partager partagez compartir comparte compartilhar compartilhe partilhar
        partilhe delen udostępnij podziel sdílet
        """
        # newsletter, subscriptions, consent buttons
        """
        newsletter newsletters newslettera newslettery nieuwsbrief nieuwsbrieven boletín
        boletim infolettre subscribe unsubscribe abonnieren abonniere abonnez iscriviti
        abbonati inscrivez suscríbete suscribirse suscríbase assine assinar inscreva abonneer
        subskrybuj prenumeruj zapisz zapisać accept akzeptieren accetta accetto accepter
        aceptar aceitar accepteren akceptuj akceptuję zaakceptuj cookie cookies ciasteczka
        ciasteczek
        """
        # ads
        """
        advertisement advertisements advertising anzeige werbung pubblicità publicité
        publicidad publicidade advertentie reklama sponsored sponsorisé sponsorizzato
        sponsorizzati patrocinado patrocinados gesponsord gesponsorde sponsorowany
        sponsorowane sponsorowana promoted
        """
        # comments
        """
        comment comments kommentar kommentare kommentieren commento commenti commenta
        commentare commentaire commentaires commenter comentario comentarios comentar
        comentário comentários reactie reacties reageer reageren komentarz komentarze
        komentarzy skomentuj komentować reply replies antworten rispondi répondre responder
        responda odpowiedz réagir reagieren reagisci reaccionar reagir
        """
        # related, tags, keywords
        """
        related correlati correlate correlato verwandte similaires connexes relacionados
        relacionadas gerelateerde gerelateerd powiązane tags schlagwörter schlagworte
        stichwörter etichette étiquettes etiquetas trefwoorden tagi keywords
        """
        # print, navigation, legal
        """
        print drucken stampa imprimer imprimir afdrukken drukuj breadcrumb navigation
        navigazione menu menü copyright
        """
        # a few more languages: sv da nb, cs sk, ro, hu, tr, ru uk
        """
        dela nyhetsbrev kommentarer annons annonse annonce relaterat relaterede relatert
        prenumerera abonner sdílet zdieľať komentáře komentáre související súvisiace
        distribuie comentarii publicitate abonează megosztás hozzászólások hirdetés
        kapcsolódó feliratkozás paylaş yorumlar reklam abone поделиться комментарии
        комментарий реклама подписаться похожие поділитися коментарі
        """
    )
)

#: Function words that may fill a boilerplate line but never make one.
BOILERPLATE_FUNCTION_WORDS = frozenset(
    _words(
        """
    a an the to of in on at for and or with from by all any as via per this it us our
    your you we i me my de di da del la le el los las il lo un una une des du en het een
    van und der die das ein eine den dem zum zur zu auf für mit von im am bei sie ihnen
    dich du unser unsere unseren uns ihr ihre e y et o ou i w z do o na po za od dla
    alla al ai nostro nostra nostri ti te vous nous notre nos ce cet cette sur par à au
    aux nuestro nuestra nuestros tu su sus nosso nossa nossos seu sua você op voor aan
    onze ons je jouw uw nasz nasza nasze naszego twój ciebie cię się je ten ta to nella
    nel nei nelle della dello dei delle tua tuo tue tuoi sua suo dans ta ton tes en tu
    tus em no na teu tua um uma mijn jouw twoja twoje twoich
    se nas diesen dieser dieses
    """
    )
)

#: Words that may appear in boilerplate lines besides a trigger.
BOILERPLATE_VOCAB = frozenset(
    _words(
        """
    facebook twitter x whatsapp linkedin pinterest telegram reddit messenger instagram
    tiktok youtube threads bluesky mastodon xing flipboard email e-mail mail sms link
    links url copy copied kopieren kopiert copia copiato copier copié copiar copiado
    kopiëren gekopieerd kopiuj skopiuj skopiowano enlace enlaces collegamento lien liens
    ligação hiperligação koppeling odnośnik liés liées vínculo receive get recibe
    recibir receba receber ricevi ricevere recevez recevoir erhalten erhalte ontvang
    ontvangen otrzymuj otrzymaj inbox correo posteingang postfach casella boîte caixa
    skrzynka mailbox news nachrichten meldungen notizie nouvelles actualités actualité
    noticias notícias nieuws wiadomości aktualności headlines schlagzeilen titoli titres
    titulares manchetes koppen nagłówki article articles story stories post posts page
    item items now here today free daily weekly latest news more also may might like see
    read other others topic topics similar recommended popular most trending top follow
    jetzt hier kostenlos täglich neueste neuesten mehr auch artikel beitrag beiträge
    seite thema themen weitere ähnliche könnte interessieren interessant gefällt lesen
    empfohlen anmelden abonnieren questo questa articolo articoli notizia notizie ora
    qui gratis quotidiana ultime altri altre altro anche leggi potrebbe interessarti
    interessare piacere argomenti article articles maintenant ici gratuit gratuite
    quotidienne dernières plus aussi lire lisez voir autres sujets même pourriez aimer
    este esta artículo artículos noticia noticias ahora aquí gratis diaria últimas más
    también leer lea ver otros otras temas tema puede interesar gustar artigo artigos
    notícia notícias agora aqui grátis diária mais também leia ler veja outros outras
    pode interessar gostar dit deze artikel artikelen nieuws nu hier gratis dagelijkse
    laatste meer ook lees bekijk andere onderwerpen kan misschien interessant artykuł
    artykuły wiadomość wiadomości teraz tutaj darmo codzienny najnowsze więcej też także
    czytaj zobacz inne inny tematy może zainteresować accept accepted akzeptieren
    akzeptiere alle accetta accetto accetti tutti tutto accepter accepte tout tous
    aceptar acepto acepta todas todos aceitar aceito aceite accepteren accepteer alles
    akceptuj akceptuję zaakceptuj wszystkie zgadzam settings einstellungen impostazioni
    paramètres configuración configurações instellingen ustawienia manage verwalten
    gestisci gérer gestionar gerir beheren zarządzaj policy privacy datenschutz
    privacidad privacidade politique confidentialité informativa leave write add join
    discussion conversation schreibe schreiben einen verfassen lascia scrivi aggiungi un
    laisser laissez écrire ajouter deja deje escribe escribir añadir deixe deixa escreva
    adicionar schrijf plaats laat dodaj napisz zostaw cancel abbrechen annulla annuler
    cancelar annuleren anuluj sign signup register log login logged out registrieren
    registriati accedi connectez inscríbete regístrate entrar inloggen registreren
    zaloguj zarejestruj folgen segui suivez suivre síguenos siga volg obserwuj back
    zurück nach oben torna su retour haut volver arriba voltar topo terug naar boven
    powrót góry skip content inhalt contenuto contenu contenido conteúdo inhoud treści
    next previous nächster vorheriger weiter successivo precedente suivant précédent
    siguiente anterior próximo seguinte volgende vorige następny poprzedni home start
    startseite homepage accueil inicio início voorpagina powered content inhalt tag
    parole chiave mots clés palabras clave palavras chave słowa kluczowe
    meld aanmelden inschrijven achter laisser material materiał contenuto conteúdo
    contenido inhoud treść day today giorno jour día dia dag dzień tag
    click here clicca klicken cliquez haga clique klik kliknij continue reading continua
    leggere continuer seguir leyendo continuar lendo verder lezen dalej main seguici
    seguiteci deel schrijf
    """
    )
)

#: Words for the home page, the first item of a breadcrumb.
HOME_WORDS = frozenset(_words("home start startseite homepage accueil inicio início voorpagina"))
#: Social networks, matched as word prefixes so that inflected forms count (``Facebooku``).
SOCIAL_PREFIXES = ("facebook", "twitter", "whatsapp", "linkedin", "instagram", "youtube")
#: Single words that, alone after the last paragraph, are sharing widgets.
WIDGET_WORDS = frozenset(_words("email mail sms link links rss x pinterest telegram reddit"))

#: Whole lines that say "related / read also / you may also like", by their words.
RELATED_LINE_RE = re.compile(
    r"^(?:read|see|also) (?:more|also|next)|^more (?:on|about|from|news|stories)\b"
    r"|^you (?:may|might) (?:also )?like|^(?:recommended|related|popular|trending)\b"
    r"|^mehr (?:zum|zu|aus|von|über|news|nachrichten)\b|^(?:auch|ebenfalls) interessant"
    r"|^(?:das|dies) könnte (?:sie|dich) (?:auch )?interessieren|^weiterlesen|^lesen sie auch"
    r"|^(?:leggi|vedi) (?:anche|tutto|di più)|^(?:altre|ultime) notizie|^potrebbe interessarti"
    r"|^ti potrebbe (?:anche )?interessare|^articoli correlati|^approfondimenti"
    r"|^(?:à |a )?lire (?:aussi|également|la suite)|^voir aussi|^(?:sur le même sujet)"
    r"|^(?:plus d'|autres )(?:actualités|articles)|^vous (?:aimerez|pourriez aimer)"
    r"|^(?:lea|lee|leer) (?:también|más)|^(?:más|otras) noticias|^te puede interesar"
    r"|^(?:leia|veja|ler) (?:também|mais)|^(?:mais|outras) notícias|^você (?:também )?pode gostar"
    r"|^(?:lees|bekijk) (?:ook|meer)|^(?:meer|ander) nieuws|^dit vind je misschien"
    r"|^(?:czytaj|zobacz) (?:też|także|więcej|również)|^(?:więcej|inne) (?:wiadomości|artykuły)"
    r"|^może cię (?:też |także )?zainteresować",
    re.IGNORECASE,
)

#: Navigation and calls to action, whole short lines in many languages.
NAVIGATION_LINE_RE = re.compile(
    r"^(?:back to top|nach oben|zurück nach oben|torna su|torna all'inizio|retour en haut"
    r"|volver arriba|voltar ao topo|terug naar boven|do góry|na górę"
    r"|skip to (?:main )?content|zum inhalt(?: springen)?|vai al contenuto|aller au contenu"
    r"|ir al contenido|ir para o conteúdo|naar de inhoud|przejdź do treści"
    r"|sign up|subscribe now|schrijf je (?:nu )?in|meld je (?:nu )?aan|zapisz się"
    r"|inscreva-se|inscríbete|iscriviti|abonnez-vous|melde dich an|jetzt anmelden)\b",
    re.IGNORECASE,
)

#: Credits under pictures (``Photo: Reuters``), short lines in many languages.
CREDIT_LINE_RE = re.compile(
    r"^(?:photo|photos|foto|fotos|bild|bilder|image|images|picture|credit|crédit|crédito"
    r"|crediti|fonte|source|quelle|fuente|źródło|zdjęcie|zdjęcia|beeld)"
    r"(?: credits?)?\s*[:©]",
    re.IGNORECASE,
)

#: Short labels of news sections and navigation, for a label line at the top.
SECTION_WORDS = frozenset(
    _words(
        """
    home start startseite homepage accueil inicio início voorpagina główna strona news
    nachrichten notizie actualités actualité noticias notícias nieuws wiadomości
    aktualności world welt mondo monde mundo wereld świat international internationale
    internazionale internacional internationaal ausland esteri étranger buitenland
    zagranica national nazionale nacional binnenland kraj politics politik politica
    politique política politiek polityka economy business wirtschaft economia économie
    economía economie gospodarka biznes finance finanzen finanza finanzas finanças
    financiën finanse markets sport sports calcio fußball fussball football fútbol
    futebol voetbal culture kultur cultura cultuur kultura arts entertainment
    unterhaltung spettacoli divertissement entretenimiento entretenimento rozrywka
    science wissenschaft scienza sciences ciencia ciência wetenschap nauka tech
    technology technik tecnologia technologie tecnología technologia digital health
    gesundheit salute santé salud saúde gezondheid zdrowie opinion meinung opinioni
    opinión opinião opinie local lokales locale regional regionale regio cronaca chronik
    sucesos lifestyle leben style mode moda travel reisen viaggi voyage viajes viagens
    reizen podróże weather wetter meteo météo tiempo weer pogoda auto motori video
    videos foto fotos photos gallery latest breaking top stories europe europa panorama
    vermischtes magazin magazine società société sociedad sociedade samenleving kraj
    świat regiony and und e et y i en & -
    """
    )
)

#: Substrings one of which every boilerplate sentence contains (a cheap gate).
BOILERPLATE_SENTENCE_KEYS = (
    "cookie",
    "ciastecz",
    "mail",
    "rights",
    "rechte",
    "diritti",
    "droits",
    "derechos",
    "direitos",
    "rechten",
    "prawa",
    "newsletter",
    "reading",
    "continues",
    "fields",
    "pflichtfeld",
    "campi",
    "champs",
    "campos",
    "velden",
    "pola",
    "closed",
    "geschlossen",
    "chiusi",
    "fermés",
    "cerrados",
    "fechados",
    "gesloten",
    "wyłączone",
)


def _literals_by_first_char(literals: tuple[str, ...]) -> str:
    """A regex matching any of ``literals``, its branches grouped by first character.

    Why: at each character that starts some literal, the regex engine tries the
    branches one by one; grouped, it tries one group and only that group's tails.

    >>> _literals_by_first_char(("cookie", "mail", "campi", "c"))
    '(?:c(?:ookie|ampi|)|m(?:ail))'
    """
    groups: dict[str, list[str]] = {}
    for literal in literals:
        groups.setdefault(literal[0], []).append(re.escape(literal[1:]))
    branches = (re.escape(first) + "(?:" + "|".join(tails) + ")" for first, tails in groups.items())
    return "(?:" + "|".join(branches) + ")"


#: Any of those keys (one search instead of one per key; a yes/no test, as the
#: branches are regrouped and the first key found is not the first listed).
BOILERPLATE_SENTENCE_KEYS_RE = re.compile(_literals_by_first_char(BOILERPLATE_SENTENCE_KEYS))
#: Long boilerplate sentences, searched in the casefolded line (many languages).
BOILERPLATE_SENTENCE_RE = re.compile(
    r"\b(?:we|this (?:site|website)|our (?:site|website)|diese (?:website|webseite|seite)"
    r"|wir|questo sito|ce site|nous|este sitio|este site|deze (?:website|site)|wij"
    r"|ta strona|używamy)\b.{0,60}\b(?:cookies?|ciasteczk\w*|plików cookie)\b"
    r"|\b(?:accept|akzeptieren|accetta|accepter|aceptar|aceitar|accepteren|akceptuj)\w*"
    r" (?:all |alle |tutti |tous |todas |todos |alles |wszystkie )?(?:cookies?|ciasteczka)"
    r"|e-?mail.{0,30}(?:not be published|nicht veröffentlicht|non sarà pubblicato"
    r"|ne sera pas publiée|no (?:será|se) publica|não será publicado|niet gepubliceerd"
    r"|nie zostanie opublikowany)"
    r"|(?:required fields are marked|pflichtfelder sind mit|campi obbligatori sono"
    r"|champs obligatoires sont|campos obligatorios están|campos obrigatórios são"
    r"|verplichte velden zijn|wymagane pola są)"
    r"|(?:all rights reserved|alle rechte vorbehalten|tutti i diritti riservati"
    r"|tous droits réservés|todos los derechos reservados|todos os direitos reservados"
    r"|alle rechten voorbehouden|wszelkie prawa zastrzeżone)"
    r"|(?:subscribe|sign up|register) (?:to|for) (?:our|the) .{0,20}newsletter"
    r"|(?:continue|keep) reading (?:below|after)|story continues below"
    r"|(?:comments are|kommentare sind|commenti sono|commentaires sont|comentarios están"
    r"|comentários estão|reacties zijn|komentarze są) (?:closed|geschlossen|chiusi|fermés"
    r"|cerrados|fechados|gesloten|wyłączone)",
    re.IGNORECASE,
)

#: Status, date and credit lines (``Updated 3 hours ago``, ``© Agency``).
META_LINE_RE = re.compile(
    r"^(?:(?:last )?updated|published|posted|(?:zuletzt )?aktualisiert|veröffentlicht|stand"
    r"|(?:ultimo )?aggiornamento|aggiornato|pubblicato|(?:dernière )?mise à jour|mis à jour"
    r"|publié|(?:última )?actualización|actualizado|publicado|(?:última )?atualização"
    r"|atualizado|(?:laatst )?bijgewerkt|gepubliceerd|(?:ostatnia )?aktualizacja"
    r"|zaktualizowano|opublikowano)\b.{0,40}$"
    r"|^(?:©|\(c\)|copyright\b).{0,80}$",
    re.IGNORECASE,
)

#: A comment counter (``0 Comments``, ``12 Kommentare``, ``Komentarze (3)``).
COUNTER_LINE_RE = re.compile(r"^\(?\d{1,6}\)?\s+\w+$|^\w+\s+\(\d{1,6}\)$")

#: A breadcrumb: two or more short items joined by > » › / |.
BREADCRUMB_RE = re.compile(
    r"^[^\W\d_][\w .'&-]{0,30}(?:\s+[>»›|/]\s+[^\W\d_][\w .'&-]{0,30}){1,6}$"
)
