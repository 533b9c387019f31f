"""The SQL objects of sql/: each header declares the views and macros its object uses
(`Depends:`), and installing follows those declarations, not trial and error."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from flows.sql_objects import (
    SqlObject,
    comment_tables,
    install,
    install_objects,
    install_order,
    installed_objects,
    parse_columns,
    sql_catalog,
    table_comments,
)
from flows.warehouse_tables import create_table_sql
from transforms import schemas


def _tables_only() -> duckdb.DuckDBPyConnection:
    """A fresh in-memory warehouse: the tables, no views or macros."""
    con = duckdb.connect()
    for table in schemas.TABLES:
        con.execute(create_table_sql(table))
    return con


def _with_dependencies(obj: SqlObject, by_name: dict[str, SqlObject]) -> list[SqlObject]:
    """`obj` and every object it declares it depends on, directly or not."""
    found: dict[str, SqlObject] = {}
    todo = [obj]
    while todo:
        o = todo.pop()
        if o.name not in found:
            found[o.name] = o
            todo += [by_name[d] for d in o.depends]
    return list(found.values())


def _undeclared(objs: list[SqlObject]) -> list[str]:
    """The objects that fail to install into a warehouse holding only the tables and the
    objects they declare (DuckDB binds a view's or a macro's body when it is created, so a
    view or macro it uses and does not declare is missing there)."""
    by_name = {o.name: o for o in objs}
    failed = []
    for obj in objs:
        con = _tables_only()
        try:
            install(con, _with_dependencies(obj, by_name))
        except RuntimeError as e:
            failed.append(f"{obj.name}: {e}")
        finally:
            con.close()
    return failed


def test_every_object_declares_what_it_uses() -> None:
    objs = sql_catalog()
    assert len(objs) > 10
    assert _undeclared(objs) == []


def test_every_declared_dependency_is_used() -> None:
    for obj in sql_catalog():
        body = "\n".join(
            line
            for line in obj.path.read_text(encoding="utf-8").splitlines()
            if not line.startswith("--")
        )
        for dep in obj.depends:
            assert re.search(rf"\b{dep}\b", body), f"{obj.name} declares {dep} but never uses it"


def _write(sql: Path, sub: str, name: str, header: list[str], body: str) -> None:
    (sql / sub).mkdir(parents=True, exist_ok=True)
    text = "".join(f"-- {line}\n" for line in header) + body + "\n"
    (sql / sub / f"{name}.sql").write_text(text, encoding="utf-8")


def test_an_undeclared_dependency_is_caught(tmp_path: Path) -> None:
    sql = tmp_path / "sql"
    (sql / "macros").mkdir(parents=True)
    ids = "CREATE VIEW v_b AS SELECT article_id FROM articles;"
    _write(sql, "views", "v_b", ["v_b: ids."], ids)
    uses_b = "CREATE VIEW v_a AS SELECT * FROM v_b;"
    _write(sql, "views", "v_a", ["v_a: over v_b.", "Example: select * from v_a;"], uses_b)
    failed = _undeclared(sql_catalog(sql))
    assert len(failed) == 1 and failed[0].startswith("v_a: sql/views/v_a.sql: ")
    assert "v_b" in failed[0] and "Depends:" in failed[0]
    header = ["v_a: over v_b.", "Depends: v_b", "Example: select * from v_a;"]
    _write(sql, "views", "v_a", header, uses_b)
    assert _undeclared(sql_catalog(sql)) == []


def test_catalog_reads_depends_apart_from_the_other_sections() -> None:
    objs = {o.name: o for o in sql_catalog()}
    timeline = objs["hashtag_timeline"]
    assert timeline.depends == ("ar_norm", "v_hashtag_daily", "v_hashtag_display")
    assert timeline.example == "select day, articles from hashtag_timeline('#الرّياض');"
    assert objs["v_articles"].depends == () and objs["ar_norm"].depends == ()
    assert objs["v_top_hashtags"].depends == ("v_hashtag_display",)


def _obj(name: str, *depends: str) -> SqlObject:
    return SqlObject(name, "view", name, "", "", Path("sql/views") / f"{name}.sql", depends)


def test_install_order_puts_dependencies_first() -> None:
    objs = [_obj("c", "b", "a"), _obj("a"), _obj("b", "a"), _obj("d")]
    assert [o.name for o in install_order(objs)] == ["a", "b", "c", "d"]
    real = install_order(sql_catalog())
    pos = {o.name: i for i, o in enumerate(real)}
    assert all(pos[d] < pos[o.name] for o in real for d in o.depends)


def test_install_order_names_a_cycle_and_a_missing_object() -> None:
    with pytest.raises(ValueError, match=r"cycle: a -> b -> c -> a"):
        install_order([_obj("a", "b"), _obj("b", "c"), _obj("c", "a")])
    with pytest.raises(ValueError, match=r"sql/views/a.sql: depends on v_gone, which no file"):
        install_order([_obj("a", "v_gone")])


def test_install_objects_creates_every_object() -> None:
    with _tables_only() as con:
        install_objects(con)
        assert installed_objects(con) == {o.name for o in sql_catalog()}
        install_objects(con)  # again, over the existing ones (CREATE OR REPLACE)
        assert con.execute("SELECT count(*) FROM v_top_hashtags").fetchall() == [(0,)]


def _comments(con: duckdb.DuckDBPyConnection, sql: str) -> dict:
    return {r[:-1] if len(r) > 2 else r[0]: r[-1] for r in con.execute(sql).fetchall()}


def test_headers_reach_duckdb_as_comments() -> None:
    """What DBeaver and duckdb_views()/duckdb_columns() show: each object's header."""
    with _tables_only() as con:
        install_objects(con)
        install_objects(con)  # CREATE OR REPLACE drops comments: they are set again
        views = _comments(con, "SELECT view_name, comment FROM duckdb_views() WHERE NOT internal")
        columns = _comments(
            con,
            "SELECT table_name, column_name, comment FROM duckdb_columns() "
            "WHERE table_name LIKE 'v\\_%' ESCAPE '\\'",
        )
        macros = _comments(
            con,
            "SELECT DISTINCT function_name, comment FROM duckdb_functions() "
            "WHERE function_type IN ('macro', 'table_macro') AND NOT internal",
        )
    objs = sql_catalog()
    for o in objs:
        assert o.about.startswith(o.purpose) and len(o.about) > len(o.purpose), o.name
        assert (views if o.kind == "view" else macros)[o.name] == o.about, o.name
    for o in (o for o in objs if o.kind == "view"):
        listed = [c for c, _ in o.columns]
        # the header lists exactly the view's columns, in its order
        assert listed == [c for (v, c) in columns if v == o.name], o.name
        for col, desc in o.columns:
            assert columns[(o.name, col)] == (desc or None), (o.name, col)
    assert columns[("v_hashtag_daily", "articles")] == "distinct articles using it"
    assert columns[("v_entity_daily", "name")] is None  # the header says no more than its type


