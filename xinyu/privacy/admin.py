"""Back office: leaving dates (for students whose leaving no roster import recorded) and the record of
retention runs (read-only). Emergency accesses and consents are handled on their own pages, not here."""

from django.apps import apps
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from xinyu.common.admin import BackOfficeAdmin, ReadOnlyBackOfficeAdmin
from xinyu.privacy.models import RetentionRun, StudentDeparture


@admin.register(StudentDeparture)
class StudentDepartureAdmin(BackOfficeAdmin, admin.ModelAdmin):
    list_display = ["student", "left_on", "recorded_at"]
    raw_id_fields = ["student"]
    search_fields = ["student__student_number"]


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyBackOfficeAdmin, admin.ModelAdmin):
    """Read-only: what each run of apply_retention did or would have done."""

    list_display = ["ran_at", "dry_run", "archived", "destroyed", "no_departure_date"]
    exclude = ["records"]
    readonly_fields = [
        "ran_at", "dry_run", "archived", "destroyed", "no_departure_date", "records_in_words", "policy_key",
    ]  # fmt: skip

    @admin.display(description=_("Records"))
    def records_in_words(self, run):
        """Each kind of record by its name (the run stores them by model label), with its count."""
        return "；".join(f"{_model_name(label)}：{count}" for label, count in (run.records or {}).items()) or "—"


def _model_name(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name_plural)
    except (LookupError, ValueError):
        return label
