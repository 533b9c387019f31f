"""The analysts' SQL objects in sql/: their catalog, installing them, and the generated macro.

One object a file (sql/views, sql/macros), each with a header comment: `name: first sentence`,
then `Purpose:`, `Columns:`, `Depends:` naming the views and macros the object uses
(comma-separated; only when it uses any) and `Example:`. `sql_catalog()` reads the headers
(works without a warehouse); `install_objects()` creates the objects in a warehouse, each
after the ones it depends on. sql/macros/ar_norm.sql is generated from the Python
normalization tables (`make sql` runs `write_ar_norm_sql()`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from transforms.ar_norm_sql import ar_norm_macro_sql
from transforms.normalize import NORMALIZER_VERSION

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
# In the fingerprint: a warehouse installed before its objects had comments gets them once.
COMMENTS_VERSION = b"comments-1"


# --------------------------------------------------------------------------------------------
# Catalog
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SqlObject:
    name: str
    kind: str  # 'view' | 'macro'
    signature: str  # 'v_articles' or 'hashtag_timeline(hashtag)'
    purpose: str  # the header's first sentence, on one line
    example: str
    path: Path
    depends: tuple[str, ...] = ()  # the views and macros it uses (header's `Depends:`)
    columns: tuple[tuple[str, str], ...] = ()  # (name, description or ""), header's `Columns:`
    about: str = ""  # the first sentence and `Purpose:`: its comment in DuckDB


_FIRST = re.compile(r"^(?P<sig>(?P<name>\w+)(?:\([\w, ]*\))?):\s*(?P<rest>.*)$")
_SECTION = re.compile(r"^(Purpose|Columns|Example|Depends):\s*(.*)$")


def _header(path: Path) -> list[str]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("--"):
            break
        out.append(line[2:].strip())
    return out


def _shown(path: Path) -> str:
    """`sql/views/x.sql`, wherever that sql/ is: for messages."""
    return str(path.relative_to(path.parents[2]))


def _sql_object(path: Path, kind: str) -> SqlObject:
    head = _header(path)
    m = _FIRST.match(head[0]) if head else None
    if not m:
        return SqlObject(path.stem, kind, path.stem, "(no header)", "", path)
    first = [m["rest"]]
    sections: dict[str, list[str]] = {}
    current = None
    for line in head[1:]:
        sec = _SECTION.match(line)
        if sec:
            current = sec[1]
            sections[current] = [sec[2]]
        elif current:
            sections[current].append(line)
        else:
            first.append(line)  # the first sentence wraps onto the next line
    depends = " ".join(sections.get("Depends", [])).replace(",", " ").split()
    purpose = " ".join(first).strip()
    return SqlObject(
        m["name"],
        kind,
        m["sig"],
        purpose,
        " ".join(sections.get("Example", [])).strip(),
        path,
        tuple(depends),
        parse_columns(" ".join(sections.get("Columns", []))),
        " ".join([purpose, *sections.get("Purpose", [])]).strip(),
    )


_COLUMN = re.compile(
    r"^(?P<name>\w+)(?:\s+[A-Z][A-Z0-9_]*(?:\[\])?)?\s*(?:\((?P<desc>.*)\))?$", re.S
)


def _top_level_items(text: str) -> list[str]:
    """`text` split at the commas outside parentheses."""
    items, depth, cur = [], 0, []
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            items.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    return [*items, "".join(cur).strip()]


def parse_columns(text: str) -> tuple[tuple[str, str], ...]:
    """A header's `Columns:` text (`name [TYPE] [(description)], …`) as (name, description)
    pairs; an item that does not read as a column is left out."""
    out = []
    for item in _top_level_items(" ".join(text.split())):
        m = _COLUMN.match(item)
        if m:
            out.append((m["name"], (m["desc"] or "").strip()))
    return tuple(out)


def sql_catalog(sql_dir: Path = SQL_DIR) -> list[SqlObject]:
    """Every view and macro in sql/, from its header comment: name, one-line purpose, example,
    dependencies."""
    return [
        _sql_object(path, kind)
        for kind, sub in (("view", "views"), ("macro", "macros"))
        for path in sorted((sql_dir / sub).glob("*.sql"))
    ]


def installed_objects(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Names of the views and macros present in a warehouse."""
    views = con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    macros = con.execute(
        "SELECT DISTINCT function_name FROM duckdb_functions() "
        "WHERE function_type IN ('macro', 'table_macro') AND NOT internal"
    ).fetchall()
    return {r[0] for r in views + macros}


