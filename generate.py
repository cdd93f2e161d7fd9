"""Entry point: `python generate.py <convention>|all|check|schema ...` (see `--help`)."""

from seguimiento.cli import run

if __name__ == "__main__":
    run()
