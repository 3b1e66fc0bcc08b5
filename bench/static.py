"""The static files as production serves them, for the processes the benchmark starts."""

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def collected_static() -> Iterator[str]:
    """A folder of the static files collected under hashed names, as production serves
    them with DEBUG off; removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="bench-static-") as folder:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
            cwd=ROOT,
            env={**os.environ, "CLINIC_ALLOW_INSECURE_KEY": "1", "STATIC_ROOT": folder},
            check=True,
        )
        yield folder
