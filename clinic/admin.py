# The admin site's header, title and home page are set on clinic.sites.ClinicAdminSite,
# which clinic.apps.ClinicAdminConfig installs as admin.site.
