"""The policy file is validated when Xinyu starts (every manage.py command and the web process run the
system checks), so a broken policy stops the deployment instead of failing at the first crisis."""

from django.core.checks import Error

from xinyu.policy.loader import PolicyError, clear_cache, policy_in_force


def check_policy(app_configs=None, **kwargs):
    clear_cache()
    try:
        policy_in_force()
    except PolicyError as exc:
        return [Error(f"政策文件无效：{exc}", hint="请修改 policy/ 下的政策文件后重新启动。", id="xinyu.E001")]
    return []