def test_header_columns_are_parsed_with_their_descriptions() -> None:
    text = (
        "day DATE (ingest_date), key VARCHAR (normalized, no #), fields VARCHAR[] "
        "('body'/'title'), n BIGINT, article_id"
    )
    assert parse_columns(text) == (
        ("day", "ingest_date"),
        ("key", "normalized, no #"),
        ("fields", "'body'/'title'"),
        ("n", ""),
        ("article_id", ""),
    )


def test_tables_and_their_columns_get_comments_views_of_a_past_run_do_not() -> None:
    with _tables_only() as con:
        install_objects(con)
        assert comment_tables(con) == len(table_comments())  # every statement applies
        tables = _comments(con, "SELECT table_name, comment FROM duckdb_tables()")
        (n,) = con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE comment IS NOT NULL "
            "AND table_name IN (SELECT table_name FROM duckdb_tables())"
        ).fetchone()
    assert set(tables) == set(schemas.TABLES) and all(tables.values()), tables
    assert tables["articles"].startswith("One row per loaded article")
    assert n == sum(" COLUMN " in s.sql for s in table_comments())
    with duckdb.connect() as con:  # `query --as-of` makes the tables views: nothing to comment
        for t in schemas.TABLES:
            con.execute(f"CREATE VIEW {t} AS SELECT 1 AS x")
        assert comment_tables(con) == 0  # no COMMENT ON TABLE on a view (an error)
        assert con.execute(
            "SELECT count(*) FROM duckdb_views() WHERE comment IS NOT NULL"
        ).fetchall() == [(0,)]


def test_a_comment_on_a_column_the_table_lacks_is_skipped_not_an_error() -> None:
    with duckdb.connect() as con:
        con.execute("CREATE TABLE articles (article_id VARCHAR)")  # a schema without the rest
        assert comment_tables(con) == 2  # the table's comment and article_id's
        assert con.execute(
            "SELECT comment IS NOT NULL FROM duckdb_columns() WHERE table_name = 'articles'"
        ).fetchall() == [(True,)]
