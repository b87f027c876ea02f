# Customer imports: remembered column mappings and import jobs.

import django.db.models.deletion
import guanxi.customers.models.imports
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0007_dedupe'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalImportMapping',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('created_at', models.DateTimeField(blank=True, db_index=True, editable=False)),
                ('updated_at', models.DateTimeField(blank=True, editable=False)),
                ('source', models.CharField(db_index=True, max_length=100, verbose_name='source')),
                ('mapping', models.JSONField(default=dict, verbose_name='column mapping')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('created_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical import mapping',
                'verbose_name_plural': 'historical import mappings',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='ImportMapping',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('source', models.CharField(max_length=100, unique=True, verbose_name='source')),
                ('mapping', models.JSONField(default=dict, verbose_name='column mapping')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
            ],
            options={
                'verbose_name': 'import mapping',
                'verbose_name_plural': 'import mappings',
                'ordering': ['source'],
            },
        ),
        migrations.CreateModel(
            name='ImportJob',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('source', models.CharField(blank=True, max_length=100, verbose_name='source')),
                ('file', models.FileField(blank=True, max_length=200, upload_to=guanxi.customers.models.imports.import_upload_to, verbose_name='file')),
                ('original_name', models.CharField(max_length=255, verbose_name='file name')),
                ('size_bytes', models.BigIntegerField(default=0, verbose_name='size (bytes)')),
                ('file_format', models.CharField(blank=True, max_length=10, verbose_name='format')),
                ('encoding', models.CharField(blank=True, max_length=20, verbose_name='encoding detected')),
                ('sheet', models.CharField(blank=True, max_length=100, verbose_name='sheet')),
                ('headers', models.JSONField(default=list, verbose_name='columns in the file')),
                ('mapping', models.JSONField(default=dict, verbose_name='column mapping')),
                ('status', models.CharField(choices=[('uploaded', 'Uploaded'), ('validating', 'Validating'), ('validated', 'Validated'), ('importing', 'Importing'), ('done', 'Done'), ('failed', 'Failed')], default='uploaded', max_length=12, verbose_name='status')),
                ('dry_run', models.BooleanField(default=False, help_text='validate only; the import is committed separately', verbose_name='dry run')),
                ('language', models.CharField(blank=True, max_length=10)),
                ('total_rows', models.PositiveIntegerField(default=0, verbose_name='rows')),
                ('processed_rows', models.PositiveIntegerField(default=0, verbose_name='rows processed')),
                ('created_count', models.PositiveIntegerField(default=0, verbose_name='customers created')),
                ('error_count', models.PositiveIntegerField(default=0, verbose_name='rows with errors')),
                ('existing_match_count', models.PositiveIntegerField(default=0, verbose_name='rows matching existing customers')),
                ('file_duplicate_count', models.PositiveIntegerField(default=0, verbose_name='duplicate rows in the file')),
                ('errors', models.JSONField(blank=True, default=list, verbose_name='row errors')),
                ('duplicates', models.JSONField(blank=True, default=list, verbose_name='duplicate check')),
                ('message', models.TextField(blank=True, verbose_name='message')),
                ('message_detail', models.JSONField(blank=True, default=dict, editable=False)),
                ('report', models.FileField(blank=True, max_length=200, upload_to=guanxi.customers.models.imports.import_report_to, verbose_name='report')),
                ('work_dir', models.CharField(blank=True, editable=False, max_length=500)),
                ('first_customer_id', models.BigIntegerField(blank=True, null=True)),
                ('last_customer_id', models.BigIntegerField(blank=True, null=True)),
                ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='started')),
                ('validated_at', models.DateTimeField(blank=True, null=True, verbose_name='validated')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
                ('created_by', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='imported by')),
            ],
            options={
                'verbose_name': 'customer import',
                'verbose_name_plural': 'customer imports',
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['created_by', '-created_at'], name='importjob_user_created')],
            },
        ),
    ]
