"""The DuckDB macro ``ar_norm(x)``, rendered from the tables of ``transforms.normalize``, so SQL
and Python cannot drift apart.

Pure text generation: flows/sql_objects.py writes the result to sql/macros/ar_norm.sql
(``make sql``) and checks the shipped file before installing it.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable

from transforms.normalize import (
    COMPAT_MAP,
    DELETE_CHARS,
    SEARCH_DELETE_CHARS,
    SEARCH_FOLDS,
    SIGNS,
    SPACE_CHARS,
)
from transforms.unicode_tables import (
    code_point_ranges,
    code_points,
    composition_seconds,
    nfc_suspect,
)


def _re2_class(chars: Iterable[str], negate: bool = False) -> str:
    """An RE2 character class; letters, marks, digits, punctuation and symbols outside ASCII are
    written literally (a third of the text of \\x{...} escapes), everything else escaped."""

    def esc(cp: int) -> str:
        literal = cp > 0x7F and unicodedata.category(chr(cp))[0] in "LMNPS"
        return chr(cp) if literal else f"\\x{{{cp:04X}}}"

    body = "".join(esc(a) if a == b else f"{esc(a)}-{esc(b)}" for a, b in code_point_ranges(chars))
    return f"[{'^' if negate else ''}{body}]"


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _final_sigma_sets() -> tuple[list[str], list[str]]:
    """Probe ``str.lower``'s Final_Sigma context as the search steps see it (after deletion and
    folds): characters that count as cased-and-not-ignorable, and case-ignorable ones."""
    deleted = set(SEARCH_DELETE_CHARS) | set(DELETE_CHARS)
    cased, ignorable = [], []
    for c in code_points():
        e = "" if c in deleted else SEARCH_FOLDS.get(c, c)
        if e and (e + "\u03a3").lower().endswith("\u03c2"):
            cased.append(c)
        elif ("\u0391" + e + "\u03a3").lower().endswith("\u03c2"):
            ignorable.append(c)
    return cased, ignorable


def _nfc_suspects() -> list[str]:
    """Characters of x after which the steps may leave a non-NFC string: those whose search
    form (after clean's compatibility mapping, then deletion and lower case) holds an NFC
    suspect (transforms.unicode_tables.nfc_suspect). A string holding none is NFC, and stays so
    through the steps."""
    seconds = composition_seconds()
    deleted = set(SEARCH_DELETE_CHARS) | set(DELETE_CHARS)
    out = []
    for c in code_points():
        kept = [ch for ch in COMPAT_MAP.get(c, c) if ch not in deleted]
        if any(nfc_suspect(x, seconds) for ch in kept for x in (ch, *ch.lower())):
            out.append(c)
    return out


def _sigma_sql(expr: str) -> str:
    """Greek final sigma as ``str.lower`` decides it (DuckDB's ``lower`` has no such rule), on
    text as the search steps receive it: the probe already sees each character as the later
    steps will (a deleted one is ignorable, a folded one is its fold), and those steps never
    make a Sigma."""
    cased, ignorable = _final_sigma_sets()
    p, i = _re2_class(cased), _re2_class(ignorable)
    not_pi = _re2_class([*cased, *ignorable], negate=True)
    sigma = f"({p}{i}*)\\x{{03A3}}({i}*(?:{not_pi}|$))"
    return f"regexp_replace({expr}, {_sql_str(sigma)}, '\\1\u03c2\\2', 'g')"


def _search_steps_sql(expr: str) -> str:
    """Search steps 1-4 on ``expr`` (final sigma first): one RE2 class deletes the search marks
    (and clean's deleted characters), ``translate`` does the folds (and Zs/tab -> space), an
    explicit ``replace`` each character whose Python lowercase is longer (DuckDB: U+0130 -> i),
    then ``lower``."""
    deleted = [*SEARCH_DELETE_CHARS, *DELETE_CHARS]
    odd_spaces = [c for c in SPACE_CHARS if c != " "]
    expr = f"regexp_replace({expr}, {_sql_str(_re2_class(deleted))}, '', 'g')"
    src = "".join(SEARCH_FOLDS) + "".join(odd_spaces)
    dst = "".join(SEARCH_FOLDS.values()) + " " * len(odd_spaces)
    expr = f"translate({expr}, {_sql_str(src)}, {_sql_str(dst)})"
    for c in code_points():
        if len(c.lower()) > 1:
            expr = f"replace({expr}, {_sql_str(c)}, {_sql_str(c.lower())})"
    return f"lower({expr})"


def _space_rule_sql(expr: str) -> str:
    """Clean's step 5 once only spaces are left: one space a run, none around line breaks, at
    most one blank line, none at either end."""
    expr = f"regexp_replace({expr}, '  +', ' ', 'g')"
    expr = f"regexp_replace({expr}, ' ?\\n ?', chr(10), 'g')"
    expr = f"regexp_replace({expr}, '\\n\\n\\n+', chr(10) || chr(10), 'g')"
    return f"trim({expr}, ' ' || chr(10))"


def _compat_sql() -> str:
    """Clean steps 1-2 on x: line breaks, then presentation forms and full-width characters to
    COMPAT_MAP's forms. ``translate`` maps the one-to-one entries; the 476 that expand (a
    ligature to its letters, ﷺ to 18 characters) go through a MAP, looked up only for those
    characters (the text is cut into them and the runs between them), only in rows that hold
    one."""
    multi = {k: v for k, v in COMPAT_MAP.items() if len(v) != 1}
    single = {k: v for k, v in COMPAT_MAP.items() if len(v) == 1}
    cls = _re2_class(multi)
    pairs = ", ".join(f"{_sql_str(k)}: {_sql_str(v)}" for k, v in multi.items())
    runs = f"{cls}|[^{cls[1:]}+"  # each such character, and each run between them
    pieces = f"regexp_extract_all(x, {_sql_str(runs)})"
    lookup = f"lambda ar_t: coalesce(MAP {{{pairs}}}[ar_t], ar_t)"
    expanded = f"array_to_string(list_transform({pieces}, {lookup}), '')"
    mapped = f"CASE WHEN regexp_matches(x, {_sql_str(cls)}) THEN {expanded} ELSE x END"
    # translate() is slow with a long table (it builds its map for every row): only where a
    # one-to-one character (or a CR) is.
    src, dst = "".join(single), "".join(single.values())
    single_if = f"regexp_matches(x, {_sql_str(_re2_class([*single, chr(13)]))})"
    crlf = "replace(ar_m.v, chr(13) || chr(10), chr(10))"
    table = f"{_sql_str(src)} || chr(13), {_sql_str(dst)} || chr(10)"
    body = f"CASE WHEN ar_m.g THEN translate({crlf}, {table}) ELSE ar_m.v END"
    return _let({"v": mapped, "g": single_if}, "ar_m", body)


def _let(fields: dict[str, str], name: str, body: str) -> str:
    """``body`` with ``name`` bound to a struct of ``fields``, each written (and bound, and its
    regexes compiled) once however often body uses it. DuckDB inlines a macro and has no LET;
    a lambda over a one-element list is one. The body never names x: DuckDB refuses a subquery
    or UNNEST inside a lambda, and x may be one (``ar_norm((SELECT ...))``); a test on x is
    made outside and passed in as a field. The names carry a prefix so that they never shadow a
    column an argument names."""
    struct = ", ".join(f"{_sql_str(k)}: {v}" for k, v in fields.items())
    return f"list_transform([{{{struct}}}], lambda {name}: {body})[1]"


def _composing() -> list[str]:
    """The marks search deletes that NFC can compose into a letter (U+0653-U+0655)."""
    seconds = composition_seconds()
    return [c for c in SEARCH_DELETE_CHARS if ord(c) in seconds]


def _contains_any(chars: Iterable[str]) -> str:
    """A test for any of a few characters: contains() is a memchr-speed scan, a third of an
    RE2 class's cost."""
    return "(" + " OR ".join(f"contains(x, {_sql_str(c)})" for c in chars) + ")"


def _clean_steps_sql() -> str:
    """Clean steps 1-4 for text that is not clean: line breaks, compatibility forms, a space
    for a run of deleted characters between a word and a sign, and NFC where a mark search
    deletes could first compose into a letter it keeps (ي + hamza above = ئ; clean's deleted
    characters go first there; elsewhere the search steps delete them with the marks)."""
    deleted = _re2_class(DELETE_CHARS)
    word = _re2_class([*SPACE_CHARS, "\n", *DELETE_CHARS], negate=True)
    before_sign = f"({word})({deleted}+)({_re2_class(SIGNS)})"
    signed = "ar_c.v"
    # RE2 has no look-behind: the character before a run is consumed, so a run right after a
    # sign that ended the previous match is left for a second pass.
    for _ in range(2):
        signed = f"regexp_replace({signed}, {_sql_str(before_sign)}, '\\1 \\3', 'g')"
    fields = {"v": _compat_sql(), "g": _contains_any(SIGNS)}
    expr = _let(fields, "ar_c", f"CASE WHEN ar_c.g THEN {signed} ELSE ar_c.v END")
    composed = f"nfc_normalize(regexp_replace(ar_d.v, {_sql_str(deleted)}, '', 'g'))"
    nfc = f"CASE WHEN ar_d.g THEN {composed} ELSE ar_d.v END"
    return _let({"v": expr, "g": _contains_any(_composing())}, "ar_d", nfc)


def _not_clean_pattern() -> str:
    """Matches every x clean would change (and then some): line breaks as CR, compatibility
    forms, clean's deleted characters, odd spaces, a space out of place, and the search marks
    that NFC composes into a letter search keeps. Clean text never matches."""
    odd_spaces = [c for c in SPACE_CHARS if c != " "]
    cls = _re2_class(["\r", *COMPAT_MAP, *DELETE_CHARS, *odd_spaces, *_composing()])
    return cls + r"|^[ \n]|[ \n]$|  | \n|\n |\n\n\n"  # RE2 reads \n as a line break


def _sigma_case(expr: str) -> str:
    return f"CASE WHEN contains({expr}, '\u03a3') THEN {_sigma_sql(expr)} ELSE {expr} END"


@functools.cache
def ar_norm_macro_sql() -> str:
    """DuckDB SQL ``CREATE OR REPLACE MACRO ar_norm(x) AS ...`` equal to
    ``normalize(x, "search")``: on every clean ``x`` (``x == normalize(x)``, every stored
    column), on every single code point, and on what an analyst pastes (presentation forms,
    full-width characters, tatweel, bidi marks, stray spaces).

    Rendered from the Python tables. A row that is not clean (one RE2 scan decides) first takes
    clean's steps; then every row takes the search steps, ``nfc_normalize`` (slow in DuckDB)
    only where an NFC suspect is, and the space rule only where a deletion or clean's steps
    could break it. Each costly part is written once (see ``_let``): DuckDB inlines the macro
    in every query, and binding it compiles every regex it holds; the few lets cost a little
    per row, so clean rows pass through one.
    """
    not_clean = _not_clean_pattern()
    raw = _let({"v": _clean_steps_sql()}, "ar_y", _sigma_case("ar_y.v"))
    steps = (
        f"CASE WHEN regexp_matches(x, {_sql_str(not_clean)}) THEN {raw} ELSE {_sigma_case('x')} END"
    )
    nfc_if = f"regexp_matches(x, {_sql_str(_re2_class(_nfc_suspects()))})"
    nfc = "CASE WHEN ar_e.n THEN nfc_normalize(ar_e.v) ELSE ar_e.v END"
    # In clean text only a run of search-deleted characters between spaces, line breaks or an
    # end can break the space rule (most marks sit on a letter); clean's steps can break it too.
    alone = f"(?:^|[ \\n]){_re2_class(SEARCH_DELETE_CHARS)}+(?:[ \\n]|$)"
    space_if = f"regexp_matches(x, {_sql_str(alone + '|' + not_clean)})"
    spaced = f"CASE WHEN ar_e.s THEN {_space_rule_sql(nfc)} ELSE {nfc} END"
    fields = {"v": _search_steps_sql(steps), "n": nfc_if, "s": space_if}
    return f"CREATE OR REPLACE MACRO ar_norm(x) AS {_let(fields, 'ar_e', spaced)};"
