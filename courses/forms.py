from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from courses import services
from courses.models import Course, Visit


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = "__all__"

    def _post_clean(self) -> None:
        super()._post_clean()
        if not self.errors:
            try:
                services.course_check(self.instance)
            except ValidationError as error:
                self.add_error(None, error)


class VisitForm(forms.ModelForm):
    techniques = forms.MultipleChoiceField(
        # Django capitalises the labels it derives from the model; this one is set here.
        label=capfirst(_("techniques")),
        choices=Visit.Technique.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Visit
        fields = "__all__"

    # A standalone visit form checks the course's rules itself; in a course's inline
    # formset the formset checks all visits together instead.
    check_course_rules = True

    def clean(self) -> dict:
        data = super().clean()
        # Quick logging: a visit marked done without a time happened when it was booked,
        # or now if it was booked for later today.
        if data.get("status") == Visit.Status.DONE and not data.get("performed_at"):
            scheduled = data.get("scheduled_at")
            if scheduled:
                data["performed_at"] = min(scheduled, timezone.now())
        return data

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.check_course_rules and not self.errors and self.instance.course_id:
            course = self.instance.course
            try:
                services.course_visits_validate(
                    course=course,
                    visits=services.visits_proposed(course=course, changed=[self.instance]),
                )
            except ValidationError as error:
                self.add_error(None, error)


class InlineVisitForm(VisitForm):
    check_course_rules = False


class VisitInlineFormSet(BaseInlineFormSet):
    """Checks the course's rules over every visit in the formset at once."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors) or self.instance.pk is None:
            return
        changed, deleted = [], []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if self.can_delete and self._should_delete_form(form):
                if form.instance.pk:
                    deleted.append(form.instance)
            elif form.has_changed() or form.instance.pk is None:
                changed.append(form.instance)
        if not changed and not deleted:
            return
        try:
            services.course_visits_validate(
                course=self.instance,
                visits=services.visits_proposed(
                    course=self.instance, changed=changed, deleted=deleted
                ),
            )
        except ValidationError as error:
            raise ValidationError(error.messages) from None
