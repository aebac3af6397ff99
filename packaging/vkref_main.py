"""Entry point of the frozen application: exactly ``python -m vkref`` (the CLI decides GUI or command)."""
import sys

from vkref.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
