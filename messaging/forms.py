from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from messaging.models import Feedback
from patients.models import ConsentChange


class FeedbackForm(forms.ModelForm):
    pain = forms.TypedChoiceField(
        label=_("How strong is your back pain now?"),
        help_text=_("0 means no pain at all, 10 the worst pain you can imagine."),
        choices=[(n, str(n)) for n in range(11)],
        coerce=int,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Feedback
        fields = ["pain", "comment"]
        labels = {"comment": _("Anything you would like your therapist to know (optional)")}
        widgets = {"comment": forms.Textarea(attrs={"rows": 4, "maxlength": 2000})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(InlineRadios("pain"), "comment")
        self.helper.add_input(Submit("submit", _("Send my answer")))


class UnsubscribeForm(forms.Form):
    """Which messages to stop: everything unless the patient picks the repeat-course
    reminders alone. A one-click unsubscribe from the mail client sends no choice."""

    scope = forms.ChoiceField(
        label=_("Which messages do you want to stop?"),
        choices=[
            (ConsentChange.Scope.ALL, _("All messages from us")),
            (
                ConsentChange.Scope.REPEAT_COURSE_REMINDERS,
                _(
                    "Only the reminders to book a repeat course: keep the reminders of "
                    "booked visits and the questions about a course in progress"
                ),
            ),
        ],
        initial=ConsentChange.Scope.ALL,
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Stop these messages")))

    def clean_scope(self) -> str:
        return self.cleaned_data["scope"] or ConsentChange.Scope.ALL


class PatientLanguageForm(forms.Form):
    """The language a patient picks on their page: one the clinic offers."""

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
