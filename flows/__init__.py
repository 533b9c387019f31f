"""Orchestration and I/O. Importing this package has no side effects: the process environment
(Prefect's settings, Arrow's allocator) is set by an explicit call, `flows.env.setup()`, that
every entry point makes first (see flows/env.py)."""
