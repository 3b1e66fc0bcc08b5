import csv
import io
import json
import re
import tracemalloc

import pytest
from django.urls import reverse

from courses.exports import HEADER, csv_lines, json_chunks
from courses.models import Course
from courses.summaries import course_summaries
from tests.factories import CourseFactory, UserFactory, bulk_courses, summary_course

pytestmark = pytest.mark.django_db

EXPORT_URL = "admin:courses_course_export"


def _csv(queryset) -> list[dict[str, str]]:
    text = "".join(csv_lines(course_summaries(queryset)))
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _json(queryset) -> list[dict]:
    return json.loads("".join(json_chunks(course_summaries(queryset))))


def _expected(course: Course) -> dict:
    return {
        "course_id": course.pk,
        "patient_id": course.patient_id,
        "patient": "Anna Petrova",
        "region": "lumbar",
        "kind": "therapeutic",
        "massage_kind": "classic",
        "status": "completed",
        "therapist": "Olga Ivanova",
        "start_date": "2026-06-01",
        "end_date": "2026-06-20",
        "sessions_planned": 10,
        "sessions_done": 3,
        "sessions_missed": 1,
        "sessions_cancelled": 1,
        "pain_at_start": 7,
        "pain_at_end": 3,
        "pain_at_end_at": "2026-06-07T10:00:00+01:00",
        "pain_at_end_source": "visit",
        "pain_change_points": -4,
        "pain_change_percent": -57.1,
        "important_improvement": True,
        "next_repeat_reminder": None,
    }


def test_csv_of_a_known_course_has_exactly_the_expected_header_and_values():
    course = summary_course()

    text = "".join(csv_lines(course_summaries(Course.objects.all())))

    expected = _expected(course)
    lines = text.split("\r\n")
    assert lines[0] == ",".join(expected)
    assert lines[1] == (
        f"{course.pk},{course.patient_id},Anna Petrova,lumbar,therapeutic,classic,completed,"
        "Olga Ivanova,2026-06-01,2026-06-20,10,3,1,1,7,3,2026-06-07T10:00:00+01:00,visit,"
        "-4,-57.1,yes,"
    )
    assert lines[2:] == [""]


def test_json_of_a_known_course_has_exactly_the_expected_values():
    course = summary_course()

    assert _json(Course.objects.all()) == [_expected(course)]


def test_json_of_no_courses_is_an_empty_list():
    assert _json(Course.objects.none()) == []


def test_header_is_the_one_the_readme_documents(settings):
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    table = readme.split("| column | meaning |")[1].split("\n\n")[0]
    documented = re.findall(r"^\| `(\w+)` \|", table, flags=re.MULTILINE)

    assert documented == HEADER
    assert list(_expected(Course(pk=1, patient_id=1))) == HEADER


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_cells_a_spreadsheet_would_run_as_a_formula_are_neutralised(prefix):
    summary_course(first_name=f'{prefix}HYPERLINK("http://evil")')

    row = _csv(Course.objects.all())[0]

    assert row["patient"] == f'\'{prefix}HYPERLINK("http://evil") Petrova'
    # Numbers we write stay numbers: a pain change is not a formula.
    assert row["pain_change_points"] == "-4"


def test_a_therapist_name_a_spreadsheet_would_run_as_a_formula_is_neutralised():
    course = summary_course()
    course.therapist.first_name = "=cmd|' /C calc'!A0"
    course.therapist.save()

    assert _csv(Course.objects.all())[0]["therapist"] == "'=cmd|' /C calc'!A0 Ivanova"


@pytest.mark.parametrize(
    ("first_name", "last_name"),
    [("Анна", "Петрова"), ("فاطمة", "الزهراء"), ("Zoë 🌿", "O'Brien-Łukasz")],
)
def test_names_in_any_script_survive_the_csv_and_json_round_trip(first_name, last_name):
    summary_course(first_name=first_name, last_name=last_name)

    assert _csv(Course.objects.all())[0]["patient"] == f"{first_name} {last_name}"
    assert _json(Course.objects.all())[0]["patient"] == f"{first_name} {last_name}"


def test_download_requires_a_staff_login(client):
    summary_course()
    url = reverse(EXPORT_URL, args=["csv"])

    assert client.get(url).status_code == 302  # to the admin login
    client.force_login(UserFactory(username="visitor", is_staff=False))
    assert client.get(url).status_code == 302


def test_download_honours_the_course_list_filters(admin_client):
    completed = summary_course()
    CourseFactory(status=Course.Status.ACTIVE)

    response = admin_client.get(reverse(EXPORT_URL, args=["csv"]), {"status__exact": "completed"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    assert "Petrova" not in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["course_id"] for row in rows] == [str(completed.pk)]


def test_download_honours_the_course_list_search(admin_client):
    wanted = summary_course()
    CourseFactory(patient__last_name="Smith")

    response = admin_client.get(reverse(EXPORT_URL, args=["json"]), {"q": "Petrova"})

    data = json.loads(b"".join(response.streaming_content))
    assert [row["course_id"] for row in data] == [wanted.pk]


def test_download_with_a_filter_the_list_does_not_know_is_a_bad_request(admin_client):
    response = admin_client.get(reverse(EXPORT_URL, args=["csv"]), {"no_such_field": "x"})

    assert response.status_code == 400


def test_download_in_an_unknown_format_is_not_found(admin_client):
    assert admin_client.get(reverse(EXPORT_URL, args=["ods"])).status_code == 404


def test_change_list_links_to_the_download_with_its_filters(admin_client):
    response = admin_client.get(
        reverse("admin:courses_course_changelist"), {"status__exact": "completed"}
    )

    assert reverse(EXPORT_URL, args=["csv"]) + "?status__exact=completed" in response.text


def test_admin_action_exports_the_selected_courses_as_csv(admin_client):
    chosen = summary_course()
    CourseFactory()

    response = admin_client.post(
        reverse("admin:courses_course_changelist"),
        {"action": "export_csv", "_selected_action": [chosen.pk]},
    )

    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["course_id"] for row in rows] == [str(chosen.pk)]
    assert rows[0]["pain_change_percent"] == "-57.1"


def _csv_peak_bytes() -> int:
    tracemalloc.start()
    try:
        for _ in csv_lines(course_summaries(Course.objects.all())):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_csv_memory_stays_flat_from_2000_to_6000_courses():
    therapist = UserFactory()
    # From 2,000 rows up: Python keeps up to 2,000 freed tuples of each small size for
    # reuse, which tracemalloc counts as held, so below that every export "grows".
    bulk_courses(2000, therapist=therapist, visits_per_course=3)
    small = _csv_peak_bytes()
    bulk_courses(4000, therapist=therapist, offset=2000, visits_per_course=3)

    large = _csv_peak_bytes()

    # Three times the rows; a generous margin for allocator noise, far below 3x.
    assert large < small * 1.3


def test_download_needs_the_export_permission(client):
    summary_course()
    client.force_login(UserFactory(username="reception", is_staff=True))

    response = client.get(reverse(EXPORT_URL, args=["csv"]))

    assert response.status_code == 403
