"""URL spans as twitter-text's ``extractUrlsWithIndices`` finds them, for one job: strict hashtag
extraction drops a hashtag that overlaps a URL (``transforms.extract``).

Written from twitter-text 3.1.0's published regex definitions and checked against the
JavaScript library itself (tests/test_twitter_text_js.py). Its steps, in order:

1. One regex finds candidates: a preceding character (consumed, as in JavaScript, so two URLs
   never share it), an optional ``http(s)://`` (any case: the JavaScript regex is
   case-insensitive throughout), a domain, an optional port, path and query.
2. The domain must pass twitter-text's IDNA check: every label at most 63 characters once
   punycode-encoded, and the whole URL at most 4096.
3. Without a scheme, a candidate preceded by ``-``, ``_``, ``.`` or ``/`` is dropped; otherwise
   each ASCII domain inside the matched domain is a URL of its own, and only the last one takes
   the path and query, and only when there is a path (``x.com?q=#tag`` ends at ``x.com``).
4. With a scheme, a ``t.co`` link ends after its slug (and a slug over 40 characters is no URL).

The one known difference: twitter-text accepts only the top-level domains of its IANA list
(1,574, 155 of them Unicode); here any ASCII label of 2-63 letters, a punycode label, or one of
the list's 34 Arabic-script TLDs is one. It matters only for a ``#`` in the path of a "URL" whose
ASCII TLD does not exist, or whose TLD is in another non-Latin script: docs/extraction.md.
"""

from __future__ import annotations

import regex

