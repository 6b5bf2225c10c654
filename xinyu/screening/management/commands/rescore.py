"""`manage.py rescore [--campaign ID] [--instrument CODE] [--all] [--inline] [--no-wait]`: re-apply the
scoring rules in force to stored answers, as a background task, printing its progress. Results already
scored under the current rules are skipped unless `--all` asks to score them again (as a check)."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.tasks import TaskResultStatus

from xinyu.screening.models import Campaign, Instrument
from xinyu.screening.tasks import new_job, read_progress, rescore, rescore_task

FINAL = {TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED}


def describe(progress) -> str:
    return f"已处理 {progress.done}/{progress.total}，结果有变化 {progress.changed}" + (
        f"，答案不完整未重算 {progress.incomplete}" if progress.incomplete else ""
    )


class Command(BaseCommand):
    help = (
        "Re-score stored screening answers under the scoring rules in force (policy [screening.scoring]), "
        "updating results and their rules_version. Runs as a background task; prints its progress."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, help="only this campaign's results (its id)")
        parser.add_argument("--instrument", help="only this instrument's results (its code, e.g. UPI)")
        parser.add_argument(
            "--all", action="store_true", dest="everything", help="also score results already under the current rules"
        )
        parser.add_argument("--inline", action="store_true", help="run here instead of as a background task")
        parser.add_argument("--no-wait", action="store_true", help="enqueue the task and return")

    def handle(self, *args, campaign, instrument, everything, inline, no_wait, **options):
        if campaign is not None and not Campaign.objects.filter(pk=campaign).exists():
            raise CommandError(f"找不到测评任务 {campaign}")
        if instrument and not Instrument.objects.filter(code=instrument).exists():
            raise CommandError(f"找不到量表 {instrument}")
        if inline:
            result = rescore(
                campaign_id=campaign,
                instrument_code=instrument,
                everything=everything,
                on_progress=lambda p: self.stdout.write(describe(p)),
            )
            self.stdout.write(f"完成：{describe(result)}")
            return
        job = new_job()
        task_result = rescore_task.enqueue(job, campaign, instrument, everything)
        self.stdout.write(f"重新计分任务 {job} 已提交（{task_result.id}）")
        if no_wait:
            return
        last = None
        # The immediate backend (tests, benchmarks) has run the task already; others are polled.
        while task_result.status not in FINAL:
            time.sleep(1)
            task_result.refresh()
            progress = read_progress(job)
            if progress is not None and progress != last:
                self.stdout.write(describe(progress))
                last = progress
        if task_result.status == TaskResultStatus.FAILED:
            raise CommandError(
                f"重新计分任务 {job} 失败：{task_result.errors[-1].traceback if task_result.errors else ''}"
            )
        final = task_result.return_value
        self.stdout.write(
            f"完成：已处理 {final['done']}/{final['total']}，结果有变化 {final['changed']}"
            + (f"，答案不完整未重算 {final['incomplete']}" if final["incomplete"] else "")
        )
