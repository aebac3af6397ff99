"""Entry point of the frozen application: exactly ``python -m vkref`` (the CLI decides GUI or command)."""
import multiprocessing
import sys

from vkref.cli.main import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a full rebuild's second writer process starts this executable (spawn)
    sys.exit(main())
