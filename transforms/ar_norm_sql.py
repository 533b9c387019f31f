"""The DuckDB macro ``ar_norm(x)``, rendered from the tables of ``transforms.normalize``, so SQL
and Python cannot drift apart.

Pure text generation: flows/sql_objects.py writes the result to sql/macros/ar_norm.sql
(``make sql``) and checks the shipped file before installing it.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable

from transforms.normalize import DELETE_CHARS, SEARCH_DELETE_CHARS, SEARCH_FOLDS, SPACE_CHARS
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
    """Characters of a clean x after which the search steps may leave a non-NFC string: the
    NFC suspects (transforms.unicode_tables.nfc_suspect) and those whose lowercase contains
    one; minus the characters search deletes."""
    seconds = composition_seconds()
    deleted = set(SEARCH_DELETE_CHARS) | set(DELETE_CHARS)
    out = []
    for c in code_points():
        if c in deleted:
            continue
        if nfc_suspect(c, seconds) or any(nfc_suspect(x, seconds) for x in c.lower()):
            out.append(c)
    return out


@functools.cache
def ar_norm_macro_sql() -> str:
    """DuckDB SQL ``CREATE OR REPLACE MACRO ar_norm(x) AS ...`` equal to
    ``normalize(x, "search")`` on every clean ``x`` (``x == normalize(x)``).

    Rendered from the Python tables, in the order of the search steps: one RE2 class deletes the
    search marks (plus clean's deleted characters: harmless on clean text, handy for analysts'
    typed terms), ``translate`` does the folds (plus Zs/tab -> space), then ``lower``,
    ``nfc_normalize`` and clean's space rule. DuckDB's ``lower`` differs from ``str.lower`` on
    characters whose lowercase is longer (only U+0130) and has no Final_Sigma rule; both are
    rendered as explicit steps before ``lower``. ``nfc_normalize`` (slow in DuckDB) and the
    space rule only run on rows that can need them (a CASE on x; the inner expression is
    repeated in the text but each row evaluates one branch).
    """
    deleted = [*SEARCH_DELETE_CHARS, *DELETE_CHARS]
    odd_spaces = [c for c in SPACE_CHARS if c != " "]
    # Final sigma on x itself: the probe already sees x as the later steps will (a deleted
    # character is ignorable, a folded one is its fold), and those steps never make a Sigma.
    cased, ignorable = _final_sigma_sets()
    p, i = _re2_class(cased), _re2_class(ignorable)
    not_pi = _re2_class([*cased, *ignorable], negate=True)
    sigma = f"({p}{i}*)\\x{{03A3}}({i}*(?:{not_pi}|$))"
    expr = (
        f"CASE WHEN contains(x, '\u03a3') "
        f"THEN regexp_replace(x, {_sql_str(sigma)}, '\\1\u03c2\\2', 'g') ELSE x END"
    )
    expr = f"regexp_replace({expr}, {_sql_str(_re2_class(deleted))}, '', 'g')"
    src = "".join(SEARCH_FOLDS) + "".join(odd_spaces)
    dst = "".join(SEARCH_FOLDS.values()) + " " * len(odd_spaces)
    expr = f"translate({expr}, {_sql_str(src)}, {_sql_str(dst)})"
    for c in code_points():
        if len(c.lower()) > 1:
            expr = f"replace({expr}, {_sql_str(c)}, {_sql_str(c.lower())})"
    expr = f"lower({expr})"
    nfc_if = f"regexp_matches(x, {_sql_str(_re2_class(_nfc_suspects()))})"
    expr = f"CASE WHEN {nfc_if} THEN nfc_normalize({expr}) ELSE {expr} END"
    fixed = f"regexp_replace({expr}, '  +', ' ', 'g')"
    fixed = f"regexp_replace({fixed}, ' ?\\n ?', chr(10), 'g')"
    fixed = f"regexp_replace({fixed}, '\\n\\n\\n+', chr(10) || chr(10), 'g')"
    fixed = f"trim({fixed}, ' ' || chr(10))"
    space_if = f"regexp_matches(x, {_sql_str(_re2_class([*deleted, *odd_spaces]))})"
    expr = f"CASE WHEN {space_if} THEN {fixed} ELSE {expr} END"
    return f"CREATE OR REPLACE MACRO ar_norm(x) AS {expr};"
