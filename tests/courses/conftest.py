"""Fixtures the course tests share."""

from tests.courses.booking_diary import clinic_week

__all__ = ["clinic_week"]
