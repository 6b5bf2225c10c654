"""The policy file is validated when Xinyu starts (every manage.py command and the web process run the
system checks), so a broken policy stops the deployment instead of failing at the first crisis. A holiday
calendar about to run out is a warning: office-hour deadlines would count next year's public holidays
(the Spring Festival among them) as working time."""

import datetime as dt

from django.core.checks import Error, Warning
from django.utils import timezone

from xinyu.policy.calendar import calendar_runs_out
from xinyu.policy.loader import PolicyError, clear_cache, policy_in_force

CALENDAR_WARNING_DAYS = 60


def check_policy(app_configs=None, **kwargs):
    clear_cache()
    try:
        policy_in_force()
    except PolicyError as exc:
        return [Error(f"政策文件无效：{exc}", hint="请修改 policy/ 下的政策文件后重新启动。", id="xinyu.E001")]
    return []


def calendar_warning(today: dt.date) -> Warning | None:
    """The warning when the calendar of the policy in force on `today` does not reach 60 days ahead."""
    try:
        policy = policy_in_force(today)
    except PolicyError:
        return None  # check_policy reports it
    covered = calendar_runs_out(policy, today, within_days=CALENDAR_WARNING_DAYS)
    if covered is None:
        return None
    return Warning(
        f"政策文件“{policy.title}”的节假日安排只到 {covered.isoformat()}，不足今后 {CALENDAR_WARNING_DAYS} 天："
        f"此后按工作时间计算的时限会把法定节假日算作工作时间。",
        hint=(
            f"请按国务院办公厅公布的 {covered.year + 1} 年部分节假日安排，在 policy/{policy.id}.toml 的 [calendar] 中"
            "补充 holidays（放假日期）与 working_days（调休上班日期），然后重新启动。"
        ),
        id="xinyu.W001",
    )


def check_calendar(app_configs=None, **kwargs):
    warning = calendar_warning(timezone.localdate())
    return [warning] if warning else []
