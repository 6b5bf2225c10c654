"""One model for every 约谈 (care.Interview): the screening's interviews move there keeping their ids (links,
notifications and the access log name them), their campaign and result stay here in InterviewLink; the
follow-ups (care.FollowUp) follow with new ids, the old one kept in legacy_follow_up_id, and the crisis
cases' history is rewritten to name the new ids. The access log is append-only and keeps the old names.

A follow-up's source: its case's (crisis_case); else a return from leave when the access log recorded it
scheduled by a return (same student and due date); else a talk after a concern report. Who recorded a
follow-up as done is taken from the case's history or the access log, else its assignee. Backwards, every
row goes back where it came from.
"""

import django.db.models.deletion
from django.core.management.color import no_style
from django.db import migrations, models

BATCH = 2000


def _batches(queryset):
    batch = []
    for row in queryset.iterator(chunk_size=BATCH):
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _keep_created_at(model):
    """The historical model's created_at is auto_now_add: keep the copied value instead."""
    model._meta.get_field("created_at").auto_now_add = False


def _reset_sequence(schema_editor, model):
    for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), [model]):
        schema_editor.execute(sql)


def _return_follow_ups(AuditEntry) -> set:
    """(student id, due date) of the follow-ups a return from leave scheduled, from the access log."""
    rows = AuditEntry.objects.filter(what="care.follow_up", action="create").values_list("student_id", "detail")
    return {(student_id, (detail or {}).get("due_on")) for student_id, detail in rows if "leave" in (detail or {})}


def _done_by(CaseEvent, AuditEntry) -> dict:
    """Old follow-up id → who recorded it as done."""
    done = {}
    for actor_id, detail in AuditEntry.objects.filter(what="care.follow_up.done").values_list("actor_id", "detail"):
        if (detail or {}).get("follow_up") and actor_id:
            done[detail["follow_up"]] = actor_id
    for by_id, detail in CaseEvent.objects.filter(kind="note").values_list("by_id", "detail"):
        if (detail or {}).get("follow_up_done") and by_id:
            done[detail["follow_up_done"]] = by_id
    return done


def _rename_in_case_history(CaseEvent, ids: dict, old_keys: tuple, new_keys: tuple) -> None:
    for event in CaseEvent.objects.filter(kind__in=("follow_up", "note")).iterator(chunk_size=BATCH):
        detail = dict(event.detail or {})
        changed = False
        for old, new in zip(old_keys, new_keys, strict=True):
            if old in detail and detail[old] in ids:
                detail[new] = ids[detail.pop(old)]
                changed = True
        if changed:
            CaseEvent.objects.filter(pk=event.pk).update(detail=detail)


def forwards(apps, schema_editor):
    Old = apps.get_model("screening", "Interview")
    Link = apps.get_model("screening", "InterviewLink")
    Interview = apps.get_model("care", "Interview")
    FollowUp = apps.get_model("care", "FollowUp")
    CaseEvent = apps.get_model("concerns", "CaseEvent")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    _keep_created_at(Interview)
    fields = ("student_id", "kind", "reason", "assignee_id", "due_on", "created_at", "conducted_at",
              "conducted_by_id", "method", "outcome", "notes")  # fmt: skip
    for batch in _batches(Old.objects.order_by("pk")):
        Interview.objects.bulk_create(
            [Interview(id=old.pk, source="screening", **{name: getattr(old, name) for name in fields}) for old in batch]
        )
        Link.objects.bulk_create(
            [Link(interview_id=old.pk, campaign_id=old.campaign_id, result_id=old.result_id) for old in batch]
        )
    returns = _return_follow_ups(AuditEntry)
    done_by = _done_by(CaseEvent, AuditEntry)
    next_id = (Interview.objects.aggregate(top=models.Max("id"))["top"] or 0) + 1
    ids = {}
    for batch in _batches(FollowUp.objects.order_by("pk")):
        rows = []
        for follow_up in batch:
            if follow_up.case_id:
                source = "crisis_case"
            elif (follow_up.student_id, follow_up.due_on.isoformat()) in returns:
                source = "return_from_leave"
            else:
                source = "concern_report"
            done = follow_up.done_at is not None
            ids[follow_up.pk] = next_id
            rows.append(
                Interview(
                    id=next_id, legacy_follow_up_id=follow_up.pk, source=source, student_id=follow_up.student_id,
                    case_id=follow_up.case_id, assignee_id=follow_up.assignee_id,
                    scheduled_by_id=follow_up.scheduled_by_id, due_on=follow_up.due_on,
                    created_at=follow_up.created_at, conducted_at=follow_up.done_at,
                    conducted_by_id=done_by.get(follow_up.pk, follow_up.assignee_id) if done else None,
                    notes=follow_up.outcome,
                )
            )  # fmt: skip
            next_id += 1
        Interview.objects.bulk_create(rows)
    _rename_in_case_history(CaseEvent, ids, ("follow_up", "follow_up_done"), ("interview", "interview_done"))
    _reset_sequence(schema_editor, Interview)


