"""Every record with a page of its own names that page through `get_absolute_url`, so links and notifications
are built from the URL configuration, never typed out."""

import pytest
from django.urls import resolve

from xinyu.care.models import CarePlan, Interview, RegistryEntry
from xinyu.concerns.models import ConcernReport, CrisisCase
from xinyu.counselling.models import Session
from xinyu.org.models import ClassGroup, Student
from xinyu.privacy.models import BreakGlassGrant
from xinyu.referrals.models import Leave, Referral
from xinyu.roster.models import ImportJob
from xinyu.screening.models import Campaign, Instrument, Sitting


@pytest.mark.parametrize(
    ("record", "view_name"),
    [
        (Student(pk=7), "org:student_detail"),
        (ClassGroup(pk=7), "org:class_group"),
        (RegistryEntry(pk=7), "care:entry_detail"),
        (CarePlan(pk=99, entry_id=7), "care:entry_detail"),
        (ConcernReport(pk=7), "concerns:report_detail"),
        (CrisisCase(pk=7), "concerns:case_detail"),
        (Session(pk=7), "counselling:session_detail"),
        (Referral(pk=7), "referrals:referral_detail"),
        (Leave(pk=7), "referrals:leave_detail"),
        (BreakGlassGrant(pk=7), "privacy:break_glass_detail"),
        (ImportJob(pk=7), "roster:job"),
        (Instrument(pk=7), "screening:instrument_detail"),
        (Sitting(pk=7), "screening:sitting_detail"),
        (Campaign(pk=7), "screening:completion"),
        (Interview(pk=7), "core:interview_detail"),
    ],
    ids=lambda value: type(value).__name__ if not isinstance(value, str) else value,
)
def test_a_records_absolute_url_is_its_own_page(record, view_name):
    match = resolve(record.get_absolute_url())
    assert match.view_name == view_name
    assert 7 in match.kwargs.values()
