"""Fill an empty database with a chain's worth of data for the benchmark.

python manage.py seed_bench                    # 20,000 patients
python manage.py seed_bench --patients 2000 --seed 7 --password PASSWORD
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from clinic.timeutils import clinic_today
from courses.bench_seed import SEED, SeedRefused, seed_bench, visits_on


class Command(BaseCommand):
    help = _(
        "Fill an empty database with patients, courses, visits and messages for the "
        "benchmark (bulk inserts from a seeded generator). Refuses a database that has "
        "patients."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--patients", type=int, default=20_000, help=_("Number of patients (20,000).")
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=SEED,
            help=_("Seed of the generator: same seed, same data."),
        )
        parser.add_argument(
            "--password",
            help=_(
                "Password for the staff it makes (bench-manager, ...), to sign in over HTTP. "
                "Without it nobody can sign in with a password."
            ),
        )

    def handle(self, *args, patients: int, seed: int, password: str | None, **options) -> None:
        if patients < 1:
            raise CommandError(_("Give at least one patient."))
        try:
            report = seed_bench(patients=patients, seed=seed, password=password, progress=True)
        except SeedRefused as refusal:
            raise CommandError(str(refusal)) from None
        for label, count in report.rows.items():
            self.stdout.write(f"{label:<34} {count:>10,}")
        self.stdout.write(_("Visits today: %(count)d") % {"count": visits_on(clinic_today())})
        self.stdout.write(_("Seeded in %(seconds).1f s.") % {"seconds": report.seconds})
