"""A small hand-built landing zone whose view and macro answers are computed by hand.

Days with articles: 2026-01-01..05 and 2026-01-07 (none on 01-06). 17 articles in all:

| day   | file        | articles (source)            | hashtags (articles)                       |
|-------|-------------|------------------------------|-------------------------------------------|
| 01-01 | a.txt       | 1 (none)                     | جدة 1                                     |
| 01-02 | wire.json   | 3 (spa)                      | الرياض 3                                  |
| 01-03 | school.txt  | 1 (none) + empty.txt reject  | جدة 1                                     |
| 01-04 | wire.json   | 3 (okaz)                     | الرياض 3 (4 uses: one article twice)      |
| 01-05 | wire.json   | 6 (spa 4, okaz 2)            | الرياض 6, مطر 3 (with الرياض), جدة 1      |
| 01-07 | wire.json   | 3 (spa)                      | الرياض 3 (spelled الرّياض in two)        |

Mentions: @SPAgov (01-01, 01-02), @spagov (01-02), @okaz_online (01-04).
"""

from __future__ import annotations

import json
from pathlib import Path

R, R_SHADDA, R_TATWEEL = "#الرياض", "#الرّياض", "#الريـاض"

SCHOOL_TITLE = "مدرسة الأمل"
SCHOOL_BODY = (
    "أعلنت وزارة التعليم أنّ العامَ الدراسيّ يبدأ غدا، وقال المدير إنّ المدرسةَ الجديدةَ "
    "ستفتح أبوابها في #جدة قريبا بعد اكتمال أعمال الصيانة والتجهيز الكامل للفصول."
)


def _art(source: str, title: str, content: str) -> dict:
    return {
        "source": source,
        "url": f"https://example.com/{abs(hash(title)) % 10**8}",
        "date_extracted": "2026-01-01 08:00:00",
        "title": title,
        "author": "مراسل",
        "content": content,
    }


def build_landing(root: Path) -> Path:
    land = root / "landing"
    days = {d: land / f"2026-01-0{d}" for d in (1, 2, 3, 4, 5, 7)}
    for p in days.values():
        p.mkdir(parents=True)
    (days[1] / "a.txt").write_text(
        "طقس الأربعاء\n\nالجو صحو في #جدة اليوم بحسب @SPAgov والرياح هادئة.", encoding="utf-8"
    )
    (days[3] / "school.txt").write_text(f"{SCHOOL_TITLE}\n\n{SCHOOL_BODY}", encoding="utf-8")
    (days[3] / "empty.txt").write_text("  \n", encoding="utf-8")
    wires = {
        2: [
            _art("spa", "افتتاح معرض الكتاب", f"افتتح في {R} معرض الكتاب كما أعلن @SPAgov"),
            _art("spa", "مؤتمر الطاقة", f"يعقد في {R} مؤتمر الطاقة بحضور @spagov"),
            _art("spa", "سباق الخيل", f"انطلق في {R} سباق الخيل السنوي"),
        ],
        4: [
            _art("okaz", "حركة المرور", f"ازدحام في {R} صباحا و{R} مساء، بحسب @okaz_online"),
            _art("okaz", "أسعار الخضار", f"ارتفعت أسعار الخضار في {R} هذا الأسبوع"),
            _art("okaz", "موسم الشتاء", f"بدأ موسم الشتاء في {R} مبكرا"),
        ],
        5: [
            _art("spa", "أمطار غزيرة", f"هطلت أمطار غزيرة على {R} اليوم #مطر"),
            _art("spa", "تعليق الدراسة", f"علقت الدراسة في {R_TATWEEL} بسبب #مطر"),
            _art("spa", "سيول في الأودية", f"جرت السيول في أودية {R} #مطر"),
            _art("spa", "رحلات جوية", f"تأجلت رحلات بين {R} و #جدة"),
            _art("okaz", "ازدحام الطرق", f"ازدحمت طرق {R} بعد الظهر"),
            _art("okaz", "انقطاع الكهرباء", f"انقطعت الكهرباء عن أحياء في {R}"),
        ],
        7: [
            _art("spa", "عودة الدراسة", f"عادت الدراسة في {R_SHADDA} اليوم"),
            _art("spa", "معرض السيارات", f"افتتح في {R_SHADDA} معرض السيارات"),
            _art("spa", "حملة تشجير", f"بدأت في {R} حملة تشجير واسعة"),
        ],
    }
    for d, arts in wires.items():
        (days[d] / "wire.json").write_text(json.dumps(arts, ensure_ascii=False), encoding="utf-8")
    return land
