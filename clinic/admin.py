from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Clinic")
admin.site.site_title = _("Clinic")
admin.site.index_title = _("Courses, visits and patients")
