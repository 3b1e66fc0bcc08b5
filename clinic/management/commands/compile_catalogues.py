from django.core.management.base import BaseCommand

from clinic.catalogues import catalogue_compile, catalogue_paths


class Command(BaseCommand):
    help = (
        "Compile each language's django.po into the django.mo beside it, without GNU "
        "gettext's tools."
    )

    def handle(self, *args, **options) -> None:
        for po_path in catalogue_paths():
            if po_path.exists():
                mo_path = catalogue_compile(po_path=po_path)
                self.stdout.write(f"{mo_path}")
            else:
                self.stderr.write(f"{po_path} is missing: run makemessages first.")