# twitter-text's latinAccentChars. Under JavaScript's case-insensitive matching (non-Unicode
# mode: a character matches when its uppercase, kept only if it is one character and does not
# turn non-ASCII into ASCII, equals a member's) the class also matches the characters added
# below; tests/test_urls.py recomputes them from that rule.
LATIN_ACCENTS = (
    r"\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259"
    r"\u025b\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
LATIN_ACCENTS_CI = (
    LATIN_ACCENTS + r"\u0260\u0269\u0275\u0280\u0283\u0288\u028a\u028c\u0292\u0399\u03b9\u1fbe"
    r"\u2c65\u2c66\u2c7e\u2c7f"
)
CYRILLIC = r"\u0400-\u04ff"
CYRILLIC_CI = CYRILLIC + r"\u1c80-\u1c87"

# The character before a URL. JavaScript's regex sees UTF-16 code units: a character outside
# the BMP is two, the first of which may precede a domain that starts with the second. The
# empty alternative first reproduces that (the domain then starts with the whole character).
_PRECEDING = (
    r"(?:(?=[\U00010000-\U0010ffff])|[^A-Za-z0-9@＠$#＃\ufffe\ufeff\uffff]"
    r"|[\u202a-\u202e\u061c\u200e\u200f\u2066-\u2069]|^)"
)
# Domain characters: anything but ASCII punctuation (except '"' and '`'), spaces, the three
# invalid characters and the bidi controls.
_DOMAIN_CHAR = (
    r"[^!'#%&()*+,\-./:;<=>?@\[\]^_{|}~$\\"
    r"\x09-\x0d\x20\x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
    r"\ufffe\ufeff\uffff\u202a-\u202e\u061c\u200e\u200f\u2066-\u2069]"
)
# A subdomain label may hold '_', the domain name's last label only '-'. Each label starts and
# ends on a domain character; the possessive runs keep the scan linear.
_SUBDOMAIN = rf"{_DOMAIN_CHAR}(?:[_-]*+{_DOMAIN_CHAR})*+\."
_DOMAIN_NAME = rf"{_DOMAIN_CHAR}(?:-*+{_DOMAIN_CHAR})*+\."
# The Arabic-script top-level domains of twitter-text's list, as a regex alternation in its
# order (generic, then country). An Arabic letter may follow one: the end rule only excludes
# ASCII letters and digits.
ARABIC_TLDS = (
    "همراه|موقع|موبايلي|كوم|كاثوليك|عرب|شبكة|بيتك|بازار|العليان|ارامكو|اتصالات|ابوظبي|"
    "ڀارت|پاکستان|موريتانيا|مليسيا|مصر|قطر|فلسطين|عمان|عراق|سورية|سودان|تونس|بھارت|بارت|"
    "ایران|امارات|المغرب|السعودية|الجزائر|البحرين|الاردن"
)
# Stand-in for the rest of twitter-text's TLD list (see the module docstring), with its end
# rule. "http"/"https" before "://" is no TLD (it is not in the list): without this a text
# glued to a link ('شاهد.http://x.com/…') would read as a domain and swallow the link's scheme.
_TLD = (
    r"(?:(?![hH][tT][tT][pP][sS]?://)"
    rf"(?:[a-zA-Z]{{2,63}}|{ARABIC_TLDS})(?=[^0-9a-zA-Z@+-]|$)"
    r"|[xX][nN]--[0-9a-zA-Z-]+)"
)
_PATH_CHAR = rf"[a-zA-Z{CYRILLIC_CI}0-9!*';:=+,.$/%#\[\]\-\u2013_~@|&{LATIN_ACCENTS_CI}]"
_PATH_END = rf"[+\-a-zA-Z{CYRILLIC_CI}0-9=_#/{LATIN_ACCENTS_CI}]"
_PARENS = rf"\((?:{_PATH_CHAR}+|{_PATH_CHAR}*\({_PATH_CHAR}+\){_PATH_CHAR}*)\)"
_QUERY = r"\?[a-zA-Z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]*[a-zA-Z0-9\-_&=#/]"

_URL_RE = regex.compile(
    rf"(?P<before>{_PRECEDING})"
    r"(?P<url>(?P<scheme>[hH][tT][tT][pP][sS]?://)?"
    rf"(?P<domain>(?:{_SUBDOMAIN})*{_DOMAIN_NAME}{_TLD})"
    r"(?::[0-9]+)?"
    # The path. twitter-text's is a run of segments, each either path characters and balanced
    # parentheses ending on an allowed last character, or one parenthesized group alone (its
    # ending-character class carries "|(parens)" unbracketed: `/a&(b)` ends after `a`, while
    # `/a(b)` and `/a&(b)c` are whole). So: the longest run that, without its trailing
    # parenthesized groups, is empty or ends on an allowed last character. Written that way,
    # it cannot backtrack exponentially on a long path.
    rf"(?P<path>/(?:(?:{_PATH_CHAR}|{_PARENS})*{_PATH_END}(?:{_PARENS})*|(?:{_PARENS})*))?"
    rf"(?:{_QUERY})?)"
)
# Where a domain can end, and the run of domain characters it lies in (matched backwards).
_TLD_SPOT_RE = regex.compile(rf"\.{_TLD}")
_RUN_BEFORE_RE = regex.compile(rf"(?r)(?:{_DOMAIN_CHAR}|[._-])*")
_LONGEST_SCHEME = len("https://")
_ASCII_DOMAIN_RE = regex.compile(rf"(?:[a-zA-Z0-9{LATIN_ACCENTS_CI}-]+\.)+{_TLD}")
_TCO_RE = regex.compile(rf"[hH][tT][tT][pP][sS]?://[tT]\.[cC][oO]/([a-zA-Z0-9]+)(?:{_QUERY})?")
_MAX_URL = 4096
_MAX_LABEL = 63
_MAX_TCO_SLUG = 40


def _label_ok(label: str) -> bool:
    if label.isascii():
        return 0 < len(label) <= _MAX_LABEL
    # punycode.js splits a label on the ideographic and full-width full stops as well.
    parts = regex.split(r"[\u3002\uff0e\uff61]", label)
    encoded = ".".join(p if p.isascii() else "xn--" + p.encode("punycode").decode() for p in parts)
    return 0 < len(encoded) <= _MAX_LABEL


def _valid(url: str, scheme: str | None, domain: str) -> bool:
    """twitter-text's isValidUrl: the IDNA label lengths and the 4096-character limit."""
    if domain.startswith("xn--") and not _ASCII_DOMAIN_RE.search(domain):
        return False
    if not all(_label_ok(label) for label in domain.split(".")):
        return False
    # twitter-text adds the scheme's length to the URL's (the default one's when it has none).
    return len(scheme or "https://") + len(url) <= _MAX_URL


def _spans_of(m: regex.Match[str]) -> list[tuple[int, int]]:
    """The URLs twitter-text keeps of one candidate match."""
    url, scheme, domain = m.group("url"), m.group("scheme"), m.group("domain")
    if not m.group("before") and ord(domain[0]) > 0xFFFF:
        # The domain began on the character's second UTF-16 half (see _PRECEDING).
        domain = chr(0xDC00 + ((ord(domain[0]) - 0x10000) & 0x3FF)) + domain[1:]
    if not _valid(url, scheme, domain):
        return []
    if scheme is None:
        if m.group("before")[-1:] in ("-", "_", ".", "/"):
            return []
        start = m.start("domain")
        spans = [
            (start + a.start(), start + a.end())
            for a in _ASCII_DOMAIN_RE.finditer(m.group("domain"))
        ]
        if spans and m.group("path"):
            spans[-1] = (spans[-1][0], m.end())
        return spans
    start, end = m.span("url")
    tco = _TCO_RE.match(url)
    if tco:
        if len(tco.group(1)) > _MAX_TCO_SLUG:
            return []
        end = start + tco.end()
    return [(start, end)]


def url_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) code-point spans of the URLs twitter-text finds in ``text``, in order.

    The same matches as running the candidate regex over the whole text (what twitter-text
    does), found faster: a domain lies inside one run of domain characters, dots, '-' and '_'
    and ends on a top-level domain, and at most a scheme and one preceding character come
    before that run. So the regex is only tried at the positions from there up to each '.TLD'
    (a fast scan), each position once, left to right, after the end of the last match."""
    if "." not in text:  # every URL has a dot in its domain
        return []
    out: list[tuple[int, int]] = []
    pos = 0  # every position before this one has been tried, or lies in a match
    for spot in _TLD_SPOT_RE.finditer(text):
        dot = spot.start()
        if dot < pos:
            continue
        run = _RUN_BEFORE_RE.match(text, pos, dot)
        assert run is not None  # the pattern matches the empty string
        pos = max(pos, run.start() - _LONGEST_SCHEME - 1)
        while pos <= dot:
            m = _URL_RE.match(text, pos)
            if m is None:
                pos = _next_try(text, pos, run.start(), dot)
                continue
            out += _spans_of(m)
            pos = m.end()
    return out


def _next_try(text: str, p: int, run_start: int, dot: int) -> int:
    """The next position worth trying after no match started at ``p`` (in the run of domain
    characters from ``run_start`` to the '.TLD' at ``dot``).

    Inside the run, the match at p tried the domain from d = p + 1 when text[p] may precede a
    URL (not an ASCII letter or digit, ＠ or ＃). Every later start in d's label then fails as
    well: the rest of the domain is the same, and only the last label before the TLD may not
    hold a '_', so only a start after the label's last '_' can differ. Skipping them keeps a
    long run of such labels linear instead of quadratic."""
    d = p + 1
    c = text[p]
    if p < run_start or (c.isascii() and c.isalnum()) or c in "＠＃" or text[d] in "._-":
        return d
    end = text.find(".", d, dot + 1)  # d's label, if it ends inside the run
    if end < 0:
        return d
    under = text.rfind("_", d, end)
    return under if under > p else end
