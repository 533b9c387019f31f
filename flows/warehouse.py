"""Transitional (issue 13): the warehouse code moved to flows/publish.py (publish, swap, meta),
flows/build.py (Build), flows/warehouse_tables.py (DDL, connection, loading lake files) and
flows/sql_objects.py (views and macros). flows/pipeline.py still imports `Build` and `publish`
from here until its own split lands; delete this file then."""

from flows.build import Build
from flows.publish import publish

__all__ = ["Build", "publish"]
