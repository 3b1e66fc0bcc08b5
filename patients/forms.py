from django import forms
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from patients import services
from patients.models import IDENTITY_FIELDS, Patient


class PatientForm(forms.ModelForm):
    """The patient page: refuses a likely duplicate until staff confirm a different person."""

    confirmed_different_person = forms.BooleanField(
        label=_("This is a different person"),
        required=False,
        help_text=_(
            "Tick only after checking the records named above: a second record for one "
            "person splits their courses and messages."
        ),
    )

    class Meta:
        model = Patient
        fields = "__all__"

    # The records this patient looks like, once a check found some; the page then shows
    # the confirmation box.
    likely_duplicates: list[Patient] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The admin's width for the phone's own widget (PatientAdmin.formfield_overrides).
        if "phone" in self.fields:
            self.fields["phone"].widget.attrs.setdefault("class", "vTextField")

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors or self.cleaned_data.get("confirmed_different_person"):
            return
        changed = [
            field
            for field in IDENTITY_FIELDS
            if self.instance.pk is None or field in self.changed_data
        ]
        try:
            services.patient_check_duplicates(patient=self.instance, fields=changed)
        except services.LikelyDuplicates as error:
            self.likely_duplicates = error.patients
            self.add_error(None, self._linked_message(error.patients))

    @staticmethod
    def _linked_message(duplicates: list[Patient]) -> str:
        records = format_html_join(
            "; ",
            '<a href="{}">{}</a> ({})',
            (
                (
                    reverse("admin:patients_patient_change", args=[duplicate.pk]),
                    duplicate.full_name,
                    services.duplicate_summary(duplicate),
                )
                for duplicate in duplicates
            ),
        )
        return format_html(
            "{} {}. {}",
            _("This looks like a patient already registered:"),
            records,
            _(
                "Open the record to check; if this is a different person, tick “This is a "
                "different person” below and save again."
            ),
        )
