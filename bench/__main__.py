"""``python -m bench [sandbox] [pipeline]``: run the named parts (default: every part
present).  Each part prints a table and writes ``bench/results/<part>.json``."""

from __future__ import annotations

import importlib
import importlib.util
import sys

PARTS = ("sandbox", "pipeline")


def main(argv: list[str]) -> int:
    wanted = argv or [p for p in PARTS if importlib.util.find_spec(f"bench.{p}") is not None]
    for part in wanted:
        if part not in PARTS:
            print(f"unknown part {part!r}; choose from {', '.join(PARTS)}", file=sys.stderr)
            return 2
        print(f"== bench {part} ==", flush=True)
        importlib.import_module(f"bench.{part}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
