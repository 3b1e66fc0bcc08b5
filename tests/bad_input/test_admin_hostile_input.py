"""Hostile input to every page of the admin, as every role: no answer is a server error,
and a request that is refused (a form shown again with errors, an error or warning
message, a 4xx) leaves every row of the clinic's tables as it was.

The pages come from the admin site's registry, so a new admin is covered without
touching this file. A post starts from the form its page renders, read as a browser
would send it, so that it passes the management forms and reaches the services; then a
few of its fields get hostile values: long text, NUL, emoji, impossible and extreme
dates, floats and numbers beyond 64 bits, negative numbers, ids that are not ids, and
ids of other rows (another patient's visit, a row of another table), management counts
included.
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

import lxml.html
import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.messages import WARNING, get_messages
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from clinic.roles import MANAGER, RECEPTION, THERAPIST
from courses import exports
from courses.models import Course
from hours.models import ClosedDay, OpeningHours, TimeOff, WorkingHours
from hours.services import calendar_feed_renew
from messaging import services as messaging_services
from patients import services as patient_services
from tests.bad_input.conftest import rolled_back, tried
from tests.factories import (
    CourseFactory,
    MessageFactory,
    PatientContraindicationFactory,
    PatientFactory,
    UserFactory,
    VisitFactory,
    contraindication,
    staff_with_role,
    summary_course,
)

pytestmark = pytest.mark.django_db

ADMINS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
MODELS = [model for model, _ in ADMINS]
ROLES = [RECEPTION, THERAPIST, MANAGER, "superuser"]
# What a refused request must leave alone: the clinic's rows, their change history and
# the admin's log of changes.
WATCHED = [
    *(m for m in apps.get_models() if m._meta.app_label in {"patients", "courses", "messaging"}),
    LogEntry,
]

# Hostile values, by the kind of field they are most likely to hurt; any of them may go
# into any field.
TEXT = [
    "",
    " ",
    "x" * 5000,
    "\x00",
    "1\x00",
    "😀",
    "👩‍⚕️" * 60,
    "\u202etxt.exe",
    "<script>alert(1)</script>",
    "' OR '1'='1",
]
DATES = [
    "0000-00-00",
    "9999-12-31",
    "31/02/2026",
    "2026-02-31",
    "2026-13-01",
    "0001-01-01",
    "10000-01-01",
    "24:00:00",
    "25:61:61",
]
NUMBERS = [
    "2.5",
    "1e309",
    "-1e309",
    "nan",
    "inf",
    "-1",
    "0",
    str(2**31),
    str(2**63),
    str(-(2**63) - 1),
    str(2**64),
    "٣",
    "１２",
    "0x10",
]
# Management-form counts: fewer or more rows than posted, and none of the above.
COUNTS = ["-1", "0", "1", "2", "1000", "1001", str(2**31), str(2**63), "1.5", "", "a"]


def hostile(ids: list[str]) -> st.SearchStrategy[str]:
    """A hostile value; ``ids`` are ids of rows that exist, in any table."""
    return st.one_of(
        st.sampled_from(TEXT + DATES + NUMBERS),
        st.sampled_from(ids),
        st.text(max_size=20),
        st.integers().map(str),
    )


def url_name(model, view: str) -> str:
    return f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"


def snapshot() -> dict[str, list[tuple]]:
    return {m._meta.label: list(m._base_manager.order_by("pk").values_list()) for m in WATCHED}


class Clinic:
    """A small clinic with a row in every table the admin shows, and a logged-in client
    per role."""

    def __init__(self) -> None:
        therapist = staff_with_role(THERAPIST, username="hostile-therapist")
        manager = staff_with_role(MANAGER, username="hostile-manager")
        users = {
            RECEPTION: staff_with_role(RECEPTION, username="hostile-reception"),
            THERAPIST: therapist,
            MANAGER: manager,
            "superuser": UserFactory(username="hostile-root", is_superuser=True),
        }
        open_course = CourseFactory(therapist=therapist, status=Course.Status.ACTIVE)
        VisitFactory(course=open_course, done=True)
        VisitFactory(course=open_course)
        PatientContraindicationFactory(
            patient=open_course.patient, contraindication=contraindication("skin-lesion-in-area")
        )
        done_course = summary_course()
        PatientContraindicationFactory(
            patient=done_course.patient,
            contraindication=contraindication("fever"),
            resolved_on=timezone.localdate(),
        )
        message = MessageFactory(course=done_course, patient=done_course.patient)
        messaging_services.feedback_submit(message=message, pain=3, comment="Better")
        patient_services.patient_set_reminders_consent(
            patient=PatientFactory(), given=False, by=manager
        )
        patient_services.patient_export_data(patient=open_course.patient, by=manager)
        access = {"user_agent": "test", "ip_address": "127.0.0.1", "path_info": "/admin/login/"}
        AccessAttempt.objects.create(
            **access, username="x", get_data="", post_data="", failures_since_start=1
        )
        AccessLog.objects.create(**access, username="x")
        AccessFailureLog.objects.create(**access, username="x")
        OpeningHours.objects.create(weekday=0, starts=dt.time(9), ends=dt.time(20))
        calendar_feed_renew(user=therapist)
        ClosedDay.objects.create(date=dt.date(2026, 12, 25), reason="Christmas Day")
        WorkingHours.objects.create(
            therapist=therapist, weekday=0, starts=dt.time(9), ends=dt.time(17)
        )
        TimeOff.objects.create(
            therapist=therapist,
            starts_at=timezone.now() + dt.timedelta(days=60),
            ends_at=timezone.now() + dt.timedelta(days=67),
            reason="Holiday",
        )

        self.clients = {}
        for role, user in users.items():
            self.clients[role] = Client()
            self.clients[role].force_login(user)
        self.pks = {
            model: [
                str(pk) for pk in model._base_manager.order_by("pk").values_list("pk", flat=True)
            ]
            for model in MODELS
        }
        self.ids = sorted({pk for pks in self.pks.values() for pk in pks}, key=int)
        self._forms: dict[str, PostedForm] = {}

    def request(
        self, role: str, method: str, url: str, data: dict | None = None
    ) -> tuple[int, bool]:
        """Send one request; answer its status and whether it may have changed rows."""
        client = self.clients[role]
        # Messages left in the cookie by an earlier example would read as this one's.
        client.cookies.pop("messages", None)
        before = snapshot()
        response = getattr(client, method)(url, data or {})
        assert response.status_code < 500, (method, url, data)
        if response.streaming:
            # An export is written as it is read: an error would come only now.
            b"".join(response.streaming_content)
        refused = response.status_code != 302 or any(
            message.level >= WARNING for message in get_messages(response.wsgi_request)
        )
        if method == "get" or refused:
            assert snapshot() == before, ("a refused request changed rows", method, url, data)
        return response.status_code, not refused

    def form(self, role: str, url: str, form_id: str) -> "PostedForm":
        """The form ``form_id`` of the page at ``url`` as ``role`` sees it, or as the
        superuser sees it if ``role`` gets no such form (a post may still be tried)."""
        for who in (role, "superuser"):
            key = f"{who} {url} {form_id}"
            if key not in self._forms:
                self._forms[key] = PostedForm.read(self.clients[who].get(url), form_id)
            form = self._forms[key]
            if any(name != "csrfmiddlewaretoken" for name in form.data):
                return form.copy()
        return PostedForm({})


@dataclass
class PostedForm:
    """What a browser would post from a form; what the form offers to choose; the kind
    of each field, so that each kind gets its share of hostile values."""

    data: dict[str, list[str]]
    choices: dict[str, list[str]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, response, form_id: str) -> "PostedForm":
        posted = cls({})
        if response.status_code != 200 or not response.content:
            return posted
        found = lxml.html.fromstring(response.content).xpath(f'//form[@id="{form_id}"]')
        if not found:
            return posted
        # The empty rows that the page's script copies for "add another" are not sent.
        for name, value in found[0].form_values():
            if "__prefix__" not in name:
                posted.data.setdefault(name, []).append(value)
        for element in found[0].inputs:
            name = element.get("name") or "__prefix__"
            if "__prefix__" in name or name == "csrfmiddlewaretoken":
                continue
            posted.kinds[name] = _kind(element)
            if element.tag == "select":
                posted.choices.setdefault(name, []).extend(element.value_options)
            elif element.get("type") in ("checkbox", "radio"):
                posted.choices.setdefault(name, []).append(element.get("value", "on"))
        return posted

    def copy(self) -> "PostedForm":
        return PostedForm({k: list(v) for k, v in self.data.items()}, self.choices, self.kinds)

    def corrupt(self, draw: Callable, ids: list[str]) -> dict[str, list[str]]:
        """The form's data with up to three fields given another of the form's choices
        (valid alone, maybe not with the rest), a hostile value, or dropped."""
        data = self.data
        by_kind: dict[str, list[str]] = {}
        for name, kind in sorted(self.kinds.items()):
            by_kind.setdefault(kind, []).append(name)
        if not by_kind:
            return data
        for _ in range(draw(st.integers(0, 3))):
            kind = draw(st.sampled_from(sorted(by_kind)))
            name = draw(st.sampled_from(by_kind[kind]))
            likely = {
                "count": st.sampled_from(COUNTS),
                "date": st.sampled_from(DATES),
                "number": st.sampled_from(NUMBERS),
                "text": st.sampled_from(TEXT),
            }.get(kind, st.sampled_from(ids))
            offered = st.sampled_from(self.choices[name]) if self.choices.get(name) else likely
            value = draw(st.none() | offered | likely | hostile(ids))
            if value is None:
                data.pop(name, None)
            else:
                data[name] = [value]
        return data


def _kind(element) -> str:
    name, classes = element.get("name"), element.get("class", "")
    kind = element.get("type", element.tag)
    if re.search(r"-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$", name):
        return "count"
    if element.tag == "select" or kind in ("checkbox", "radio"):
        return "choice"
    if kind == "hidden":
        return "id"  # a row's id, or its parent's
    if kind in ("date", "time", "datetime-local") or re.search(r"\bv(Date|Time)Field\b", classes):
        return "date"
    if kind == "number":
        return "number"
    return "text"


def an_id(existing: list[str], ids: list[str]) -> st.SearchStrategy[str]:
    """Mostly the id of one of the model's rows, so that the page has a form to post;
    else a hostile one."""
    if not existing:
        return hostile(ids)
    return st.integers(0, 3).flatmap(lambda n: st.sampled_from(existing) if n else hostile(ids))


@pytest.fixture
def clinic(db) -> Clinic:
    return Clinic()


def _change_url(model, pk: str) -> str:
    return reverse(url_name(model, "change"), args=[pk])


def list_query_string(clinic: Clinic, model, model_admin) -> st.SearchStrategy[dict]:
    """Hostile values for the parameters a change list reads: its own, the filters the
    page offers (read from its links) and the date hierarchy's."""
    names = {"o", "q", "p", "all", "e", "_to_field", "_popup", "_facets", "not_a_filter"}
    page = clinic.clients["superuser"].get(reverse(url_name(model, "changelist")))
    if page.status_code == 200:
        for href in lxml.html.fromstring(page.content).xpath(
            '//*[@id="changelist-filter"]//a/@href'
        ):
            names.update(name for name, _ in parse_qsl(urlsplit(href).query))
    if model_admin.date_hierarchy:
        names.update(f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day"))
    return st.dictionaries(st.sampled_from(sorted(names)), hostile(clinic.ids), max_size=4)


@given(data=st.data())
def test_list_pages_answer_any_query_string(clinic, data):
    model, model_admin = data.draw(st.sampled_from(ADMINS))
    role = data.draw(st.sampled_from(ROLES))
    url = reverse(url_name(model, "changelist"))
    params = data.draw(list_query_string(clinic, model, model_admin))
    tried("admin list, query string")
    with rolled_back():
        clinic.request(role, "get", url, params)


@given(data=st.data())
def test_add_and_change_pages_answer_any_address(clinic, data):
    """Values in the address of an add page fill its form; a change page takes any id."""
    model, _ = data.draw(st.sampled_from(ADMINS))
    role = data.draw(st.sampled_from(ROLES))
    add_url = reverse(url_name(model, "add"))
    form = clinic.form(role, add_url, f"{model._meta.model_name}_form")
    names = sorted(n for n in form.kinds if "-" not in n) or ["not_a_field"]
    params = data.draw(st.dictionaries(st.sampled_from(names), hostile(clinic.ids), max_size=3))
    tried("admin add and change page, any address")
    with rolled_back():
        clinic.request(role, "get", add_url, params)
        try:
            change_url = _change_url(model, data.draw(an_id(clinic.pks[model], clinic.ids)))
        except NoReverseMatch:
            return
        clinic.request(role, "get", change_url, {"_changelist_filters": params.get(names[0], "")})


# Twice the examples of the other tests: most of the work, and most of the services, are
# behind these pages.
@settings(max_examples=settings.default.max_examples * 2)
@given(data=st.data())
def test_add_and_change_pages_refuse_hostile_posts_without_saving_any_part(clinic, data):
    model, _ = data.draw(st.sampled_from(ADMINS))
    role = data.draw(st.sampled_from(ROLES))
    form_id = f"{model._meta.model_name}_form"
    existing = clinic.pks[model]
    target = data.draw(st.sampled_from(["add", "change", "change"] if existing else ["add"]))
    if target == "add":
        url = reverse(url_name(model, "add"))
        form = clinic.form(role, url, form_id)
        if existing:
            # The fields of a saved row, so that the post looks like real work; the
            # inline rows (their fields hold a "-") stay the add page's empty ones.
            source = _change_url(model, data.draw(st.sampled_from(existing)))
            saved = clinic.form(role, source, form_id).data
            form.data.update({name: value for name, value in saved.items() if "-" not in name})
    else:
        pk = data.draw(an_id(existing, clinic.ids))
        try:
            url = _change_url(model, pk)
        except NoReverseMatch:
            return  # not an address: the id holds "/" or is empty
        # A row's own form, or, for an id that is no row, the form of one that is.
        source = url if pk in existing else _change_url(model, existing[0])
        form = clinic.form(role, source, form_id)
    form.data["_save"] = ["Save"]
    values = form.corrupt(data.draw, clinic.ids)
    with rolled_back():
        _, saved = clinic.request(role, "post", url, values)
    tried(f"admin {target} page, hostile post ({'saved' if saved else 'refused'})")


LIST_EDITABLE = [(m, a) for m, a in ADMINS if a.list_editable]


@pytest.mark.skipif(not LIST_EDITABLE, reason="no list with editable columns")
@given(data=st.data())
def test_lists_with_editable_columns_refuse_hostile_rows_without_saving_any(clinic, data):
    model, _ = data.draw(st.sampled_from(LIST_EDITABLE))
    role = data.draw(st.sampled_from(ROLES))
    url = reverse(url_name(model, "changelist"))
    form = clinic.form(role, url, "changelist-form")
    form.data["_save"] = ["Save"]
    # The list's form also holds the actions, tried elsewhere.
    for name in ("action", "select_across", "_selected_action"):
        form.kinds.pop(name, None)
    values = form.corrupt(data.draw, clinic.ids)
    with rolled_back():
        _, saved = clinic.request(role, "post", url, values)
    tried(f"admin list, hostile save of editable rows ({'saved' if saved else 'refused'})")


@given(data=st.data())
def test_delete_pages_and_delete_selected_answer_any_id(clinic, data):
    model, _ = data.draw(st.sampled_from(ADMINS))
    role = data.draw(st.sampled_from(ROLES))
    ids = an_id(clinic.pks[model], clinic.ids)
    tried("admin delete, any id")
    with rolled_back():
        if data.draw(st.booleans()):
            try:
                url = reverse(url_name(model, "delete"), args=[data.draw(ids)])
            except NoReverseMatch:
                return
            clinic.request(role, "get", url)
            clinic.request(role, "post", url, {"post": "yes"})
        else:
            selected = data.draw(st.lists(ids, min_size=1, max_size=3))
            clinic.request(
                role,
                "post",
                reverse(url_name(model, "changelist")),
                {"action": "delete_selected", "post": "yes", "_selected_action": selected},
            )


HISTORY = [(m, a) for m, a in ADMINS if hasattr(m, "history")]


@given(data=st.data())
def test_history_pages_answer_any_id_and_save_nothing_posted_to_them(clinic, data):
    model, _ = data.draw(st.sampled_from(HISTORY))
    role = data.draw(st.sampled_from(ROLES))
    history = model.history.model
    pks = clinic.pks[model]
    versions = [str(pk) for pk in history.objects.values_list("pk", flat=True)]
    pk = data.draw(an_id(pks, clinic.ids))
    version = data.draw(an_id(versions, clinic.ids))
    tried("admin history, any id")
    with rolled_back():
        try:
            history_url = reverse(url_name(model, "history"), args=[pk])
            version_url = reverse(url_name(model, "simple_history"), args=[pk, version])
        except NoReverseMatch:
            return
        clinic.request(role, "get", history_url, {"p": data.draw(hostile(clinic.ids))})
        clinic.request(role, "get", version_url)
        form = clinic.form(role, _change_url(model, pks[0]), f"{model._meta.model_name}_form")
        status, _ = clinic.request(role, "post", version_url, form.corrupt(data.draw, clinic.ids))
        assert status >= 400


AUTOCOMPLETE = [
    (model, field) for model, model_admin in ADMINS for field in model_admin.autocomplete_fields
]


@given(data=st.data())
def test_autocomplete_answers_any_term_and_field(clinic, data):
    model, field = data.draw(st.sampled_from(AUTOCOMPLETE))
    role = data.draw(st.sampled_from(ROLES))
    params = {
        "app_label": model._meta.app_label,
        "model_name": model._meta.model_name,
        "field_name": field,
        "term": data.draw(hostile(clinic.ids)),
    }
    posted = PostedForm({k: [v] for k, v in params.items()}, kinds=dict.fromkeys(params, "text"))
    params = posted.corrupt(data.draw, clinic.ids)
    params["page"] = [data.draw(hostile(clinic.ids))] if data.draw(st.booleans()) else []
    tried("admin autocomplete, any term")
    with rolled_back():
        clinic.request(role, "get", reverse("admin:autocomplete"), params)


# --- exports ---------------------------------------------------------------------------

COURSE_ADMIN = admin.site._registry[Course]


@given(data=st.data())
def test_course_exports_answer_any_query_string_and_format(clinic, data):
    """The CSV and JSON exports read the course list's filters from the address."""
    role = data.draw(st.sampled_from(ROLES))
    format = data.draw(st.sampled_from(sorted(exports.FORMATS)) | st.text(max_size=10))
    params = data.draw(list_query_string(clinic, Course, COURSE_ADMIN))
    tried("course export, query string")
    try:
        url = reverse("admin:courses_course_export", args=[format])
    except NoReverseMatch:
        return
    with rolled_back():
        clinic.request(role, "get", url, params)


@given(data=st.data())
def test_the_course_pdf_answers_any_id(clinic, data):
    role = data.draw(st.sampled_from(ROLES))
    pk = data.draw(an_id(clinic.pks[Course], clinic.ids))
    tried("course PDF, any id")
    try:
        url = reverse("admin:courses_course_pdf", args=[pk])
    except NoReverseMatch:
        return  # the address takes whole numbers only
    with rolled_back():
        clinic.request(role, "get", url, {"q": data.draw(hostile(clinic.ids))})


EXPORT_ACTIONS = [
    (model, name)
    for model, model_admin in ADMINS
    for name in model_admin.actions or ()
    if isinstance(name, str) and name.startswith("export")
]


@given(data=st.data())
def test_export_actions_answer_any_selection(clinic, data):
    """The course summaries' CSV and a patient's data, for any ids, all rows or none."""
    model, action = data.draw(st.sampled_from(EXPORT_ACTIONS))
    role = data.draw(st.sampled_from(ROLES))
    ids = an_id(clinic.pks[model], clinic.ids)
    selection = {
        "action": action,
        "_selected_action": data.draw(st.lists(ids, max_size=3)),
        "select_across": data.draw(st.sampled_from(["0", "1", ""]) | hostile(clinic.ids)),
        "index": data.draw(st.sampled_from(["0", "1"]) | hostile(clinic.ids)),
    }
    params = data.draw(st.dictionaries(st.sampled_from(["o", "q", "p"]), hostile(clinic.ids)))
    url = reverse(url_name(model, "changelist"))
    if params:
        url += "?" + urlencode(params)
    tried("admin export action, any selection")
    client = clinic.clients[role]
    client.cookies.pop("messages", None)
    with rolled_back():
        before = snapshot()
        response = client.post(url, selection)
        assert response.status_code < 500, (url, selection)
        if response.streaming:
            b"".join(response.streaming_content)
        # A patient's data export records who exported it; anything else changes nothing.
        if "Content-Disposition" not in response:
            assert snapshot() == before, ("a refused export changed rows", url, selection)
