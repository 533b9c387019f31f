"""Arabic text normalization (placeholder: being replaced by the full-spec version)."""
from __future__ import annotations

import re
import unicodedata

NORMALIZER_VERSION = "0.0.1"
_DELETE = re.compile("[\u0640\u200b\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\u2060\u00ad\ufeff]")
_MARKS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed\u200c\u200d]")
_FOLD = str.maketrans("آأإٱىةک", "اااايهك")


def normalize(text: str, profile: str = "clean") -> str:
    if profile not in ("clean", "search"):
        raise ValueError(f"unknown profile {profile!r}: use 'clean' or 'search'")
    t = text.replace("\r\n", "\n").replace("\r", "\n")
    t = unicodedata.normalize("NFC", _DELETE.sub("", t))
    t = re.sub(r"[ \t\u00a0]+", " ", t).strip()
    if profile == "search":
        t = _MARKS.sub("", t).translate(_FOLD).lower()
        t = re.sub(r" +", " ", t).strip()
    return t
