"""Scheduled reports of saved explorer views, data-mining analyses and the CRM quality assessment,
daily too; each recipient's own files (ReportFile). The PDF of a delivery sent before becomes each
of its recipients' file, then the column goes."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _pdfs_to_files(apps, schema_editor):
    delivery_model = apps.get_model("analytics", "ReportDelivery")
    file_model = apps.get_model("analytics", "ReportFile")
    user_model = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    for delivery in delivery_model.objects.select_related("subscription").iterator(chunk_size=200):
        data = bytes(delivery.pdf or b"")
        if not data:
            continue
        name = f"{delivery.subscription.kind}-{delivery.period_start:%Y%m%d}.pdf"
        users = user_model.objects.filter(username__in=delivery.recipients or [])
        file_model.objects.bulk_create([file_model(delivery=delivery, recipient=user, filename=name,
                                                   content_type="application/pdf", content=data, size=len(data))
                                        for user in users])


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0005_hotspot_reports'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalreportsubscription',
            name='analysis',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='analytics.mininganalysis', verbose_name='data-mining analysis'),
        ),
        migrations.AddField(
            model_name='historicalreportsubscription',
            name='explorer_view',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='analytics.explorerview', verbose_name='saved explorer view'),
        ),
        migrations.AddField(
            model_name='historicalreportsubscription',
            name='stopped_reason',
            field=models.CharField(blank=True, max_length=300, verbose_name='why it stopped'),
        ),
        migrations.AddField(
            model_name='reportdelivery',
            name='skipped',
            field=models.JSONField(default=list, help_text='[{user, reason}]', verbose_name='not sent to'),
        ),
        migrations.AddField(
            model_name='reportsubscription',
            name='analysis',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='report_subscriptions', to='analytics.mininganalysis', verbose_name='data-mining analysis'),
        ),
        migrations.AddField(
            model_name='reportsubscription',
            name='explorer_view',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='report_subscriptions', to='analytics.explorerview', verbose_name='saved explorer view'),
        ),
        migrations.AddField(
            model_name='reportsubscription',
            name='stopped_reason',
            field=models.CharField(blank=True, max_length=300, verbose_name='why it stopped'),
        ),
        migrations.AlterField(
            model_name='historicalreportsubscription',
            name='cadence',
            field=models.CharField(choices=[('daily', 'Daily'), ('weekly', 'Weekly'), ('monthly', 'Monthly')], default='weekly', max_length=10, verbose_name='cadence'),
        ),
        migrations.AlterField(
            model_name='historicalreportsubscription',
            name='kind',
            field=models.CharField(choices=[('hotspot', 'Hotspot report'), ('dashboard', 'Executive dashboard summary'), ('explorer_view', 'Saved explorer view'), ('mining', 'Data-mining analysis'), ('quality', 'CRM quality assessment')], max_length=20, verbose_name='report'),
        ),
        migrations.AlterField(
            model_name='reportsubscription',
            name='cadence',
            field=models.CharField(choices=[('daily', 'Daily'), ('weekly', 'Weekly'), ('monthly', 'Monthly')], default='weekly', max_length=10, verbose_name='cadence'),
        ),
        migrations.AlterField(
            model_name='reportsubscription',
            name='kind',
            field=models.CharField(choices=[('hotspot', 'Hotspot report'), ('dashboard', 'Executive dashboard summary'), ('explorer_view', 'Saved explorer view'), ('mining', 'Data-mining analysis'), ('quality', 'CRM quality assessment')], max_length=20, verbose_name='report'),
        ),
        migrations.CreateModel(
            name='ReportFile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('filename', models.CharField(max_length=150, verbose_name='file name')),
                ('content_type', models.CharField(max_length=100, verbose_name='content type')),
                ('content', models.BinaryField()),
                ('size', models.PositiveIntegerField(default=0, verbose_name='size')),
                ('delivery', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='files', to='analytics.reportdelivery')),
                ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'scheduled report file',
                'verbose_name_plural': 'scheduled report files',
                'indexes': [models.Index(fields=['recipient', '-id'], name='analytics_report_file_user')],
                'constraints': [models.UniqueConstraint(fields=('delivery', 'recipient', 'filename'), name='analytics_report_file_unique')],
            },
        ),
        migrations.RunPython(_pdfs_to_files, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField(
            model_name='reportdelivery',
            name='pdf',
        ),
    ]
