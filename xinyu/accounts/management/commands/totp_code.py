"""`manage.py totp_code USERNAME`: the current two-factor code of a demo or development account.

Refuses to run in production: there, codes come only from the person's own phone.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from xinyu.accounts.models import TwoFactorDevice
from xinyu.accounts.twofactor import TIME_STEP_SECONDS, current_code


class Command(BaseCommand):
    help = "打印某账号当前的动态验证码（仅用于演示和开发环境，生产环境拒绝运行）。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="工号或学号")

    def handle(self, *args, username, **options):
        if settings.XINYU_ENV == "production":
            raise CommandError("生产环境不能使用此命令：验证码只能来自本人手机上的身份验证器。")
        device = TwoFactorDevice.objects.select_related("user").filter(user__username=username.strip()).first()
        if device is None:
            raise CommandError(f"账号 {username} 没有设置身份验证器（登录时会引导设置）。")
        seconds_left = TIME_STEP_SECONDS - int(time.time()) % TIME_STEP_SECONDS
        self.stdout.write(current_code(device.secret))
        self.stderr.write(
            f"{device.user.full_name}（{device.user.username}）的验证码，"
            f"{seconds_left} 秒后更换；每个验证码只能用一次。"
        )
