"""`manage.py demo_accounts`: the demo accounts, one per role, as a table (the README shows the same)."""

import unicodedata

from django.core.management.base import BaseCommand
from django.db.models import Max

from xinyu.accounts.models import TwoFactorDevice, User
from xinyu.org.demo import DEMO_PASSWORD, demo_accounts
from xinyu.org.demo.data import SCHOOL_CODE
from xinyu.org.models import ClassGroup

HEADERS = ("岗位", "姓名", "账号", "密码", "能看到什么")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def table(rows: list[tuple[str, ...]]) -> str:
    """A plain-text table whose columns line up in a terminal with Chinese (double-width) characters."""
    widths = [max(_width(row[i]) for row in [HEADERS, *rows]) for i in range(len(HEADERS))]
    lines = ["  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip() for row in [HEADERS, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


class Command(BaseCommand):
    help = "列出演示账号（每个岗位一人）及其能看到的内容。"

    def handle(self, *args, **options):
        # The demo students' 学号 begin with the freshmen's year when the demo was seeded.
        intake = ClassGroup.objects.filter(college__school__code=SCHOOL_CODE).aggregate(Max("enrolment_year"))
        accounts = demo_accounts(intake=intake["enrolment_year__max"])
        present = set(
            User.objects.filter(username__in=[a.username for a in accounts]).values_list("username", flat=True)
        )
        if not present:
            self.stdout.write("数据库中没有演示账号（未生成演示学院）。")
            return
        rows = [(a.post, a.name, a.username, DEMO_PASSWORD, a.sees) for a in accounts if a.username in present]
        self.stdout.write("演示账号（所有账号密码相同）：")
        self.stdout.write(table(rows))
        # Accounts with T3/T4 access sign in with a code as well (two-factor, see `xinyu.accounts.demo`).
        with_device = set(
            TwoFactorDevice.objects.filter(user__username__in=present, confirmed_at__isnull=False).values_list(
                "user__username", flat=True
            )
        )
        with_code = [a.username for a in accounts if a.username in with_device]
        if with_code:
            self.stdout.write(
                f"可查看 T3/T4 信息的账号（{'、'.join(with_code)}）登录时还需输入身份验证器的 6 位验证码，"
                "演示环境用 `.venv/bin/python manage.py totp_code 账号` 获取当前验证码。"
            )
        missing = [a.username for a in accounts if a.username not in present]
        if missing:
            self.stdout.write(f"数据库中缺少以下演示账号：{'、'.join(missing)}")
