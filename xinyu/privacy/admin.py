"""Back office: leaving dates (for students whose leaving no roster import recorded) and the record of
retention runs (read-only). Emergency accesses and consents are handled on their own pages, not here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from xinyu.common.admin import BackOfficeAdmin, ReadOnlyBackOfficeAdmin
from xinyu.policy.loader import PolicyError, policy_version
from xinyu.privacy.models import RetentionRun, StudentDeparture
from xinyu.privacy.retention import kind_label


@admin.register(StudentDeparture)
class StudentDepartureAdmin(BackOfficeAdmin, admin.ModelAdmin):
    list_display = ["student", "left_on", "recorded_at"]
    raw_id_fields = ["student"]
    search_fields = ["student__student_number"]


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyBackOfficeAdmin, admin.ModelAdmin):
    """Read-only: what each run of apply_retention did or would have done."""

    list_display = ["ran_at", "dry_run", "archived", "destroyed", "no_departure_date"]
    exclude = ["records", "policy_key"]
    readonly_fields = [
        "ran_at", "dry_run", "archived", "destroyed", "no_departure_date", "records_in_words", "policy",
    ]  # fmt: skip

    @admin.display(description=_("Records"))
    def records_in_words(self, run):
        """Each kind of record by its name (the run stores them by model label), with its count."""
        return "；".join(f"{kind_label(kind)}：{count}" for kind, count in (run.records or {}).items()) or "—"

    @admin.display(description=_("policy version"))
    def policy(self, run):
        """The policy file's title and version (the run stores its key)."""
        if not run.policy_key:
            return "—"
        try:
            policy = policy_version(run.policy_key)
        except PolicyError:  # a version no longer in the policy directory
            return run.policy_key
        return _("%(title)s, version %(version)s") % {"title": policy.title, "version": policy.version}
