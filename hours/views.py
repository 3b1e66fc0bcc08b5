from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from clinic.timeutils import clinic_date, clinic_day_label
from hours.models import CalendarFeed
from hours.services import calendar_feed_renew, calendar_feed_revoke


def _feed_addresses(token: str) -> tuple[str, str]:
    """The feed's https address (to paste into Google Calendar or Outlook) and the same
    as webcal:// (a link that opens Apple Calendar's subscribe dialog)."""
    address = settings.CLINIC_SITE_URL + reverse("calendar_feed", args=[token])
    return address, urlunsplit(("webcal", *urlsplit(address)[1:]))


@never_cache
def my_calendar_feed(request: HttpRequest) -> HttpResponse:
    """A member of staff's own feed address: make one, replace it, or revoke it."""
    address = webcal = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "renew":
            # Shown in this response only: the address is not stored and never put in a
            # redirect, the session or a log.
            address, webcal = _feed_addresses(calendar_feed_renew(user=request.user))
        elif action == "revoke":
            if calendar_feed_revoke(user=request.user):
                messages.success(request, _("Your calendar feed address no longer works."))
            return HttpResponseRedirect(reverse("my_calendar_feed"))
    feed = CalendarFeed.objects.filter(user=request.user).first()
    context = {
        **admin.site.each_context(request),
        "title": _("My calendar feed"),
        "feed": feed,
        "created_on": clinic_day_label(clinic_date(feed.created_at)) if feed else None,
        "address": address,
        "webcal": webcal,
    }
    return render(request, "admin/hours/calendar_feed.html", context)
