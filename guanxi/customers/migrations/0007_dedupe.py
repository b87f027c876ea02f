"""Duplicate-customer detection: scans, candidate pairs (with history), trained models."""

import django.db.models.deletion
import guanxi.customers.models.dedupe
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0006_org_name_search'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DedupeScan',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='started at')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                ('status', models.CharField(choices=[('queued', 'queued'), ('running', 'running'), ('done', 'done'), ('failed', 'failed')], default='queued', max_length=10, verbose_name='status')),
                ('total', models.PositiveIntegerField(default=0, verbose_name='records scanned')),
                ('progress', models.PositiveSmallIntegerField(default=0, verbose_name='progress')),
                ('candidates_found', models.PositiveIntegerField(default=0, verbose_name='candidates found')),
                ('auto_merged', models.PositiveIntegerField(default=0, verbose_name='merged automatically')),
                ('threshold', models.FloatField(default=guanxi.customers.models.dedupe._default_review_threshold, verbose_name='review threshold')),
                ('auto_merge_threshold', models.FloatField(blank=True, null=True, verbose_name='auto-merge threshold')),
                ('error', models.TextField(blank=True, verbose_name='error')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
            ],
            options={
                'verbose_name': 'duplicate scan',
                'verbose_name_plural': 'duplicate scans',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='DedupeModel',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('settings', models.JSONField(verbose_name='model settings')),
                ('records', models.PositiveIntegerField(default=0, verbose_name='records trained on')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('scan', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='customers.dedupescan', verbose_name='scan')),
            ],
            options={
                'verbose_name': 'duplicate model',
                'verbose_name_plural': 'duplicate models',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalMatchCandidate',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('probability', models.FloatField(verbose_name='match probability')),
                ('match_weight', models.FloatField(verbose_name='match weight')),
                ('reasons', models.JSONField(blank=True, default=list, verbose_name='reasons')),
                ('status', models.CharField(choices=[('pending', 'pending'), ('merged', 'merged'), ('dismissed', 'dismissed')], default='pending', max_length=10, verbose_name='status')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
                ('created_at', models.DateTimeField(blank=True, editable=False)),
                ('updated_at', models.DateTimeField(blank=True, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('decided_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('left', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='customers.customer', verbose_name='customer A')),
                ('right', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='customers.customer', verbose_name='customer B')),
                ('scan', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='customers.dedupescan', verbose_name='scan')),
            ],
            options={
                'verbose_name': 'historical duplicate candidate',
                'verbose_name_plural': 'historical duplicate candidates',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='MatchCandidate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('probability', models.FloatField(verbose_name='match probability')),
                ('match_weight', models.FloatField(verbose_name='match weight')),
                ('reasons', models.JSONField(blank=True, default=list, verbose_name='reasons')),
                ('status', models.CharField(choices=[('pending', 'pending'), ('merged', 'merged'), ('dismissed', 'dismissed')], default='pending', max_length=10, verbose_name='status')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by')),
                ('left', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='customers.customer', verbose_name='customer A')),
                ('right', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='customers.customer', verbose_name='customer B')),
                ('scan', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='candidates', to='customers.dedupescan', verbose_name='scan')),
            ],
            options={
                'verbose_name': 'duplicate candidate',
                'verbose_name_plural': 'duplicate candidates',
                'ordering': ['-probability', 'id'],
            },
        ),
        migrations.AddConstraint(
            model_name='dedupescan',
            constraint=models.CheckConstraint(condition=models.Q(('progress__lte', 100)), name='dedupescan_progress_max_100'),
        ),
        migrations.AddIndex(
            model_name='matchcandidate',
            index=models.Index(fields=['status', '-probability'], name='matchcandidate_status_prob'),
        ),
        migrations.AddConstraint(
            model_name='matchcandidate',
            constraint=models.CheckConstraint(condition=models.Q(('left__lt', models.F('right'))), name='matchcandidate_left_lt_right'),
        ),
        migrations.AddConstraint(
            model_name='matchcandidate',
            constraint=models.UniqueConstraint(fields=('left', 'right'), name='matchcandidate_pair_unique'),
        ),
    ]
