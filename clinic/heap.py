"""What a web process does once it has loaded: keep the garbage collector off the
objects that live as long as the process.

Python's collector now and then walks every object the process holds (a "full
collection"), and drawing a list of 50 forms allocates enough to set one off. The
modules, models, admin and URL patterns a process loads at its start are then most of
what it walks: in the benchmark that made one request in ten of the visit list take
twice its median. ``gc.freeze`` sets them aside for good, so a full collection walks
only what requests made since (Python's documentation: gc.freeze).
"""

import gc
from importlib import import_module

from django.conf import settings

from courses.pdf_fonts import pdf_font_name


def settle() -> None:
    """Load the URL patterns (Django reads them at the first request otherwise) and the
    PDF font (the first PDF otherwise: 12,000 objects of glyph tables), drop what
    start-up left as garbage and exempt everything still alive from collection."""
    import_module(settings.ROOT_URLCONF)
    pdf_font_name()
    gc.collect()
    gc.freeze()
