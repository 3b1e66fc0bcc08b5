from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from clinic.health import status
from clinic.views import my_language
from courses.calendar import therapist_feed
from hours.views import my_calendar_feed

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path(
        "admin/calendar-feed/",
        admin.site.admin_view(my_calendar_feed),
        name="my_calendar_feed",
    ),
    path("admin/language/", admin.site.admin_view(my_language), name="my_language"),
    path("admin/", admin.site.urls),
    # For monitoring, with CLINIC_STATUS_TOKEN; /health/ is answered by a middleware.
    path("status/", status, name="status"),
    # Pages patients reach through the signed links in their messages.
    path("p/", include("messaging.urls")),
    # A staff member's own diary, for their calendar app; the token is the only key.
    path("calendar/<str:token>.ics", therapist_feed, name="calendar_feed"),
]
