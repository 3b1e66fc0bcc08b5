"""The booking pages of a course: book its remaining sessions in one step, and move
them. Reception books and moves here; the pages show the schedule and no clinical
detail (no pain, notes, techniques or contraindications)."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clinic.admin_errors import refusal_reasons
from clinic.staff import staff_name
from clinic.timeutils import clinic_today
from courses import services
from courses.forms import BookingForm, ShiftForm
from courses.models import Course, Visit

BOOKING_PERMISSIONS = ("courses.view_course", "courses.add_visit", "courses.change_visit")
MOVING_PERMISSIONS = ("courses.view_course", "courses.change_visit")
DEFAULT_TIME = dt.time(17)


def _schedule(course: Course) -> list[Visit]:
    # The booking's fields only: nothing clinical is read for these pages.
    return list(
        course.visits.only("sequence", "scheduled_at", "status", "course_id", "therapist")
        .select_related("therapist")
        .order_by("sequence")
    )


class CourseBookingMixin:
    """The course admin's booking and moving pages."""

    def get_urls(self):
        urls = [
            path(
                "<int:course_id>/book/",
                self.admin_site.admin_view(self.booking_view),
                name="courses_course_book",
            ),
            path(
                "<int:course_id>/move/",
                self.admin_site.admin_view(self.moving_view),
                name="courses_course_move",
            ),
        ]
        return urls + super().get_urls()

    def _course(self, request: HttpRequest, course_id: int, needed: tuple[str, ...]) -> Course:
        if not request.user.has_perms(needed):
            raise PermissionDenied
        return get_object_or_404(
            Course.objects.select_related("patient", "therapist"), pk=course_id
        )

    def _render(self, request, course, *, title, form, proposal, errors, confirm_label):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "course": course,
            "therapist_name": staff_name(course.therapist),
            "sessions": _schedule(course),
            "form": form,
            "proposal": proposal,
            "errors": errors,
            "confirm_label": confirm_label,
        }
        return TemplateResponse(request, "admin/courses/course/booking.html", context)

    def _done(self, request, course: Course, message: str) -> HttpResponse:
        messages.success(request, message)
        return HttpResponseRedirect(reverse("admin:courses_course_change", args=[course.pk]))

    def booking_view(self, request: HttpRequest, course_id: int) -> HttpResponse:
        course = self._course(request, course_id, BOOKING_PERMISSIONS)
        if request.method == "POST":
            form = BookingForm(request.POST)
        else:
            first_day = max(clinic_today() + dt.timedelta(days=1), course.start_date)
            form = BookingForm(
                {
                    "weekdays": sorted(services.course_usual_weekdays(course)),
                    "time": DEFAULT_TIME.strftime("%H:%M"),
                    "first_day": formats.localize_input(first_day),
                }
            )
        proposal, errors = None, []
        if form.is_valid():
            choice = {
                "weekdays": form.weekday_set(),
                "time": form.cleaned_data["time"],
                "first_day": form.cleaned_data["first_day"],
                "therapist": form.cleaned_data["therapist"],
            }
            try:
                if "_book" in request.POST:
                    shown = services.BookingProposal.from_token(
                        course=course,
                        therapist=choice["therapist"] or course.therapist,
                        token=form.cleaned_data["plan"],
                    )
                    booked = services.course_booking_confirm(
                        course=course, proposal=shown, by=request.user
                    )
                    return self._done(
                        request,
                        course,
                        ngettext(
                            "%(count)d session booked.", "%(count)d sessions booked.", len(booked)
                        )
                        % {"count": len(booked)},
                    )
            except (ValidationError, PermissionDenied) as error:
                errors = refusal_reasons(error) or [_("The booking was refused.")]
            try:
                proposal = services.course_booking_propose(course=course, **choice)
            except ValidationError as error:
                errors += error.messages
        return self._render(
            request,
            course,
            title=_("Book sessions: %(patient)s") % {"patient": course.patient.full_name},
            form=form,
            proposal=proposal,
            errors=errors,
            confirm_label=_("Book all"),
        )

    def moving_view(self, request: HttpRequest, course_id: int) -> HttpResponse:
        course = self._course(request, course_id, MOVING_PERMISSIONS)
        if request.method == "POST":
            form = ShiftForm(request.POST)
        else:
            form = ShiftForm(initial={"from_day": clinic_today(), "by_days": 7})
        proposal, errors = None, []
        if form.is_bound and form.is_valid():
            choice = {
                "from_day": form.cleaned_data["from_day"],
                "by_days": form.cleaned_data["by_days"],
                "weekdays": form.weekday_set(),
                "time": form.cleaned_data["time"],
            }
            try:
                if "_book" in request.POST:
                    shown = services.BookingProposal.from_token(
                        course=course, therapist=course.therapist, token=form.cleaned_data["plan"]
                    )
                    moved = services.course_visits_shift(
                        course=course, proposal=shown, by=request.user
                    )
                    return self._done(
                        request,
                        course,
                        ngettext(
                            "%(count)d session moved.", "%(count)d sessions moved.", len(moved)
                        )
                        % {"count": len(moved)},
                    )
            except (ValidationError, PermissionDenied) as error:
                errors = refusal_reasons(error) or [_("The move was refused.")]
            try:
                proposal = services.course_shift_propose(course=course, **choice)
            except ValidationError as error:
                errors += error.messages
        return self._render(
            request,
            course,
            title=_("Move sessions: %(patient)s") % {"patient": course.patient.full_name},
            form=form,
            proposal=proposal,
            errors=errors,
            confirm_label=_("Move all"),
        )
