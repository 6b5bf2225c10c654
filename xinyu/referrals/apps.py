from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "xinyu.referrals"
    label = "referrals"
