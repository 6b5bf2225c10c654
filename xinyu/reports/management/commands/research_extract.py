"""`manage.py research_extract --campaign ID --study NAME [--k K] --out PATH.csv [--as USERNAME]`: an
anonymised extract of a screening round for an approved study, refused with a clear message when k cannot
be reached. Taken under the centre supervisor's name (`--as`, by default the study's approver)."""

from django.core.management.base import BaseCommand, CommandError

from xinyu.accounts.models import User
from xinyu.reports.models import ResearchStudy
from xinyu.reports.monthly import ReportError
from xinyu.reports.research import take_extract, to_csv
from xinyu.screening.models import Campaign


class Command(BaseCommand):
    help = "An anonymised research extract of a screening round, as CSV."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, required=True, help="the screening round's id")
        parser.add_argument("--study", required=True, help="the approved study's title")
        parser.add_argument("--k", type=int, help="the smallest group (default: the study's)")
        parser.add_argument("--out", required=True, help="the CSV file to write")
        parser.add_argument("--as", dest="username", help="the centre supervisor taking it (工号)")

    def handle(self, *args, campaign, study, k, out, username, **options):
        found = ResearchStudy.objects.filter(title=study).first()
        if found is None:
            raise CommandError(f"没有名为“{study}”的已批准研究项目。")
        round_ = Campaign.objects.filter(pk=campaign).first()
        if round_ is None:
            raise CommandError(f"没有编号为 {campaign} 的测评。")
        by = User.objects.filter(username=username).first() if username else found.approved_by
        if by is None:
            raise CommandError(f"没有工号为 {username} 的用户。")
        try:
            extract, taken = take_extract(found, round_, by=by, k=k)
        except ReportError as error:
            raise CommandError(str(error)) from None
        with open(out, "wb") as target:
            target.write(to_csv(extract))
        self.stdout.write(f"{out}: {taken.rows} 行，k = {taken.k_achieved}（{taken.generalisation}）")
