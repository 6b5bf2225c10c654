# One model for every 约谈: the screening's interviews and the follow-ups move here in
# screening 0007_interviews_move_to_care, which keeps their ids and history.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('care', '0003_registry_plans_checkins'),
        ('concerns', '0001_initial'),
        ('org', '0002_appointment_grant_and_confirmation'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Interview',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('source', models.CharField(choices=[('screening', 'Screening'), ('concern_report', 'Concern report (no crisis)'), ('crisis_case', 'Crisis case follow-up'), ('return_from_leave', 'Return from leave')], max_length=24, verbose_name='source')),
                ('kind', models.CharField(choices=[('interview', 'Interview'), ('centre_evaluation', 'Centre evaluation')], default='interview', max_length=24, verbose_name='kind')),
                ('reason', models.CharField(blank=True, max_length=200, verbose_name='reason')),
                ('due_on', models.DateField(verbose_name='due on')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('conducted_at', models.DateTimeField(blank=True, null=True, verbose_name='when')),
                ('method', models.CharField(blank=True, choices=[('in_person', 'In person'), ('phone', 'Phone')], max_length=16, verbose_name='how')),
                ('outcome', models.CharField(blank=True, choices=[('no_concern', 'No concern'), ('watch', 'Keep watching'), ('refer_centre', 'Refer to the psychology centre'), ('concern_report', 'Raise a concern report'), ('recommend_registry', 'Recommend the key-concern registry')], max_length=24, verbose_name='outcome')),
                ('notes', models.TextField(blank=True, verbose_name='notes')),
                ('legacy_follow_up_id', models.PositiveIntegerField(blank=True, editable=False, null=True, unique=True)),
                ('assignee', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='interviews', to=settings.AUTH_USER_MODEL, verbose_name='assigned to')),
                ('case', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='interviews', to='concerns.crisiscase')),
                ('conducted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('follows', models.ForeignKey(blank=True, help_text='the interview whose outcome asked for this one (a referral to the centre)', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='care.interview')),
                ('scheduled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('student', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='interviews', to='org.student')),
            ],
            options={
                'verbose_name': 'interview',
                'verbose_name_plural': 'interviews',
                'ordering': ['due_on', 'id'],
            },
        ),
        migrations.AddIndex(
            model_name='interview',
            index=models.Index(fields=['assignee', 'conducted_at'], name='care_interv_assigne_e7cb03_idx'),
        ),
        migrations.AddIndex(
            model_name='interview',
            index=models.Index(fields=['student', 'source'], name='care_interv_student_817c50_idx'),
        ),
        migrations.AddConstraint(
            model_name='interview',
            constraint=models.CheckConstraint(condition=models.Q(('case__isnull', True), ('source', 'crisis_case'), _connector='OR'), name='interview_case_source'),
        ),
        migrations.AddConstraint(
            model_name='interview',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('conducted_at__isnull', True), ('outcome', '')), ('conducted_at__isnull', False), _connector='OR'), name='interview_outcome_when_recorded'),
        ),
    ]
