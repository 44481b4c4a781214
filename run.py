#!/usr/bin/env python3
"""The kiosk's one entry point: `python run.py COMMAND ...`; `python run.py --help` lists them."""
import sys

from bus.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
