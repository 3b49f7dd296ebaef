"""``python -m bench [sandbox] [pipeline] [requests]``: run the named parts (default: sandbox
then pipeline, whose first line is the pipeline's share of the sandbox's throughput measured
just before).  Each part prints a table and writes ``bench/results/<part>.json``; ``requests``
(queries and CPU per request, in one process) is run only when named."""

from __future__ import annotations

import importlib
import importlib.util
import sys

DEFAULT = ("sandbox", "pipeline")
PARTS = (*DEFAULT, "requests")


def main(argv: list[str]) -> int:
    wanted = argv or [p for p in DEFAULT if importlib.util.find_spec(f"bench.{p}") is not None]
    for part in wanted:
        if part not in PARTS:
            print(f"unknown part {part!r}; choose from {', '.join(PARTS)}", file=sys.stderr)
            return 2
        print(f"== bench {part} ==", flush=True)
        importlib.import_module(f"bench.{part}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
