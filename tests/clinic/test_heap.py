"""A web process sets what it loaded at its start aside from the garbage collector."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc, sys
import clinic.wsgi
from django.conf import settings
from reportlab.pdfbase import pdfmetrics
from courses.pdf_fonts import FONT_NAME
print(
    gc.get_freeze_count(),
    settings.ROOT_URLCONF in sys.modules,
    FONT_NAME in pdfmetrics.getRegisteredFontNames(),
)
"""


def test_loading_the_wsgi_application_freezes_the_heap_with_the_urls_and_pdf_font_in_it():
    env = {**os.environ, "CLINIC_ALLOW_INSECURE_KEY": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    frozen, urls_loaded, font_loaded = done.stdout.split()
    # Django, the admin and the clinic's modules: tens of thousands of objects.
    assert int(frozen) > 50_000
    assert urls_loaded == "True"
    assert font_loaded == "True"
