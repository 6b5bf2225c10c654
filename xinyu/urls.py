from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from xinyu.common.access import public
from xinyu.core.admin_site import configure_admin_site

configure_admin_site(admin.site)

urlpatterns = [
    # First: the public page is the busiest URL and its own prefix, so it is matched before the includes
    # without a prefix are walked (bench/bench_public_page.py).
    path("xinli/", include("xinyu.public.urls")),
    path("", include("xinyu.core.urls")),
    path("accounts/", include("xinyu.accounts.urls")),
    path("", include("xinyu.org.urls")),
    path("", include("xinyu.grants.urls")),
    path("roster/", include("xinyu.roster.urls")),
    path("concerns/", include("xinyu.concerns.urls")),
    path("notifications/", include("xinyu.notify.urls")),
    path("screening/", include("xinyu.screening.urls")),
    path("fhir/", include("xinyu.screening.urls_fhir")),
    path("care/", include("xinyu.care.urls")),
    path("counselling/", include("xinyu.counselling.urls")),
    path("referrals/", include("xinyu.referrals.urls")),
    path("privacy/", include("xinyu.privacy.urls")),
    path("files/", include("xinyu.studentfile.urls")),
    path("reports/", include("xinyu.reports.urls")),
    path("compliance/", include("xinyu.compliance.urls")),
    path("courses/", include("xinyu.courses.urls")),
    path("education/", include("xinyu.education.urls")),
    path("training/", include("xinyu.training.urls")),
    path("workforce/", include("xinyu.workforce.urls")),
    path("api/v1/", include("xinyu.api.urls")),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]
