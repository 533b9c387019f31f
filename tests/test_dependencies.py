"""Every third-party package that flows/ and transforms/ import is declared, pinned, in
pyproject.toml (a package that only arrives as another's dependency can vanish with an upgrade),
with the version requirements.lock pins."""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OWN = {"flows", "transforms"}


def imported_top_level() -> set[str]:
    names = set()
    for path in [*ROOT.glob("flows/*.py"), *ROOT.glob("transforms/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - OWN - set(sys.stdlib_module_names) - {"__future__"}


def _name(dist: str) -> str:
    return dist.lower().replace("_", "-")


def test_every_third_party_import_is_declared_and_pinned_as_locked() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["dask"]]
    pins = dict(_name(d).split("==") for d in declared)
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    locked = dict(_name(line).split("==") for line in lock if "==" in line)
    dists = packages_distributions()
    modules = imported_top_level()
    assert {"pyarrow", "regex", "numpy"} <= modules  # the scan finds imports at all
    for module in sorted(modules):
        names = {_name(d) for d in dists.get(module, [])}
        assert names & pins.keys(), f"{module} is imported but not declared in pyproject.toml"
        for name in names & pins.keys():
            assert pins[name] == locked[name], f"{name}: pyproject and requirements.lock differ"
