"""What referral, leave and the return gate add to "my work" and to the student file's timeline."""

import datetime as dt

from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinyu.common.timeline import TimelineEntry
from xinyu.common.work import WorkItem, WorkSection
from xinyu.org.scope import Tier
from xinyu.referrals import scope
from xinyu.referrals.models import Leave, Referral, ReturnAssessment

# A referral's outcome is overdue this many days after the planned visit (a module constant, not policy).
OUTCOME_DUE_DAYS = 7
# T4 text stays on its own page, behind step-up and a T4 audit entry; the file only says it is there.
CONFIDENTIAL_SUMMARY = gettext_lazy(
    "Confidential: open the record to read it (you will be asked to confirm it is you)."
)


def _latest_result():
    return Subquery(
        ReturnAssessment.objects.filter(leave=OuterRef("pk")).order_by("-assessed_at", "-id").values("result")[:1]
    )


def referral_work(user, now: dt.datetime) -> WorkSection | None:
    """Referrals I planned or went to that wait for their outcome; return gates waiting for my part (the
    centre's assessment, the college's sign-off)."""
    if not scope.may_refer(user):
        return None
    items = []
    waiting = (
        scope.referrals_for(user)
        .exclude(status=Referral.Status.OUTCOME)
        .filter(Q(created_by=user) | Q(escorts=user))
        .select_related("student")
        .distinct()
        .order_by("planned_at", "pk")
    )
    for referral in waiting:
        due = referral.planned_at + dt.timedelta(days=OUTCOME_DUE_DAYS)
        title = _("Record the referral's outcome: %(name)s") % {"name": referral.student.name}
        items.append(WorkItem(
            kind="referral_outcome", title=title, tier=Tier.T3, student=referral.student,
            due=timezone.localdate(due), overdue=due < now,
            url=reverse("referrals:referral_detail", args=[referral.pk]), detail=referral.destination, id=referral.pk,
        ))  # fmt: skip
    open_leaves = scope.leaves_for(user).filter(status=Leave.Status.ON_LEAVE)
    gates = Q(pk__in=[])
    if scope.is_centre_staff(user):
        gates |= ~Q(latest_result=ReturnAssessment.Result.FIT) | Q(latest_result__isnull=True)
    colleges = scope.sign_off_college_ids(user)
    if colleges:
        gates |= Q(signed_off_at__isnull=True, student__class_group__college_id__in=colleges)
    for leave in (
        open_leaves.annotate(latest_result=_latest_result()).filter(gates).select_related("student").order_by("pk")
    ):
        url = reverse("referrals:leave_detail", args=[leave.pk])
        if scope.is_centre_staff(user) and leave.latest_result != ReturnAssessment.Result.FIT:
            items.append(WorkItem(
                kind="return_assessment", title=_("Return assessment: %(name)s") % {"name": leave.student.name},
                tier=Tier.T3, student=leave.student,  # a leave for psychological reasons
                due=leave.expected_return_on, overdue=leave.expected_return_on < timezone.localdate(now),
                url=url, id=leave.pk,
            ))  # fmt: skip
        if leave.signed_off_at is None and leave.student.class_group.college_id in colleges:
            items.append(WorkItem(
                kind="return_sign_off", title=_("Sign off the return: %(name)s") % {"name": leave.student.name},
                tier=Tier.T3, student=leave.student,
                due=leave.expected_return_on, overdue=leave.expected_return_on < timezone.localdate(now),
                url=url, id=leave.pk,
            ))  # fmt: skip
    return WorkSection(
        key="referrals", title=_("Referral and return"), items=items,
    )  # fmt: skip


def _day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def timeline_entries(student, viewer, tier: Tier):
    """Referrals, leave, each gate item and the return (T3); the diagnosis, medication and statements (T4)
    only for those who may read them, marked confidential."""
    if tier < Tier.T3:
        return []
    entries = []
    for referral in Referral.objects.filter(student=student).order_by("pk"):
        summary = [referral.get_status_display(), referral.get_urgency_display()]
        if referral.outcome:
            summary += [referral.get_outcome_display(), referral.follow_up_plan]
        entries.append(TimelineEntry(
            at=referral.planned_at, kind="referral", kind_label=_("Referral"),
            title=_("Referral to %(where)s") % {"where": referral.destination}, tier=Tier.T3,
            summary=" · ".join(part for part in summary if part),
            url=reverse("referrals:referral_detail", args=[referral.pk]),
        ))  # fmt: skip
        if referral.has_clinical and scope.may_read_confidential(viewer, student, referral.clinical_recorded_by_id):
            entries.append(TimelineEntry(
                at=referral.clinical_recorded_at or referral.planned_at, kind="referral_clinical",
                kind_label=_("Diagnosis"), title=_("Diagnosis summary and medication"), tier=Tier.T4,
                summary=CONFIDENTIAL_SUMMARY,
                url=reverse("referrals:referral_clinical", args=[referral.pk]), confidential=True,
            ))  # fmt: skip
    leaves = Leave.objects.filter(student=student).prefetch_related("assessments").order_by("pk")
    for leave in leaves:
        url = reverse("referrals:leave_detail", args=[leave.pk])

        def add(at, kind, label, title, summary="", t=Tier.T3, confidential=False, link=url):
            entries.append(TimelineEntry(at=at, kind=kind, kind_label=label, title=title, tier=t, summary=summary,
                                         url=link, confidential=confidential))  # fmt: skip

        add(_day(leave.starts_on), "leave", _("Leave"), _("Leave for psychological reasons"), leave.reason_summary)
        confidential_url = reverse("referrals:leave_confidential", args=[leave.pk])
        if leave.statement_summary and scope.may_read_confidential(viewer, student, leave.statement_recorded_by_id):
            add(_day(leave.statement_received_on or leave.starts_on), "leave_statement", _("Hospital statement"),
                leave.statement_hospital, CONFIDENTIAL_SUMMARY, Tier.T4, True, confidential_url)  # fmt: skip
        if leave.fitness_on:
            add(leave.fitness_recorded_at or _day(leave.fitness_on), "return_fitness", _("Return gate"),
                _("Hospital statement of fitness"), leave.fitness_hospital)  # fmt: skip
            if leave.fitness_summary and scope.may_read_confidential(viewer, student, leave.fitness_summary_by_id):
                add(leave.fitness_recorded_at or _day(leave.fitness_on), "return_fitness_summary",
                    _("Hospital statement"), leave.fitness_hospital, CONFIDENTIAL_SUMMARY, Tier.T4, True,
                    confidential_url)  # fmt: skip
        for assessment in leave.assessments.all():
            add(assessment.assessed_at, "return_assessment", _("Return gate"), _("The centre's return assessment"),
                f"{assessment.get_result_display()} · {assessment.note}")  # fmt: skip
        if leave.parents_recorded_at:
            add(leave.parents_recorded_at, "return_parents", _("Return gate"),
                _("Parents' agreement and emergency contacts"), leave.parents_note)  # fmt: skip
        if leave.signed_off_at:
            add(leave.signed_off_at, "return_sign_off", _("Return gate"), _("College sign-off"), leave.sign_off_note)
        if leave.returned_on:
            add(_day(leave.returned_on), "return", _("Return"), _("Returned from leave"))
    return entries
