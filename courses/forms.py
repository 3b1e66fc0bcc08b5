from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from clinic.staff import StaffChoiceField
from courses import selectors, services
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


class VisitRulesForm(forms.ModelForm):
    """What every form that logs a visit shares: quick logging and the course's rules."""

    class Meta:
        model = Visit
        fields = "__all__"

    # A standalone visit form checks the course's rules itself; in a course's inline
    # formset the formset checks all visits together instead.
    check_course_rules = True

    def _update_errors(self, errors: ValidationError) -> None:
        # The visit list edits a few fields only; a rule on a field it does not show
        # must still reach the user rather than crash the form.
        if hasattr(errors, "error_dict"):
            hidden = [name for name in errors.error_dict if name not in self.fields]
            for name in hidden:
                if name != NON_FIELD_ERRORS:
                    errors.error_dict.setdefault(NON_FIELD_ERRORS, []).extend(
                        errors.error_dict.pop(name)
                    )
        super()._update_errors(errors)

    def _post_clean(self) -> None:
        super()._post_clean()
        # A row of the visit list that was left alone is not saved: no need to check it.
        unchanged = self.instance.pk is not None and not self.has_changed()
        if (
            self.check_course_rules
            and not self.errors
            and self.instance.course_id
            and not unchanged
        ):
            course = self.instance.course
            try:
                services.course_visits_validate(
                    course=course,
                    visits=services.visits_proposed(course=course, changed=[self.instance]),
                )
            except ValidationError as error:
                self.add_error(None, error)


class VisitForm(VisitRulesForm):
    techniques = forms.MultipleChoiceField(
        # Django capitalises the labels it derives from the model; this one is set here.
        label=capfirst(_("techniques")),
        choices=Visit.Technique.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def clean_techniques(self) -> list[str]:
        # A session can list a technique twice (stroking first and last), which the
        # checkboxes cannot show: when the ticked set is the stored one, the stored list
        # is kept as it is, so a save that changes nothing changes nothing.
        ticked = self.cleaned_data["techniques"]
        stored = self.instance.techniques if self.instance.pk else None
        return stored if stored is not None and set(stored) == set(ticked) else ticked


class VisitQuickLogForm(VisitRulesForm):
    """A row of the visit list: status and pain scores only (the admin sets the fields)."""

    def _post_clean(self) -> None:
        # The list validates every row it shows, but saves only the changed ones; a row
        # left alone would cost its constraint and course checks for nothing.
        if self.instance.pk is not None and not self.has_changed():
            return
        super()._post_clean()


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
                deleted=deleted,
            )
        except ValidationError as error:
            raise ValidationError(error.messages) from None


WEEKDAY_CHOICES = [
    (0, _("Mon")),
    (1, _("Tue")),
    (2, _("Wed")),
    (3, _("Thu")),
    (4, _("Fri")),
    (5, _("Sat")),
    (6, _("Sun")),
]


class _PlanFields(forms.Form):
    """What the booking and moving pages share: the plan shown, carried back on
    confirming so that exactly what staff saw is booked."""

    plan = forms.CharField(required=False, widget=forms.HiddenInput)

    def weekday_set(self) -> set[int]:
        return {int(day) for day in self.cleaned_data.get("weekdays") or []}


class BookingForm(_PlanFields):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "booking-weekdays"}),
    )
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"class": "vTimeField"}))
    first_day = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"class": "vDateField"})
    )
    therapist = StaffChoiceField(
        label=_("Therapist"),
        queryset=None,
        required=False,
        empty_label=_("The course's therapist"),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["therapist"].queryset = selectors.therapists()


class ShiftForm(_PlanFields):
    from_day = forms.DateField(
        label=_("Sessions from"), widget=forms.DateInput(attrs={"class": "vDateField"})
    )
    by_days = forms.IntegerField(
        label=_("Move by days"), required=False, min_value=-365, max_value=365
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Or onto weekdays"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "booking-weekdays"}),
    )
    time = forms.TimeField(
        label=_("At time"),
        required=False,
        widget=forms.TimeInput(attrs={"class": "vTimeField"}),
    )