def backwards(apps, schema_editor):
    Old = apps.get_model("screening", "Interview")
    Link = apps.get_model("screening", "InterviewLink")
    Interview = apps.get_model("care", "Interview")
    FollowUp = apps.get_model("care", "FollowUp")
    CaseEvent = apps.get_model("concerns", "CaseEvent")
    _keep_created_at(Old)
    _keep_created_at(FollowUp)
    links = {link.interview_id: link for link in Link.objects.all()}
    fields = ("student_id", "kind", "reason", "assignee_id", "due_on", "created_at", "conducted_at",
              "conducted_by_id", "method", "outcome", "notes")  # fmt: skip
    for batch in _batches(Interview.objects.filter(source="screening").order_by("pk")):
        Old.objects.bulk_create(
            [
                Old(id=row.pk, campaign_id=getattr(links.get(row.pk), "campaign_id", None),
                    result_id=getattr(links.get(row.pk), "result_id", None),
                    **{name: getattr(row, name) for name in fields})
                for row in batch
            ]  # fmt: skip
        )
    next_id = (FollowUp.objects.aggregate(top=models.Max("id"))["top"] or 0) + 1
    taken = set(Interview.objects.exclude(legacy_follow_up_id=None).values_list("legacy_follow_up_id", flat=True))
    ids = {}
    for batch in _batches(Interview.objects.exclude(source="screening").order_by("pk")):
        rows = []
        for row in batch:
            old_id = row.legacy_follow_up_id
            if old_id is None:
                while next_id in taken:
                    next_id += 1
                old_id, next_id = next_id, next_id + 1
            ids[row.pk] = old_id
            rows.append(
                FollowUp(
                    id=old_id, student_id=row.student_id, case_id=row.case_id, due_on=row.due_on,
                    assignee_id=row.assignee_id, scheduled_by_id=row.scheduled_by_id or row.assignee_id,
                    done_at=row.conducted_at, outcome=row.notes, created_at=row.created_at,
                )
            )  # fmt: skip
        FollowUp.objects.bulk_create(rows)
    _rename_in_case_history(CaseEvent, ids, ("interview", "interview_done"), ("follow_up", "follow_up_done"))
    Link.objects.all().delete()
    Interview.objects.all().delete()
    _reset_sequence(schema_editor, Old)
    _reset_sequence(schema_editor, FollowUp)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("care", "0004_interviews"),
        ("concerns", "0001_initial"),
        ("screening", "0006_instrument_drafts_and_activation"),
    ]

    operations = [
        migrations.CreateModel(
            name='InterviewLink',
            fields=[
                ('interview', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='screening', serialize=False, to='care.interview')),
            ],
            options={
                'verbose_name': 'screening of an interview',
                'verbose_name_plural': 'screenings of interviews',
            },
        ),
        migrations.AddField(
            model_name='interviewlink',
            name='campaign',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='interview_links', to='screening.campaign'),
        ),
        migrations.AddField(
            model_name='interviewlink',
            name='result',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='interview_links', to='screening.result'),
        ),
        migrations.AddIndex(
            model_name='interviewlink',
            index=models.Index(fields=['campaign'], name='screening_i_campaig_817ba1_idx'),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveIndex(
            model_name='interview',
            name='screening_i_assigne_54b4e4_idx',
        ),
        migrations.RemoveField(
            model_name='interview',
            name='assignee',
        ),
        migrations.RemoveField(
            model_name='interview',
            name='campaign',
        ),
        migrations.RemoveField(
            model_name='interview',
            name='conducted_by',
        ),
        migrations.RemoveField(
            model_name='interview',
            name='result',
        ),
        migrations.RemoveField(
            model_name='interview',
            name='student',
        ),
        migrations.DeleteModel(
            name='Interview',
        ),
    ]
