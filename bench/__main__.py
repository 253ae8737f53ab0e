"""`python -m bench --scale small|full`."""

from __future__ import annotations

import argparse
import sys

from bench._config import SCALES
from bench._run import run


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the benchmark; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    args = parser.parse_args(argv)
    return run(SCALES[args.scale])


if __name__ == "__main__":
    sys.exit(main())
