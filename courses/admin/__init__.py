# Importing the modules registers their admin classes with the site.
from courses.admin import courses, visits  # noqa: F401
