"""Steps done with "family_told" evidence wrote who, when and how as text beside the case's family contact
rows. Each such step is linked to the case's row that records the same contact (`family_contact` in its
evidence), so the step's evidence is the row. The text stays as it was written: it is the step's history,
and a step no row matches keeps only its text (closing accepts that for steps done before this change).

Backwards, the link is removed; steps done after this change, that only have the link, get the row's
who, when and how written in as text, as the old code would have stored them."""

import datetime as dt

from django.db import migrations
from django.utils import timezone
from django.utils.dateparse import parse_datetime



def _told(step) -> bool:
    return "family_told" in (step.evidence_required or []) and step.completed_at is not None


def _moment(text: str, fallback: dt.datetime) -> dt.datetime:
    moment = parse_datetime(text or "")
    if moment is None:
        return fallback
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _names(contact) -> set[str]:
    return {name.strip() for name in (contact.contact_name, contact.relation) if name.strip()}


def _matches(who: str, contact) -> bool:
    who = who.strip()
    return bool(who) and any(who == name or name in who or who in name for name in _names(contact))


def best_match(step, contacts):
    """The case's contact naming the person the step names, the nearest in time to when the step says."""
    evidence = step.evidence or {}
    matching = [contact for contact in contacts if _matches(evidence.get("family_who", ""), contact)]
    if not matching:
        return None
    when = _moment(evidence.get("family_when", ""), step.completed_at)
    return min(matching, key=lambda contact: (abs((contact.contacted_at - when).total_seconds()), contact.pk))


def link_steps(apps, schema_editor):
    CaseStep = apps.get_model("concerns", "CaseStep")
    FamilyContact = apps.get_model("care", "FamilyContact")
    for step in CaseStep.objects.filter(completed_at__isnull=False).order_by("pk"):
        evidence = step.evidence or {}
        if not _told(step) or "family_contact" in evidence:
            continue
        contact = best_match(step, list(FamilyContact.objects.filter(case_id=step.case_id)))
        if contact is not None:
            step.evidence = {**evidence, "family_contact": contact.pk}
            step.save(update_fields=["evidence"])


def unlink_steps(apps, schema_editor):
    CaseStep = apps.get_model("concerns", "CaseStep")
    FamilyContact = apps.get_model("care", "FamilyContact")
    methods = {"phone": "电话", "in_person": "当面", "video": "视频通话", "message": "消息"}
    for step in CaseStep.objects.filter(completed_at__isnull=False).order_by("pk"):
        evidence = dict(step.evidence or {})
        if "family_contact" not in evidence:
            continue
        contact = FamilyContact.objects.filter(pk=evidence.pop("family_contact")).first()
        if contact is not None and not evidence.get("family_who"):
            evidence["family_who"] = contact.contact_name
            evidence["family_when"] = timezone.localtime(contact.contacted_at).strftime("%Y-%m-%d %H:%M")
            evidence["family_how"] = methods.get(contact.method, contact.method)
        step.evidence = evidence
        step.save(update_fields=["evidence"])


class Migration(migrations.Migration):
    dependencies = [
        ("concerns", "0002_report_restricted_detail"),
        ("care", "0003_registry_plans_checkins"),
    ]

    operations = [migrations.RunPython(link_steps, unlink_steps)]
