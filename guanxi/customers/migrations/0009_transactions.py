"""Transactions (交易记录), and the history tables kept fast at ten million rows (see the models)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# PostgreSQL only (other databases keep the plain index of the model state, same name):
# - the customer index of transactions also carries kind and amount, so that the billing summary
#   of the 360 (sums per kind over one customer's whole ledger) is an index-only scan;
# - append-only tables are vacuumed after 2% new rows rather than 20%, which keeps their
#   visibility maps current and index-only scans free of heap visits.
TUNING = [
    ("DROP INDEX IF EXISTS transaction_customer_time",
     "CREATE INDEX transaction_customer_time ON customers_transaction (customer_id, occurred_at DESC) "
     "INCLUDE (kind, amount)"),
    ("ALTER TABLE customers_transaction SET (autovacuum_vacuum_insert_scale_factor = 0.02)", None),
    ("ALTER TABLE customers_interaction SET (autovacuum_vacuum_insert_scale_factor = 0.02)", None),
]
UNDO = [
    "DROP INDEX IF EXISTS transaction_customer_time",
    "CREATE INDEX transaction_customer_time ON customers_transaction (customer_id, occurred_at DESC)",
    "ALTER TABLE customers_transaction RESET (autovacuum_vacuum_insert_scale_factor)",
    "ALTER TABLE customers_interaction RESET (autovacuum_vacuum_insert_scale_factor)",
]


def postgres_tuning(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # CreateModel's indexes and foreign keys wait in deferred_sql until the migration ends: make
    # them now, so that the index replaced below exists.
    while schema_editor.deferred_sql:
        schema_editor.execute(schema_editor.deferred_sql.pop(0))
    for statement, then in TUNING:
        schema_editor.execute(statement)
        if then:
            schema_editor.execute(then)


def postgres_tuning_undo(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in UNDO:
            schema_editor.execute(statement)


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
        # external_id: unique where set, a partial index (most rows have none) and no LIKE index.
        migrations.AlterField(
            model_name='interaction',
            name='external_id',
            field=models.CharField(blank=True, help_text="the id in the source system, e.g. the call center's call id", max_length=100, null=True, verbose_name='external id'),
        ),
        migrations.AlterField(
            model_name='transaction',
            name='external_id',
            field=models.CharField(blank=True, help_text="the id in the source system, e.g. the billing system's bill number", max_length=100, null=True, verbose_name='external id'),
        ),
        migrations.AddConstraint(
            model_name='interaction',
            constraint=models.UniqueConstraint(condition=models.Q(('external_id__isnull', False)), fields=('external_id',), name='interaction_external_id_unique'),
        ),
        migrations.AddConstraint(
            model_name='transaction',
            constraint=models.UniqueConstraint(condition=models.Q(('external_id__isnull', False)), fields=('external_id',), name='transaction_external_id_unique'),
        ),
        migrations.AddConstraint(
            model_name='transaction',
            constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='transaction_amount_positive'),
        ),
        # Retention deletes (and period reports) find old contacts by time.
        migrations.AddIndex(
            model_name='interaction',
            index=models.Index(fields=['occurred_at'], name='interaction_time'),
        ),
        migrations.RunPython(postgres_tuning, postgres_tuning_undo, elidable=False),
    ]
