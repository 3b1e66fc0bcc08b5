"""Name the seeded contraindications in the clinic's language, after LANGUAGE_CODE changed
or a translation of the catalogue arrived; names staff have changed are left alone."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from patients.catalogue import contraindications_rename
from patients.models import Contraindication


class Command(BaseCommand):
    help = _(
        "Rename the contraindications the clinic started with into the clinic's language "
        "(LANGUAGE_CODE), leaving every name staff have changed."
    )

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            renamed = contraindications_rename(model=Contraindication)
        self.stdout.write(_("Contraindications renamed: %(count)d.") % {"count": renamed})
