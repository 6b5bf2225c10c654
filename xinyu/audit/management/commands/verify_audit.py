from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.audit.anchor import AnchorError, anchor_path, anchor_problem, read_anchor, record_checked
from xinyu.audit.seal import seal_audit
from xinyu.audit.verify import check_chain, check_unsealed

SHOWN_UNSEALED = 10


class Command(BaseCommand):
    help = (
        "Seal the access log's new entries, then verify its HMAC chain, that it still reaches its anchor "
        "(AUDIT_ANCHOR_PATH) and that every entry not yet sealed matches its own HMAC; exits non-zero and names "
        "the first broken entry. After a clean check the anchor moves to the last entry."
    )

    def handle(self, *args, **options):
        # The anchor first: the clock may move it on while the chain is walked, never past a checked entry.
        try:
            anchor = read_anchor()
        except AnchorError as error:
            raise CommandError(str(error)) from None
        sealing = seal_audit()
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
        unsealed = check_unsealed()
        if unsealed.broken:
            shown = "; ".join(
                _("id %(id)s, written at %(at)s")
                % {"id": entry.pk, "at": timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S")}
                for entry in unsealed.broken[:SHOWN_UNSEALED]
            )
            raise CommandError(
                _(
                    "%(count)s access log entries not yet numbered failed the check: their content does not match "
                    "their own HMAC (edited before they were sealed), so they are left unsealed: %(entries)s."
                )
                % {"count": len(unsealed.broken), "entries": shown}
            )
        if anchor is None:
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
        if sealing.sealed or unsealed.checked:
            self.stdout.write(
                _(
                    "%(sealed)s new entries were sealed first; %(unsealed)s written since are not numbered yet and "
                    "match their own HMACs."
                )
                % {"sealed": sealing.sealed, "unsealed": unsealed.checked}
            )
