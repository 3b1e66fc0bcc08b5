import secrets

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.demo import DemoClashError, demo_clinic_build
from courses.models import Course


def _status_label(key: str) -> str:
    # The demo counts early completions apart from the other completed courses.
    return _("completed early") if key == "completed early" else str(Course.Status(key).label)


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

    def handle(self, *args, password: str | None, patients: int, **options) -> None:
        # Never a fixed password in the code: a demo left on a reachable machine would
        # otherwise be open to anyone who has read the repository.
        password = password or secrets.token_urlsafe(12)
        try:
            clinic = demo_clinic_build(password=password, patients=patients)
        except DemoClashError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("Demo clinic: %(new)d patients added, %(kept)d already there.")
            % {"new": clinic.patients_created, "kept": clinic.patients_kept}
        )
        self.stdout.write(
            _("Courses: %(counts)s")
            % {
                "counts": ", ".join(
                    f"{_status_label(k)} {v}" for k, v in sorted(clinic.courses_by_status.items())
                )
            }
        )
        self.stdout.write(_("Staff login (admin is a superuser, for users and groups):"))
        self.stdout.write(_("  usernames: %(names)s") % {"names": ", ".join(clinic.usernames)})
        self.stdout.write(_("  password:  %(password)s") % {"password": clinic.password})
