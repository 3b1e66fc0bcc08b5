from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from messaging.models import Feedback


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
