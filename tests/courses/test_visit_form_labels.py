from courses.forms import VisitForm


def test_visit_form_labels_techniques_like_its_other_fields():
    assert str(VisitForm.base_fields["techniques"].label) == "Techniques"
    assert str(VisitForm.base_fields["pain_before"].label) == "Pain before"
