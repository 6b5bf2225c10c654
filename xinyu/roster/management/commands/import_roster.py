"""`manage.py import_roster PATH [--dry-run] [--create-missing] [--as USERNAME]
[--confirm-correction 学号,学号…]`"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xinyu.accounts.models import User
from xinyu.org import scope
from xinyu.roster import importer, safety
from xinyu.roster.models import ImportJob
from xinyu.roster.problems import RefusedFile


class Command(BaseCommand):
    help = (
        "Import students, staff and appointments from an .xlsx or .csv roster. All or nothing: with any "
        "problem, every problem is printed and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the .xlsx or .csv file")
        parser.add_argument("--dry-run", action="store_true", help="check and count only; write nothing")
        parser.add_argument("--create-missing", action="store_true", help="create colleges and classes not yet known")
        parser.add_argument(
            "--as",
            dest="username",
            help="who imports: the access log's actor, and whose right to grant posts the 任职 sheet needs",
        )
        parser.add_argument(
            "--confirm-correction",
            dest="corrections",
            default="",
            help=(
                "student numbers (comma-separated) whose identity conflict is confirmed as the correction of "
                "a typing error; needs --as naming 学工部 staff"
            ),
        )

    def handle(self, path, dry_run=False, create_missing=False, username=None, corrections="", **options):
        numbers = frozenset(number.strip() for number in corrections.split(",") if number.strip())
        with translation.override(settings.LANGUAGE_CODE):
            self._handle(Path(path), dry_run, create_missing, username, numbers)

    def _handle(
        self, path: Path, dry_run: bool, create_missing: bool, username: str | None, corrections: frozenset
    ) -> None:
        actor = None
        if username:
            actor = User.objects.filter(username=username).first()
            if actor is None:
                raise CommandError(_("No user has the sign-in name %(name)s.") % {"name": username})
        if corrections and not (actor and scope.may_correct_student_identity(actor)):
            raise CommandError(
                _("--confirm-correction needs --as naming a member of 学工部 staff, who confirms the corrections.")
            )
        if not path.is_file():
            raise CommandError(_("There is no file at %(path)s.") % {"path": path})
        try:
            safety.check_file(path, path.name)
            checked = importer.read_roster(path, path.name)
        except RefusedFile as refused:
            raise CommandError(_("%(file)s: %(reason)s") % {"file": path.name, "reason": refused.reason}) from None
        if dry_run:
            plan = importer.plan_import(checked, create_missing=create_missing, corrections=corrections, actor=actor)
            importer.refuse_unconfirmed(plan, actor)
        else:
            try:
                with transaction.atomic():
                    job = ImportJob.objects.create(
                        created_by=actor,
                        file_name=path.name[:255],
                        file_size=path.stat().st_size,
                        create_missing=create_missing,
                        dry_run=False,
                        status=ImportJob.Status.RUNNING,
                        total_rows=checked.total_rows,
                    )
                    plan = importer.apply_import(
                        checked, actor=actor, create_missing=create_missing, corrections=corrections, job_id=job.pk
                    )
                    job.status, job.counts, job.finished_at = ImportJob.Status.SUCCEEDED, plan.counts, timezone.now()
                    job.processed_rows = checked.total_rows
                    job.save()
            except importer.ImportRejected as rejected:
                plan = rejected.plan
        for conflict in plan.conflicts:
            self.stderr.write(_describe_conflict(conflict, conflict["student_number"] in corrections))
        if plan.problems:
            for problem in plan.problems:
                self.stderr.write(_describe(problem))
            raise CommandError(_("%(count)s problems found; nothing was written.") % {"count": len(plan.problems)})
        self.stdout.write(_summary(plan.counts))
        self.stdout.write(_("Dry run: nothing was written.") if dry_run else _("Imported."))


def _describe(problem) -> str:
    if problem.row is None:
        return _("%(sheet)s: %(reason)s") % {"sheet": problem.sheet, "reason": problem.reason}
    return _("%(sheet)s, row %(row)s, column %(column)s, value “%(value)s”: %(reason)s") % {
        "sheet": problem.sheet,
        "row": problem.row,
        "column": problem.column,
        "value": problem.value,
        "reason": problem.reason,
    }


def _describe_conflict(conflict: dict, confirmed: bool) -> str:
    """Both identities side by side (ID numbers masked)."""
    line = _(
        "%(sheet)s, row %(row)s, student number %(number)s: identity conflict. On file: %(on_file)s. In the "
        "file: %(in_file)s."
    ) % {
        "sheet": conflict["sheet"],
        "row": conflict["row"],
        "number": conflict["student_number"],
        "on_file": importer.describe_identity(conflict["on_file"]),
        "in_file": importer.describe_identity(conflict["in_file"]),
    }
    if confirmed:
        line += " " + _("Confirmed as the correction of a typing error.")
    return line


def _summary(counts: dict) -> str:
    lines = []
    for kind, label in (
        ("students", _("Students")),
        ("staff", _("Staff")),
        ("appointments", _("Appointments")),
    ):
        lines.append(
            _("%(kind)s: %(new)s new, %(changed)s changed, %(unchanged)s unchanged.") % {"kind": label, **counts[kind]}
        )
    lines.append(_("New accounts: %(n)s.") % {"n": counts["new_accounts"]})
    for key, label in (
        ("new_colleges", _("New colleges")),
        ("new_class_groups", _("New classes")),
        ("new_dorm_rooms", _("New dorm rooms")),
    ):
        if counts[key]:
            lines.append(f"{label}: {'、'.join(counts[key])}")
    return "\n".join(lines)
