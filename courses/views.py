"""The diary pages of the admin: the clinic's day and one therapist's week.

Plain views the admin site serves (``ClinicAdminSite.get_urls``), so that they have the
admin's login, look and breadcrumbs. Staff who may see visits may see the diary.
"""

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from clinic.timeutils import clinic_day_label, clinic_today
from courses.diary import diary_day, diary_week
from courses.models import EARLIEST_COURSE_DATE, PLANNING_HORIZON


class DiaryForm(forms.Form):
    """The GET form above the diary: which day, and which therapists."""

    day = forms.DateField(label=_("Day"), required=False, widget=forms.DateInput({"type": "date"}))

    def __init__(self, data, *args, **kwargs) -> None:
        super().__init__(data, *args, **kwargs)
        # Several may be ticked; what is not a number names nobody.
        self.therapist_ids = {int(x) for x in data.getlist("therapist") if x.isdigit()}

    def chosen_day(self) -> dt.date:
        """The day asked for; today for a day that is not one, or lies outside the
        years a visit may be booked in (31/12/9999 has no next day to end on)."""
        day = self.is_valid() and self.cleaned_data["day"]
        if not day or not EARLIEST_COURSE_DATE <= day <= clinic_today() + PLANNING_HORIZON:
            return clinic_today()
        return day


def _query(day: dt.date, therapist_ids, page: int | None = None) -> str:
    return "?" + urlencode(
        [
            ("day", day.isoformat()),
            *[("therapist", pk) for pk in sorted(therapist_ids)],
            *([("page", page)] if page and page > 1 else []),
        ]
    )


def _navigation(day: dt.date, therapist_ids, page: int | None = None) -> dict[str, str]:
    """Other days, on the same page of columns: the same therapists, as near as the
    other day's rota allows."""
    return {
        "previous_week": _query(day - dt.timedelta(days=7), therapist_ids, page),
        "previous_day": _query(day - dt.timedelta(days=1), therapist_ids, page),
        "today": _query(clinic_today(), therapist_ids, page),
        "next_day": _query(day + dt.timedelta(days=1), therapist_ids, page),
        "next_week": _query(day + dt.timedelta(days=7), therapist_ids, page),
    }


def _pages(day: dt.date, therapist_ids, page) -> list[tuple[int, str]]:
    """A link to each page of the day's columns: (number, query)."""
    if page.paginator.num_pages < 2:
        return []
    return [(number, _query(day, therapist_ids, number)) for number in page.paginator.page_range]


def _refuse_unless_allowed(request: HttpRequest) -> None:
    if not request.user.has_perm("courses.view_visit"):
        raise PermissionDenied


def diary_day_view(request: HttpRequest) -> HttpResponse:
    _refuse_unless_allowed(request)
    form = DiaryForm(request.GET)
    day = form.chosen_day()
    diary = diary_day(
        day=day, therapist_ids=form.therapist_ids or None, page=request.GET.get("page")
    )
    return render(
        request,
        "admin/diary/day.html",
        {
            **admin.site.each_context(request),
            "title": _("Diary"),
            "subtitle": clinic_day_label(day),
            "form": form,
            "diary": diary,
            "day": day,
            "is_today": day == clinic_today(),
            "navigation": _navigation(day, form.therapist_ids, diary.page.number),
            "pages": _pages(day, form.therapist_ids, diary.page),
            "week_query": _query(day, list(form.therapist_ids)[:1]),
        },
    )


def diary_week_view(request: HttpRequest) -> HttpResponse:
    _refuse_unless_allowed(request)
    form = DiaryForm(request.GET)
    day = form.chosen_day()
    chosen = sorted(form.therapist_ids)
    if not chosen and request.user.has_perm("courses.log_visit"):
        # A therapist opening the week sees their own.
        chosen = [request.user.pk]
    week = diary_week(therapist_id=chosen[0] if chosen else None, day=day)
    return render(
        request,
        "admin/diary/week.html",
        {
            **admin.site.each_context(request),
            "title": _("Week"),
            "subtitle": clinic_day_label(week.monday),
            "form": form,
            "week": week,
            "day": day,
            "today": clinic_today(),
            "navigation": _navigation(day, chosen[:1]),
        },
    )
