"""Every staff page shows no English of the project's own outside gettext: rendered in a
pseudo-translation (tests/translations/pseudo.py), every word a person reads is either
translated or data.

The pages are the benchmark's list (every list with a choice of each filter, the
search, the date drill-down, a patient's, a course's and a visit's page) and, for every
registered admin, its list, its add page (shown and posted as it comes) and its first
object's page and history, besides the booking, moving, acknowledging and calendar feed
pages, and what every action says (or the page where it asks to confirm); on the demo
clinic, as a superuser and, for their own home page, a therapist.
"""

import lxml.html
import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from bench.pages import manager_request, staff_pages
from clinic.roles import THERAPIST
from courses.models import Course
from tests.translations.pseudo import assert_only_translated, unmarked_in_html

# A filter's other choices and the sorted lists show the same words as its first choice;
# the PDF has its own test.
SAME_WORDS = (", choice 2", ", choice 3", " sorted by ", "PDF")
# django-axes' records describe themselves in English ("Access Log for ...", "<unknown>")
# in the package's code, and Django keeps permissions' names (on the user and group
# pages) in English in the database; only the superuser reads either.
NOT_THE_CLINICS = {"axes", "auth"}
# django-simple-history's pages list each change as the stored values ("planned → active",
# "None"), not as what the forms show, and an empty change reason as "None": a gap of the
# package's own page, kept visible here for the records with a history (the demo's
# messages and contraindications have none).
HISTORY_SHOWS_STORED_VALUES = pytest.mark.xfail(
    strict=True, reason="the history page shows stored values, not their labels"
)


def _benchmark_pages() -> dict:
    return {
        page.name: page.resolve
        for page in staff_pages()
        if not any(part in page.name for part in SAME_WORDS)
    }


def _first(rows) -> int | None:
    rows = rows._default_manager.all() if hasattr(rows, "_default_manager") else rows
    return rows.order_by("pk").values_list("pk", flat=True).first()


def _admin_pages() -> dict:
    pages = {}
    for model in admin.site._registry:
        opts = model._meta
        if opts.app_label in NOT_THE_CLINICS:
            continue
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        name = f"{opts.app_label}.{opts.model_name}"
        pages[f"{name} list"] = lambda request, p=prefix: reverse(f"{p}_changelist")
        pages[f"{name} add"] = lambda request, p=prefix: reverse(f"{p}_add")
        pages[f"{name} change"] = lambda request, p=prefix, m=model: (
            reverse(f"{p}_change", args=[_first(m)]) if _first(m) else None
        )
        pages[f"{name} history"] = lambda request, p=prefix, m=model: (
            reverse(f"{p}_history", args=[_first(m)]) if _first(m) else None
        )
    return pages


def _active_course() -> int | None:
    return _first(Course.objects.filter(status=Course.Status.ACTIVE))


def _own_pages() -> dict:
    return {
        "a course's booking page": lambda request: reverse(
            "admin:courses_course_book", args=[_active_course()]
        ),
        "moving a course's sessions": lambda request: reverse(
            "admin:courses_course_move", args=[_active_course()]
        ),
        "one's calendar feed": lambda request: reverse("my_calendar_feed"),
        "acknowledging pain rises": lambda request: (
            reverse("admin:courses_course_acknowledge")
            + f"?course={_first(Course.objects.filter(pain_flagged=True))}"
        ),
    }


PAGES = {**_benchmark_pages(), **_admin_pages(), **_own_pages()}


@pytest.fixture
def superuser_client(demo_clinic, db) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    return client


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=HISTORY_SHOWS_STORED_VALUES)
        if "history" in name
        and name.split(".")[0] in {"courses", "hours", "patients", "messaging"}
        and name not in {"messaging.message history", "patients.contraindication history"}
        else name
        for name in sorted(PAGES)
    ],
)
def test_staff_page_shows_only_translated_words_and_data(
    demo_clinic, superuser_client, pseudo_russian, name
):
    url = PAGES[name](manager_request())
    if url is None:
        pytest.skip("the demo clinic has no such page")
    response = superuser_client.get(url)
    if response.status_code == 403:
        pytest.skip("no one may open this page (an add page of records made by the clinic)")
    assert response.status_code == 200, url
    found = unmarked_in_html(response.content.decode(), demo_clinic)
    assert_only_translated(found, url)


def test_therapists_home_page_shows_only_translated_words_and_data(
    demo_clinic, db, pseudo_russian
):
    client = Client()
    client.force_login(get_user_model().objects.filter(groups__name=THERAPIST).first())
    response = client.get(reverse("admin:index"))
    found = unmarked_in_html(response.content.decode(), demo_clinic)
    assert_only_translated(found, "a therapist's home page")


@pytest.mark.parametrize("name", sorted(name for name in PAGES if name.endswith(" add")))
def test_add_form_posted_empty_shows_its_errors_in_translated_words(
    demo_clinic, superuser_client, pseudo_russian, name
):
    url = PAGES[name](manager_request())
    page = superuser_client.get(url)
    if page.status_code == 403:
        pytest.skip("no one may open this page (an add page of records made by the clinic)")
    # The form as a browser posts it untouched: its defaults, its required fields empty.
    form = lxml.html.fromstring(page.content).xpath("//form[contains(@id, '_form')]")[0]
    response = superuser_client.post(url, dict(form.form_values()))
    assert response.status_code == 200, url
    html = response.content.decode()
    found = unmarked_in_html(html, demo_clinic)
    assert_only_translated(found, f"{url} (refused)")


def test_a_new_calendar_feed_address_is_shown_in_translated_words(
    demo_clinic, superuser_client, pseudo_russian
):
    response = superuser_client.post(reverse("my_calendar_feed"), {"action": "renew"}, follow=True)
    assert_only_translated(
        unmarked_in_html(response.content.decode(), demo_clinic), "the new calendar feed address"
    )


def _actions() -> list[tuple[str, str]]:
    return sorted(
        (model._meta.label_lower, name)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label not in NOT_THE_CLINICS
        for _func, name, _description in model_admin._get_base_actions()
    )


@pytest.mark.parametrize(("label", "action"), _actions())
def test_an_action_reports_in_translated_words(
    demo_clinic, superuser_client, pseudo_russian, label, action
):
    model = next(m for m in admin.site._registry if m._meta.label_lower == label)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    # Run on the first row: what it says, done or refused, or the page asking to confirm.
    data = {"action": action, "_selected_action": [_first(model)], "index": 0}
    response = superuser_client.post(url, data, follow=True)
    assert response.status_code == 200, url
    if not response["Content-Type"].startswith("text/html"):
        pytest.skip("an export: a file whose keys stay English by design")
    html = response.content.decode()
    assert_only_translated(unmarked_in_html(html, demo_clinic), f"{action} on {label}")
