"""Entry point: `python generate.py <convention>|all|check|schema ...` (see `--help`)."""

import sys

from seguimiento.cli import main

if __name__ == "__main__":
    sys.exit(main())
