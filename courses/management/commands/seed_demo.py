import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from courses.demo import COMPLETED_EARLY, DemoClashError, demo_clinic_build
from courses.models import Course


def _counts(courses_by_status: dict[str, int]) -> str:
    """The counts in the statuses' own order, each named by its label in the clinic's
    language: "Planned 3, Active 6, Completed 10, Completed early 2, Cancelled 1"."""
    labels = dict(Course.Status.choices)
    order = [*Course.Status.values]
    order.insert(order.index(Course.Status.COMPLETED) + 1, COMPLETED_EARLY)
    labels[COMPLETED_EARLY] = _("Completed early")
    return ", ".join(
        pgettext("a course status and how many courses have it", "%(status)s %(count)d")
        % {"status": labels[status], "count": courses_by_status[status]}
        for status in order
        if status in courses_by_status
    )


class Command(BaseCommand):
    help = gettext_lazy(
        "Build a demo clinic (staff, about 50 patients, courses and visits) through the "
        "clinic's rules. Running it again adds nothing twice and prints a working login."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--password",
            help=_("Password for the demo staff; a new random one is made if left out."),
        )
        parser.add_argument("--patients", type=int, default=50, help=_("Number of patients."))
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            help=_(
                "Whose names and notes the demo clinic has: a London or a Moscow clinic's. "
                "The clinic's LANGUAGE_CODE if left out."
            ),
        )

    def handle(
        self, *args, password: str | None, patients: int, language: str | None, **options
    ) -> None:
        # Never a fixed password in the code: a demo left on a reachable machine would
        # otherwise be open to anyone who has read the repository.
        password = password or secrets.token_urlsafe(12)
        try:
            clinic = demo_clinic_build(password=password, patients=patients, language=language)
        except DemoClashError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("Demo clinic: %(new)d patients added, %(kept)d already there.")
            % {"new": clinic.patients_created, "kept": clinic.patients_kept}
        )
        self.stdout.write(_("Courses: %(counts)s") % {"counts": _counts(clinic.courses_by_status)})
        self.stdout.write(_("Staff login (admin is a superuser, for users and groups):"))
        self.stdout.write(_("  usernames: %(names)s") % {"names": ", ".join(clinic.usernames)})
        self.stdout.write(_("  password:  %(password)s") % {"password": clinic.password})
