"""Run tests against a build of transforms/_fastnorm.c made elsewhere, without touching the
in-place build: `make asan` uses it for a build with AddressSanitizer and UBSan.

    python tests/asan.py BUILT.so [pytest arguments …]

BUILT.so is loaded as `transforms._fastnorm` before pytest imports anything, so that
`transforms.fast` uses it; the run fails if it did not. (Not a test module: pytest collects
test_*.py only.)
"""

from __future__ import annotations

import importlib.util
import sys


def main(argv: list[str]) -> int:
    so, *args = argv
    spec = importlib.util.spec_from_file_location("transforms._fastnorm", so)
    if spec is None or spec.loader is None:
        raise SystemExit(f"{so}: not a loadable extension module")
    built = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(built)
    sys.modules["transforms._fastnorm"] = built

    import pytest

    rc = pytest.main(args)
    fast = sys.modules.get("transforms.fast")
    if fast is None or fast._fastnorm is not built:
        print(f"asan: the tests did not use {so}", file=sys.stderr)
        return 1
    print(f"asan: the tests ran against {so}")
    return int(rc)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
