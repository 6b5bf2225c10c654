from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from xinyu.audit.anchor import AnchorError, anchor_path, anchor_problem, read_anchor, record_checked
from xinyu.audit.verify import check_chain


class Command(BaseCommand):
    help = (
        "Verify the HMAC chain of the access log and that it still reaches its anchor (AUDIT_ANCHOR_PATH); "
        "exits non-zero and names the first broken entry. After a clean check the anchor moves to the last entry."
    )

    def handle(self, *args, **options):
        # The anchor first: the clock may move it on while the chain is walked, never past a checked entry.
        try:
            anchor = read_anchor()
        except AnchorError as error:
            raise CommandError(str(error)) from None
        result = check_chain()
        if result.broken:
            raise CommandError(
                _(
                    "Access log entry #%(seq)s failed the check: %(reason)s (the %(count)s entries before it are "
                    "intact)."
                )
                % {"seq": result.broken.seq, "reason": result.broken.reason, "count": result.checked}
            )
        if anchor is not None:
            problem = anchor_problem(anchor)
            if problem:
                raise CommandError(
                    _("Access log entry #%(seq)s failed the check against the anchor: %(reason)s.")
                    % {"seq": problem.seq, "reason": problem.reason}
                )
        else:
            self.stderr.write(
                _("No anchor at %(path)s yet: deleting the newest entries could not be detected this time.")
                % {"path": anchor_path()}
            )
        record_checked(result.last_seq, result.last_mac)
        if anchor is None:
            message = _("The access log is intact: %(count)s entries, the whole chain verified.")
        else:
            message = _(
                "The access log is intact: %(count)s entries, the whole chain verified; it reaches the anchor "
                "written at %(at)s (entry #%(seq)s)."
            )
        self.stdout.write(
            message % {"count": result.checked, "at": anchor and anchor.local_time, "seq": anchor and anchor.seq}
        )
