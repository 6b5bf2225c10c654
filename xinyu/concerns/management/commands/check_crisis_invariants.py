"""`manage.py check_crisis_invariants [--notify]`: print what breaks the crisis invariants; exit non-zero
when anything does (for monitoring, e.g. from cron). The clock runs the same check every five minutes."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from xinyu.concerns import invariants


class Command(BaseCommand):
    help = (
        "Check that no crisis alert is lost or unowned: every open case has an organiser, every active step "
        "someone responsible, every waiting report a recipient, and nothing due was left unescalated."
    )

    def add_arguments(self, parser):
        parser.add_argument("--notify", action="store_true", help="also tell 学工部 in Xinyu, as the clock does")

    def handle(self, *args, notify, **options):
        problems = invariants.run_check() if notify else invariants.check()
        if not problems:
            self.stdout.write(
                _(
                    "Crisis invariants hold: every open case has an organiser and every active step someone "
                    "responsible, every waiting report was sent to someone, and nothing due is left unescalated."
                )
            )
            return
        for problem in problems:
            self.stdout.write(f"- {problem}")
        raise CommandError(_("%(count)s crisis invariant problem(s) found; see above.") % {"count": len(problems)})
