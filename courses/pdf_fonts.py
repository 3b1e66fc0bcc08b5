"""The TrueType font for PDFs and charts.

ReportLab's built-in Helvetica covers Latin only: a Cyrillic or Arabic name would come
out as black boxes. DejaVu Sans covers both, and the matplotlib package ships it (under
the Bitstream Vera licence with DejaVu's changes in the public domain, free to embed), so
no system package is needed. ``CLINIC_PDF_FONT`` points to another TTF if the clinic
wants one.
"""

import functools
import importlib.util
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_NAME = "ClinicSans"
BOLD_FONT_NAME = "ClinicSans-Bold"


def _matplotlib_font(filename: str) -> Path:
    # find_spec does not import matplotlib (and numpy with it): we only want a file.
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise ImproperlyConfigured(
            "The PDF font comes from the matplotlib package; install it or set CLINIC_PDF_FONT."
        )
    return Path(spec.submodule_search_locations[0]) / "mpl-data" / "fonts" / "ttf" / filename


@functools.cache
def _register() -> None:
    regular = Path(settings.CLINIC_PDF_FONT) if settings.CLINIC_PDF_FONT else None
    bold = None
    if regular is None:
        regular = _matplotlib_font("DejaVuSans.ttf")
        bold = _matplotlib_font("DejaVuSans-Bold.ttf")
    if not regular.is_file():
        raise ImproperlyConfigured(f"The PDF font file {regular} does not exist.")
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(regular)))
    # A custom font may come without a bold face: the regular one stands in for it.
    pdfmetrics.registerFont(TTFont(BOLD_FONT_NAME, str(bold if bold else regular)))
    pdfmetrics.registerFontFamily(FONT_NAME, normal=FONT_NAME, bold=BOLD_FONT_NAME)


def pdf_font_name(*, bold: bool = False) -> str:
    _register()
    return BOLD_FONT_NAME if bold else FONT_NAME
