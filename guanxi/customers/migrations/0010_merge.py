"""Merging duplicate customers: Customer.merged_into and the merge records that undo a merge."""

import django.core.serializers.json
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0009_transactions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CustomerMerge',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('merged_at', models.DateTimeField(db_index=True, verbose_name='merged at')),
                ('survivor_before', models.JSONField(encoder=django.core.serializers.json.DjangoJSONEncoder, verbose_name='survivor before')),
                ('survivor_after', models.JSONField(encoder=django.core.serializers.json.DjangoJSONEncoder, verbose_name='golden record')),
                ('merged_before', models.JSONField(encoder=django.core.serializers.json.DjangoJSONEncoder, verbose_name='merged record before')),
                ('moved', models.JSONField(default=dict, verbose_name='rows moved')),
                ('kept', models.JSONField(default=dict, verbose_name='rows left on the merged record')),
                ('added', models.JSONField(default=dict, verbose_name='rows added')),
                ('candidates', models.JSONField(default=dict, verbose_name='duplicate pairs changed')),
                ('field_choices', models.JSONField(default=dict, verbose_name='field choices')),
                ('undone_at', models.DateTimeField(blank=True, null=True, verbose_name='undone at')),
            ],
            options={
                'verbose_name': 'customer merge',
                'verbose_name_plural': 'customer merges',
                'ordering': ['-merged_at', '-id'],
            },
        ),
        migrations.AddField(
            model_name='customer',
            name='merged_into',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='merged_records', to='customers.customer', verbose_name='merged into'),
        ),
        migrations.AddField(
            model_name='historicalcustomer',
            name='merged_into',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='customers.customer', verbose_name='merged into'),
        ),
        migrations.AddIndex(
            model_name='customer',
            index=models.Index(condition=models.Q(('merged_into__isnull', False)), fields=['merged_into'], name='customer_merged_into'),
        ),
        migrations.AddField(
            model_name='customermerge',
            name='candidate',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='merges', to='customers.matchcandidate', verbose_name='duplicate candidate'),
        ),
        migrations.AddField(
            model_name='customermerge',
            name='merged',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='merges_as_merged', to='customers.customer', verbose_name='merged record'),
        ),
        migrations.AddField(
            model_name='customermerge',
            name='merged_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='merged by'),
        ),
        migrations.AddField(
            model_name='customermerge',
            name='survivor',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='merges_absorbed', to='customers.customer', verbose_name='survivor'),
        ),
        migrations.AddField(
            model_name='customermerge',
            name='undone_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='undone by'),
        ),
        migrations.AddIndex(
            model_name='customermerge',
            index=models.Index(fields=['survivor', '-merged_at'], name='customermerge_survivor'),
        ),
        migrations.AddIndex(
            model_name='customermerge',
            index=models.Index(fields=['merged', '-merged_at'], name='customermerge_merged'),
        ),
        migrations.AddConstraint(
            model_name='customermerge',
            constraint=models.CheckConstraint(condition=models.Q(('survivor', models.F('merged')), _negated=True), name='customermerge_not_self'),
        ),
        migrations.AddConstraint(
            model_name='customermerge',
            constraint=models.UniqueConstraint(condition=models.Q(('undone_at__isnull', True)), fields=('merged',), name='customermerge_one_active_per_merged'),
        ),
    ]
