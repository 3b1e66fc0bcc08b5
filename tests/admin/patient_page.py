"""POST data for the patient page in the admin, as the browser would send it."""

from patients.models import Patient


def patient_page_data(**fields: str) -> dict:
    """A new patient, Ada Lovelace, born 3 April 1964 (typed day first), e-mail only;
    ``fields`` change or add to it (inline rows included)."""
    data = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "date_of_birth": "03/04/1964",
        "phone": "",
        "email": "ada.l@example.test",
        "preferred_channel": Patient.Channel.EMAIL,
        "notes": "",
        **fields,
    }
    for prefix in ("contraindications", "consent_changes", "courses", "data_rights_events"):
        data.setdefault(f"{prefix}-TOTAL_FORMS", "0")
        data.setdefault(f"{prefix}-INITIAL_FORMS", "0")
    return data