# --------------------------------------------------------------------------------------------
# Installing
# --------------------------------------------------------------------------------------------


def install_order(objs: Sequence[SqlObject]) -> list[SqlObject]:
    """`objs`, each after the objects it depends on (otherwise in the given order). Raises
    ValueError naming a dependency no object in `objs` defines, or a cycle."""
    by_name = {o.name: o for o in objs}
    done: set[str] = set()
    order: list[SqlObject] = []

    def visit(obj: SqlObject, path: tuple[str, ...]) -> None:
        if obj.name in done:
            return
        if obj.name in path:
            cycle = " -> ".join([*path[path.index(obj.name) :], obj.name])
            raise ValueError(f"sql/ objects depend on each other in a cycle: {cycle}")
        for dep in obj.depends:
            if dep not in by_name:
                raise ValueError(
                    f"{_shown(obj.path)}: depends on {dep}, which no file in sql/ defines"
                )
            visit(by_name[dep], (*path, obj.name))
        done.add(obj.name)
        order.append(obj)

    for obj in objs:
        visit(obj, ())
    return order


def install(con: duckdb.DuckDBPyConnection, objs: Iterable[SqlObject]) -> None:
    """Create (or replace) `objs` in `con`, in dependency order, each with its header's
    descriptions as DuckDB comments (CREATE OR REPLACE drops an object's comments)."""
    for obj in install_order(list(objs)):
        try:
            con.execute(obj.path.read_text(encoding="utf-8"))
            for sql in comment_sql(obj):
                con.execute(sql)
        except duckdb.CatalogException as e:
            raise RuntimeError(
                f"{_shown(obj.path)}: {e}\n(does its header's `Depends:` name every view and "
                "macro it uses?)"
            ) from e
        except duckdb.Error as e:
            raise RuntimeError(f"{_shown(obj.path)}: {e}") from e


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def comment_sql(obj: SqlObject) -> list[str]:
    """COMMENT statements putting `obj`'s header into DuckDB's catalog, where
    duckdb_views(), duckdb_columns(), duckdb_functions() and DBeaver show them: the purpose on
    the object, and on a view each column's description."""
    if obj.kind == "macro":
        kind = "MACRO TABLE" if _is_table_macro(obj) else "MACRO"
        return [f"COMMENT ON {kind} {obj.name} IS {_quote(obj.about)}"]
    out = [f"COMMENT ON VIEW {obj.name} IS {_quote(obj.about)}"]
    out += [
        f"COMMENT ON COLUMN {obj.name}.{col} IS {_quote(desc)}" for col, desc in obj.columns if desc
    ]
    return out


def _is_table_macro(obj: SqlObject) -> bool:
    return bool(re.search(r"\)\s+AS\s+TABLE\b", obj.path.read_text(encoding="utf-8"), re.I))


TABLE_COMMENTS = SQL_DIR / "tables.sql"


def comment_tables(con: duckdb.DuckDBPyConnection) -> int:
    """sql/tables.sql's COMMENT statements on the warehouse's tables and columns, each applied
    when its table (and column) is in `con`: a past run's warehouse (`query --as-of`) has views
    instead, and a comment on a column a newer schema dropped must not fail a publish (the
    tests check that every statement applies). Returns how many were applied."""
    have = con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() "
        "WHERE NOT internal AND schema_name = 'main' "
        "AND table_name IN (SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main')"
    ).fetchall()
    tables, columns = {t for t, _ in have}, set(have)
    applied = 0
    for stmt in table_comments():
        if stmt.table in tables and (stmt.column is None or (stmt.table, stmt.column) in columns):
            con.execute(stmt.sql)
            applied += 1
    return applied


