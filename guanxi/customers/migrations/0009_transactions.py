import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('customers', '0008_imports'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Transaction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('order', 'Order'), ('bill', 'Bill'), ('payment', 'Payment'), ('refund', 'Refund')], max_length=10, verbose_name='kind')),
                ('occurred_at', models.DateTimeField(verbose_name='when')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='amount')),
                ('channel', models.CharField(blank=True, choices=[('call', 'Phone call'), ('visit', 'Visit'), ('outlet', 'Outlet visit'), ('email', 'E-mail'), ('sms', 'SMS'), ('wechat', 'WeChat'), ('web', 'Web')], max_length=10, verbose_name='channel')),
                ('description', models.CharField(blank=True, max_length=200, verbose_name='description')),
                ('external_id', models.CharField(blank=True, help_text="the id in the source system, e.g. the billing system's bill number", max_length=100, null=True, unique=True, verbose_name='external id')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('customer', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='transactions', to='customers.customer')),
                ('staff', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='staff')),
                ('team', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.team', verbose_name='department')),
            ],
            options={
                'verbose_name': 'transaction',
                'verbose_name_plural': 'transactions',
                'ordering': ['-occurred_at', '-id'],
                'indexes': [models.Index(fields=['customer', '-occurred_at'], name='transaction_customer_time'), models.Index(fields=['occurred_at'], name='transaction_time')],
            },
        ),
    ]
