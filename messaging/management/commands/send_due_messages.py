from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from messaging import sending


class Command(BaseCommand):
    help = _("Run one dispatch of due messages now (for cron users and debugging).")

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help=_("List what would go out; change nothing.")
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        if dry_run:
            due = sending.messages_due()
            for message in due:
                due_at = timezone.localtime(message.due_at)
                self.stdout.write(
                    f"{message.pk}\t{message.get_kind_display()}\t"
                    f"{due_at:%Y-%m-%d %H:%M}\t" + _("patient %(id)d") % {"id": message.patient_id}
                )
            self.stdout.write(
                ngettext(
                    "%(count)d message would be sent.",
                    "%(count)d messages would be sent.",
                    len(due),
                )
                % {"count": len(due)}
            )
            return
        # Sent in this process, one after the other: no worker needed.
        claimed = sending.messages_dispatch(enqueue=self._send)
        self.stdout.write(
            ngettext(
                "%(count)d message dispatched.", "%(count)d messages dispatched.", len(claimed)
            )
            % {"count": len(claimed)}
        )

    def _send(self, message_ids: list[int], claim: str) -> None:
        outcomes, _left = sending.messages_send(message_ids=message_ids, claim=claim)
        for message_id, outcome in outcomes.items():
            self.stdout.write(f"{message_id}\t{outcome}")
