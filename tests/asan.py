"""Run tests against builds of transforms/_fastnorm.c and transforms/_entmatch.c made
elsewhere, without touching the in-place builds: `make asan` uses it for builds with
AddressSanitizer and UBSan.

    python tests/asan.py BUILT.so [BUILT.so …] [pytest arguments …]

Each BUILT.so (named after its module: _fastnorm…so, _entmatch…so) is loaded as
`transforms.<module>` before pytest imports anything, so that `transforms.fast` and
`transforms.entity_fast` use it; the run fails if they did not. (Not a test module: pytest
collects test_*.py only.)
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

#: module -> the module that must end up holding it, and under which name
USERS = {
    "_fastnorm": ("transforms.fast", "_fastnorm"),
    "_entmatch": ("transforms.entity_fast", "ext"),
}


def main(argv: list[str]) -> int:
    sos = [a for a in argv if a.endswith(".so")]
    args = [a for a in argv if not a.endswith(".so")]
    built = {}
    for so in sos:
        name = Path(so).name.split(".")[0]
        spec = importlib.util.spec_from_file_location(f"transforms.{name}", so)
        if spec is None or spec.loader is None or name not in USERS:
            raise SystemExit(f"{so}: not a loadable extension module of transforms")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        sys.modules[f"transforms.{name}"] = mod
        built[name] = mod

    import pytest

    rc = pytest.main(args)
    for name, mod in built.items():
        user, attr = USERS[name]
        used = sys.modules.get(user)
        if used is None or getattr(used, attr) is not mod:
            print(f"asan: the tests did not use the built {name}", file=sys.stderr)
            return 1
        print(f"asan: the tests ran against {name} from {Path(mod.__file__ or '').parent}")
    return int(rc)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
