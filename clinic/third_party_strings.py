"""Strings that staff read on django-simple-history's pages, marked here so that the
clinic's catalogue translates them: the package ships its Russian as ``ru_RU``, which
Django never looks up for ``ru``, and it is older than these strings. Django's own
catalogue already has the rest of its words (History, Date/time, Comment...).

Never imported: makemessages reads it.
"""

from django.utils.translation import gettext_noop

SIMPLE_HISTORY = [
    gettext_noop("View history: %s"),
    gettext_noop("Change history: %s"),
    gettext_noop("View %s"),
    gettext_noop("Revert %s"),
    gettext_noop("Revert"),
    gettext_noop("You may edit it again below"),
    gettext_noop("Changes"),
    gettext_noop("Change History"),
    gettext_noop("Change reason"),
    gettext_noop("Changed by"),
    # Who made a change the clinic's services made without a signed-in user.
    gettext_noop("None"),
]
