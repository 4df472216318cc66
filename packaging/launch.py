"""Frozen-app entry point: PyInstaller runs this as a script, so it imports the package absolutely."""

import multiprocessing

from commissioner.__main__ import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    raise SystemExit(main())
