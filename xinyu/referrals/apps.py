from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "xinyu.referrals"
    label = "referrals"

    def ready(self):
        from xinyu.core.work import register_work_source
        from xinyu.referrals.sources import referral_work, timeline_entries
        from xinyu.studentfile.timeline import register_timeline_source

        register_work_source(referral_work)
        register_timeline_source(timeline_entries)
