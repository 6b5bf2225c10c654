from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "xinyu.accounts"
    label = "accounts"
