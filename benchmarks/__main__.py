"""``python -m benchmarks [--quick] [--only NAME]``: run the benchmarks and print one table."""

from __future__ import annotations

import argparse
import sys

from . import pacing_fidelity, raw_markup, relay, render_cost, replay_overhead, suite_time, view_growth
from .table import Result, machine, render

BENCHMARKS = {
    module.NAME: module.run for module in (replay_overhead, pacing_fidelity, render_cost, raw_markup, view_growth, relay, suite_time)
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="Run the course pack's benchmarks and print one table.")
    parser.add_argument("--quick", action="store_true", help="fewer runs, for a rough check")
    parser.add_argument(
        "--only",
        action="append",
        choices=list(BENCHMARKS),
        metavar="NAME",
        help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}",
    )
    args = parser.parse_args(argv)
    results: list[Result] = []
    for name in args.only or list(BENCHMARKS):
        print(f"running {name} ...", file=sys.stderr, flush=True)
        results += BENCHMARKS[name](args.quick)
    print(machine())
    print(render(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
