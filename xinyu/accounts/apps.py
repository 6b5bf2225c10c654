from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "xinyu.accounts"
    label = "accounts"

    def ready(self):
        from xinyu.accounts.work import grants_and_resets_work
        from xinyu.core.work import register_work_source

        register_work_source(grants_and_resets_work)
