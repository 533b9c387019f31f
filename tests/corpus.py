"""A generated landing zone that mixes every kind of bad input with good articles, and the exact
outcome a run must produce from it: which articles load (and from which copy), which files and
records are rejected and why, which files are skipped.

Seeded: the same seed always writes the same bytes. The sentences are written for this test.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import json
import os
import random
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

SENTENCES = (
    "قال وزير المالية إن الموازنة الجديدة تركز على التعليم والصحة",
    "ارتفعت أسعار النفط في الأسواق العالمية بعد قرار خفض الإنتاج",
    "افتتح أمير المنطقة معرض الكتاب الدولي بمشاركة مئات دور النشر",
    "أعلنت هيئة الأرصاد عن أمطار غزيرة على المرتفعات الغربية",
    "فاز المنتخب الوطني على ضيفه بهدفين نظيفين في مباراة ودية",
    "وقعت الشركة اتفاقية لبناء محطة جديدة لتحلية مياه البحر",
    "ناقش مجلس الشورى مشروع نظام حماية البيانات الشخصية",
    "تستضيف العاصمة مؤتمرا دوليا عن الطاقة المتجددة الأسبوع المقبل",
    "أكد المتحدث الرسمي أن الرحلات الجوية ستعود إلى مواعيدها",
    "سجلت الصادرات غير النفطية نموا ملحوظا خلال الربع الثالث",
    "بدأت وزارة التعليم تطبيق المناهج المطورة في المدارس الابتدائية",
    "أطلق الفريق البحثي قمرا صناعيا صغيرا لرصد جودة الهواء",
    "شهدت الأسواق الشعبية إقبالا كبيرا مع اقتراب موسم الأعياد",
    "حذر الأطباء من انتشار الإنفلونزا الموسمية مع دخول الشتاء",
)
TAGS = ("#الاقتصاد", "#الرياض", "#عاجل", "#الطقس", "@akhbar_news", "و#التعليم")
DATES = [dt.date(2026, 10, 1) + dt.timedelta(days=i) for i in range(5)]
LOGICAL = dt.date(2026, 10, 9)  # the run's date: files directly in the landing dir get it
MAX_FILE_BYTES = 40_000  # the generated run's --max-file-mb, in bytes


@dataclass
class Expected:
    # (date, path, member, record) -> (title, body, encoding) of every record that should load
    # unless it duplicates an earlier one
    records: dict[tuple[dt.date, str, str, int], tuple[str, str, str]] = field(default_factory=dict)
    rejects: list[tuple[str, str | None, int | None, str]] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # path -> reason
    files: int = 0  # files a run sees (read or skipped)
    file_rejects: dict[str, bytes] = field(default_factory=dict)  # whole files, quarantined

    def canonical(self) -> dict[tuple[str, str], tuple[str, str, int, str]]:
        """(title, body) -> (path, member, record, encoding) of the copy that must load:
        the first in (date, path, member, record) order."""
        out: dict[tuple[str, str], tuple[str, str, int, str]] = {}
        for (_d, path, member, rec), (title, body, enc) in sorted(self.records.items()):
            out.setdefault((title, body), (path, member, rec, enc))
        return out

    @property
    def duplicates(self) -> int:
        return len(self.records) - len(self.canonical())


class _Gen:
    def __init__(self, landing: Path, outside: Path, seed: int) -> None:
        self.landing, self.outside = landing, outside
        self.r = random.Random(seed)
        self.n = 0
        self.exp = Expected()
        self.loaded: list[tuple[str, str]] = []  # good (title, body) so far, for duplicates

    def article(self) -> tuple[str, str]:
        if self.loaded and self.r.random() < 0.12:
            return self.r.choice(self.loaded)  # a duplicate of an earlier article
        self.n += 1
        r = self.r
        title = f"{r.choice(SENTENCES)} ({self.n})"
        words = [r.choice(SENTENCES) for _ in range(r.randint(1, 4))]
        if r.random() < 0.5:
            words.insert(r.randint(0, len(words)), r.choice(TAGS))
        body = "، ".join(words) + "."
        self.loaded.append((title, body))
        return title, body

    def where(self) -> tuple[dt.date, str]:
        r = self.r.random()
        if r < 0.08:
            return LOGICAL, ""
        day = self.r.choice(DATES)
        spelling = f"date={day}" if day == DATES[-1] else day.isoformat()
        return day, spelling + "/"

    def write(self, rel: str, data: bytes) -> None:
        p = self.landing / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        self.exp.files += 1

    def good(self, day: dt.date, path: str, member: str, rec: int, enc: str) -> tuple[str, str]:
        title, body = self.article()
        self.exp.records[(day, path, member, rec)] = (title, body, enc)
        return title, body

    # -- file kinds ---------------------------------------------------------------------------
    def txt(self, day: dt.date, rel: str, member: str = "") -> bytes:
        kind = self.r.choice(("utf-8", "utf-8", "utf-8-bom", "utf-16-le", "utf-16-be", "cp1256"))
        title, body = self.good(day, rel, member, 0, kind)
        text = f"{title}\n\n{body}"
        if kind == "utf-8":
            return text.encode()
        if kind == "utf-8-bom":
            return codecs.BOM_UTF8 + text.encode()
        if kind == "utf-16-le":
            return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
        if kind == "utf-16-be":
            return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
        return text.encode("cp1256")

    def records(self, day: dt.date, rel: str, member: str, jsonl: bool) -> bytes:
        objs: list[str] = []
        for i in range(self.r.randint(1, 6)):
            roll = self.r.random()
            if roll < 0.1:
                obj = {"title": "", "content": "  ", "url": "https://example.com/x"}
                self.exp.rejects.append((rel, member or None, i, "no_text"))
            elif roll < 0.15:
                obj = ["not", "an", "object"]
                self.exp.rejects.append((rel, member or None, i, "bad_record"))
            elif jsonl and roll < 0.22:
                objs.append('{"title": "سطر مكسور", "content": ')
                self.exp.rejects.append((rel, member or None, i, "malformed_jsonl_line"))
                continue
            else:
                title, body = self.good(day, rel, member, i, "utf-8")
                obj = {"source": "wire", "url": f"https://example.com/{self.n}", "title": title}
                obj["author"], obj["content"] = "مراسل", body
            objs.append(json.dumps(obj, ensure_ascii=False))
        text = "\n".join(objs) + "\n" if jsonl else "[" + ",\n".join(objs) + "]"
        return text.encode()

    def zip(self, day: dt.date, rel: str) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for j in range(self.r.randint(1, 3)):
                name = f"m{j}/a{j}.txt" if j % 2 == 0 else f"m{j}.jsonl"
                data = (
                    self.txt(day, rel, name)
                    if name.endswith(".txt")
                    else self.records(day, rel, name, True)
                )
                zf.writestr(name, data)
            if self.r.random() < 0.3:
                zf.writestr("../escape.txt", "عنوان\n\nنص يحاول الخروج")
                self.exp.rejects.append((rel, "../escape.txt", None, "zip_unsafe_path"))
        return buf.getvalue()

    def bad_file(self, rel: str, reason: str, data: bytes) -> None:
        self.write(rel, data)
        self.exp.rejects.append((rel, None, None, reason))
        if reason not in ("too_large", "unsupported_extension"):  # rejected unread
            self.exp.file_rejects[rel] = data


def generate(landing: Path, outside: Path, seed: int = 2026, n_files: int = 220) -> Expected:
    """Write about `n_files` landing files (good and bad) and return what a run must make of
    them. `outside` is a dir beside the landing zone, for symlinks that lead out of it."""
    g = _Gen(landing, outside, seed)
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "secret.txt").write_text("سر\n\nلا يقرأ", encoding="utf-8")
    bad_kinds = {
        "empty": lambda: b"",
        "empty_ws": lambda: b"  \n\t\r\n ",
        "binary": lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        "undecodable": lambda: bytes(g.r.randrange(0x80, 0x100) for _ in range(300)),
        "too_large": lambda: ("خبر طويل جدا " * 4000).encode(),
        "no_body": lambda: f"{g.r.choice(SENTENCES)}\n\n  \n".encode(),
        "malformed_json": lambda: b'[{"title": "\xd8\xae\xd8\xa8\xd8\xb1", "content": ',
        "zip_corrupt": lambda: b"PK\x03\x04" + bytes(g.r.randrange(256) for _ in range(64)),
    }
    ext = {"no_body": ".txt", "malformed_json": ".json", "zip_corrupt": ".zip"}
    for i in range(n_files):
        day, folder = g.where()
        roll = g.r.random()
        if roll < 0.25:
            kind = g.r.choice(sorted(bad_kinds))
            reason = "empty" if kind == "empty_ws" else kind
            rel = f"{folder}bad_{i:03d}{ext.get(kind, g.r.choice(('.txt', '.json', '.jsonl')))}"
            g.bad_file(rel, reason, bad_kinds[kind]())
        elif roll < 0.29:
            # No reader for these: rejected unread (no quarantine copy), once.
            rel = f"{folder}notes_{i:03d}." + g.r.choice(("docx", "csv", "pdf"))
            g.bad_file(rel, "unsupported_extension", "ملاحظات".encode())
        elif roll < 0.31:
            rel = f"{folder}link_{i:03d}.txt"
            (landing / rel).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(outside / "secret.txt", landing / rel)
            g.exp.files += 1
            g.exp.skipped[rel] = "symlink_outside"
        elif roll < 0.55:
            rel = f"{folder}{i:03d}_{g.r.getrandbits(64):016x}.txt"
            g.write(rel, g.txt(day, rel))
        elif roll < 0.7:
            rel = f"{folder}wire_{i:03d}.json"
            g.write(rel, g.records(day, rel, "", False))
        elif roll < 0.85:
            rel = f"{folder}feed_{i:03d}.jsonl"
            g.write(rel, g.records(day, rel, "", True))
        else:
            rel = f"{folder}day_{i:03d}.zip"
            g.write(rel, g.zip(day, rel))
    # One FIFO: a real non-regular file that must be skipped, not read (reading would block).
    fifo = landing / f"{DATES[0]}" / "pipe.txt"
    fifo.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(fifo)
    g.exp.files += 1
    g.exp.skipped[f"{DATES[0]}/pipe.txt"] = "not_regular_file"
    return g.exp
