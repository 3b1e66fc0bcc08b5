"""Check or recompute the summary columns of the courses.

python manage.py course_summaries --check   # lists courses whose columns are wrong; exit 1
python manage.py course_summaries --fix     # recomputes every course, in batches
python manage.py course_summaries --fix --course 42 --course 43
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from courses.services import course_summaries_recompute, course_summaries_stale


class Command(BaseCommand):
    help = (
        "Compare the courses' summary columns with their visits and answers (--check), "
        "or recompute them (--fix), e.g. after a bulk load."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--check", action="store_true", help="Report, change nothing.")
        action.add_argument("--fix", action="store_true", help="Recompute the columns.")
        parser.add_argument(
            "--course", type=int, action="append", dest="courses", help="Only this course id."
        )

    def handle(self, *args, check: bool, fix: bool, courses: list[int] | None, **options):
        if fix:
            written = course_summaries_recompute(courses)
            self.stdout.write(_("Summaries recomputed: %(count)d.") % {"count": written})
            return
        stale = 0
        for course_id, differences in course_summaries_stale(courses):
            stale += 1
            details = ", ".join(
                _("%(column)s %(stored)r (visits say %(computed)r)")
                % {"column": name, "stored": stored, "computed": computed}
                for name, (stored, computed) in differences.items()
            )
            self.stdout.write(
                _("Course %(id)d: %(details)s") % {"id": course_id, "details": details}
            )
        if stale:
            raise CommandError(
                _(
                    "%(count)d course summaries differ from their visits; run "
                    "course_summaries --fix."
                )
                % {"count": stale}
            )
        self.stdout.write(_("Every course summary matches its visits."))
