from django import template

from clinic.staff import staff_name as _staff_name

register = template.Library()


@register.filter
def staff_name(user) -> str:
    """``{{ visit.therapist|staff_name }}``: see ``clinic.staff.staff_name``."""
    return _staff_name(user or None)