@dataclass(frozen=True)
class TableComment:
    table: str
    column: str | None  # None: the table's own comment
    sql: str


_TABLE_COMMENT = re.compile(r"^COMMENT ON (?:TABLE (\w+)|COLUMN (\w+)\.(\w+)) IS ", re.I)


def table_comments(path: Path = TABLE_COMMENTS) -> list[TableComment]:
    """The statements of sql/tables.sql (one a line, `--` lines are comments)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _TABLE_COMMENT.match(line)
        if m:
            out.append(TableComment(m[1] or m[2], m[3], line.rstrip().rstrip(";")))
        elif line.strip() and not line.startswith("--"):
            raise ValueError(
                f"{path.relative_to(SQL_DIR.parent)}: not one COMMENT statement a line: {line[:60]}"
            )
    return out


def install_objects(con: duckdb.DuckDBPyConnection) -> None:
    """Every view and macro of sql/, each after the ones its header says it depends on, and
    the comments of the tables and their columns."""
    check_ar_norm_file()
    install(con, sql_catalog())
    comment_tables(con)


def _sql_files(sub: str) -> list[Path]:
    return sorted((SQL_DIR / sub).glob("*.sql"))


def objects_fingerprint() -> str:
    """Identifies the SQL objects' definitions: views and macros are re-created only when it
    changes (generating ar_norm costs more than the rest of a no-op run)."""
    h = hashlib.sha256(NORMALIZER_VERSION.encode() + COMMENTS_VERSION)
    for path in [*_sql_files("macros"), *_sql_files("views"), TABLE_COMMENTS]:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


# --------------------------------------------------------------------------------------------
# The generated macro, sql/macros/ar_norm.sql
# --------------------------------------------------------------------------------------------

AR_NORM_FILE = SQL_DIR / "macros" / "ar_norm.sql"
AR_NORM_HEADER = """\
-- ar_norm(x): the search normalization of transforms.normalize, in SQL.
-- Purpose: the same folding as title_norm, body_norm and every key: harakat and tatweel gone,
--          أ إ آ ٱ -> ا, ى -> ي, ة -> ه, Arabic-Indic digits -> 0-9, lower case. Equal to
--          Python's normalize(x, 'search') on any x: stored (clean) text, every code point,
--          pasted presentation forms and full-width forms (tests/test_ar_norm_sql.py).
--          GENERATED by `make sql` from the Python tables for NORMALIZER_VERSION {version}:
--          do not edit; regenerate after changing transforms/normalize.py.
-- Columns: a VARCHAR (scalar macro)
-- Example: select ar_norm('#الرّياض'), ar_norm('مَدْرَسَة'), ar_norm('٢٠٢٦ COP'), ar_norm('ﻻ');
"""


def render_ar_norm_sql() -> str:
    """The text of sql/macros/ar_norm.sql. Shipped rendered, not rendered per publish: the
    rendering probes every code point (0.3 s, a tenth of a full rebuild of the real corpus)."""
    return AR_NORM_HEADER.format(version=NORMALIZER_VERSION) + ar_norm_macro_sql() + "\n"


def write_ar_norm_sql() -> Path:
    AR_NORM_FILE.write_text(render_ar_norm_sql(), encoding="utf-8")
    return AR_NORM_FILE


def check_ar_norm_file() -> None:
    """Refuse a shipped ar_norm.sql rendered for another NORMALIZER_VERSION (the tests catch
    any other staleness; this catches a version bump without `make sql`)."""
    head = AR_NORM_FILE.read_text(encoding="utf-8")[: len(AR_NORM_HEADER) + 40]
    if f"NORMALIZER_VERSION {NORMALIZER_VERSION}:" not in head:
        raise RuntimeError(
            f"{_shown(AR_NORM_FILE)} was generated for another "
            f"NORMALIZER_VERSION than {NORMALIZER_VERSION}: run `make sql`"
        )
