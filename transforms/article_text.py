"""The derived text columns of a batch of articles, from their clean titles and bodies: the
texts extraction reads (code blanked out), the search forms (`*_norm`, code left out), the
characters of code and the share of Arabic letters.

Code (`transforms.code_text`) stays in the stored `title`/`body`: they are `normalize(x)` of
what was read, as the contract says, and `code_chars` tells how much of them is code. It is
kept out of everything derived: hashtags, mentions and entities are found in the text with
the code replaced by spaces (so their offsets still index the stored text), `title_norm` and
`body_norm` (what `search_articles` and `ar_norm` searches match) are the search form of the
text without the code, and `arabic_ratio` counts the letters of that text only.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from transforms.code_text import CodeMasked, mask_batch
from transforms.language import counts_of, letter_counts, ratios
from transforms.normalize import normalize
from transforms.text import search_column


@dataclass(slots=True)
class TextColumns:
    titles: list[str]  # what extraction reads: the clean text with code blanked
    bodies: list[str]
    title_norm: pa.Array
    body_norm: pa.Array
    code_chars: list[int]  # in title and body together
    arabic_ratio: pa.Array  # float64, null for an article without letters


def _prose(clean: list[str], masked: CodeMasked) -> list[str]:
    """The clean texts without their code: the masked rows cleaned again (runs of spaces)."""
    if not masked.changed:
        return clean
    out = list(clean)
    for i in masked.changed:
        out[i] = normalize(masked.texts[i] or "")
    return out


def text_columns(
    titles: list[str], bodies: list[str], title_arr: pa.Array, body_arr: pa.Array
) -> TextColumns:
    """The derived columns of n articles (module docstring). `titles`/`bodies` are the clean
    texts, `title_arr`/`body_arr` the same as Arrow arrays (their bytes are counted)."""
    mt, mb = mask_batch(titles), mask_batch(bodies)
    prose_t, prose_b = _prose(titles, mt), _prose(bodies, mb)
    ar_t, other_t = letter_counts(title_arr)
    ar_b, other_b = letter_counts(body_arr)
    ar, other = ar_t + ar_b, other_t + other_b
    changed = sorted({*mt.changed, *mb.changed})
    if changed:  # letters of the code are not the article's
        a_t, o_t = counts_of([prose_t[i] for i in changed])
        a_b, o_b = counts_of([prose_b[i] for i in changed])
        ar[changed], other[changed] = a_t + a_b, o_t + o_b
    return TextColumns(
        titles=mt.texts,  # type: ignore[arg-type]  # no None in, none out
        bodies=mb.texts,  # type: ignore[arg-type]
        title_norm=search_column(prose_t),
        body_norm=search_column(prose_b),
        code_chars=[a + b for a, b in zip(mt.code_chars, mb.code_chars, strict=True)],
        arabic_ratio=ratios(ar, other),
    )
