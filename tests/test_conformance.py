"""twitter-text conformance: strict mode must pass every hashtag and mention case.

The cases live in ../shared/conformance (not shipped with the repo); without them the module
skips. Indices in the suite include the sign; ours do not, so they are converted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from transforms.extract import Entity, extract_batch, extract_hashtags, extract_mentions

SHARED = Path(__file__).resolve().parents[2] / "shared"
CONFORMANCE = SHARED / "conformance"

# The 191 required cases, and the list groups (checked on their screen-name part only, since a
# list reference yields its user as a mention here; see docs/extraction.md).
REQUIRED = {
    "twitter_text_extract.json": (
        "hashtags",
        "hashtags_from_astral",
        "hashtags_with_indices",
        "mentions",
        "mentions_with_indices",
    ),
    "twitter_text_autolink.json": ("autolink_hashtags", "autolink_usernames"),
}
EXTRA = {
    "twitter_text_extract.json": ("mentions_or_lists_with_indices",),
    "twitter_text_autolink.json": ("autolink_lists",),
}


def _load(groups: dict[str, tuple[str, ...]]) -> list[Any]:
    if not CONFORMANCE.is_dir():
        return [
            pytest.param(
                None,
                marks=pytest.mark.skip(reason=f"conformance suite not found at {CONFORMANCE}"),
                id="no-shared",
            )
        ]
    params = []
    for name, wanted in groups.items():
        cases = json.loads((CONFORMANCE / name).read_text(encoding="utf-8"))
        for n, case in enumerate(c for c in cases if c["group"] in wanted):
            params.append(pytest.param(case, id=f"{case['group']}-{n:02d}-{case['description']}"))
    return params


def _sign_indices(text: str, ents: list[Entity]) -> list[list[int]]:
    for e in ents:
        assert text[e.start : e.end] == e.text
        assert text[e.start - 1] in "#＃@＠"
    return [[e.start - 1, e.end] for e in ents]


def _check(case: dict[str, Any]) -> None:
    group, text, expected = case["group"], case["text"], case["expected"]
    if group.startswith(("hashtags", "autolink_hashtags")):
        ents = extract_hashtags(text, strict=True)
        if group == "hashtags_with_indices":
            got = [
                {"hashtag": e.text, "indices": i}
                for e, i in zip(ents, _sign_indices(text, ents), strict=True)
            ]
            assert got == expected
        else:
            assert [e.text for e in ents] == expected
    else:
        ents = extract_mentions(text, strict=True)
        if group == "mentions_with_indices":
            got = [
                {"screen_name": e.text, "indices": i}
                for e, i in zip(ents, _sign_indices(text, ents), strict=True)
            ]
            assert got == expected
        elif group == "mentions_or_lists_with_indices":
            assert [e.text for e in ents] == [x["screen_name"] for x in expected]
        elif group == "autolink_lists":
            assert [e.text for e in ents] == [x[0] for x in expected]
        else:
            assert [e.text for e in ents] == expected
    # The batch path must agree with the scalar one on every case, in both modes.
    for strict in (True, False):
        tags, mentions = extract_batch([text], strict=strict)
        assert [e for _, e in tags] == extract_hashtags(text, strict=strict)
        assert [e for _, e in mentions] == extract_mentions(text, strict=strict)


@pytest.mark.parametrize("case", _load(REQUIRED))
def test_required_case(case: dict[str, Any]) -> None:
    _check(case)


@pytest.mark.parametrize("case", _load(EXTRA))
def test_list_case_screen_names(case: dict[str, Any]) -> None:
    _check(case)


def test_required_count() -> None:
    if not CONFORMANCE.is_dir():
        pytest.skip(f"conformance suite not found at {CONFORMANCE}")
    assert len(_load(REQUIRED)) == 191
