"""The house rules of docs/design.md ("Conventions"), checked on every file of flows/ and
transforms/: no file over 400 lines, no function over 60 lines, at most 6 parameters except
for click commands and Prefect flows/tasks, whose parameters are the user's options."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted([*ROOT.glob("flows/*.py"), *ROOT.glob("transforms/*.py")])
EXEMPT_DECORATORS = ("command", "group", "option", "argument", "flow", "task")


def _functions(path: Path) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def _params(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    a = fn.args
    names = [*a.posonlyargs, *a.args, *a.kwonlyargs]
    n = len(names) + bool(a.vararg) + bool(a.kwarg)
    return n - 1 if names and names[0].arg in ("self", "cls") else n


def _exempt(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(word in ast.unparse(d) for d in fn.decorator_list for word in EXEMPT_DECORATORS)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_file_and_functions_fit(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 400, f"{path.name}: {lines} lines (split it along its jobs)"
    for fn in _functions(path):
        length = fn.end_lineno - fn.lineno + 1
        assert length <= 60, f"{path.name}:{fn.lineno} {fn.name}() is {length} lines"
        if not _exempt(fn):
            n = _params(fn)
            assert n <= 6, f"{path.name}:{fn.lineno} {fn.name}() takes {n} parameters"


def test_the_check_sees_a_long_function(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(70))
    f = tmp_path / "long.py"
    f.write_text(f"def f(a, b, c, d, e, g, h):\n{body}\n", encoding="utf-8")
    (fn,) = _functions(f)
    assert fn.end_lineno - fn.lineno + 1 == 71
    assert _params(fn) == 7 and not _exempt(fn)
