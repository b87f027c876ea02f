"""One default address per customer: earlier merges left some customers with two. The repair
keeps the lowest-numbered default (the survivor's own, which existed before the merged record's
moved in) and makes the others ordinary addresses; then a partial unique index holds the rule."""

from django.db import migrations, models
from django.db.models import Count, Min


def keep_one_default(apps, schema_editor):
    Address = apps.get_model("customers", "Address")
    doubled = (Address.objects.filter(is_default=True).values("customer_id")
               .annotate(n=Count("id"), keep=Min("id")).filter(n__gt=1))
    for row in doubled.iterator():
        (Address.objects.filter(customer_id=row["customer_id"], is_default=True)
         .exclude(pk=row["keep"]).update(is_default=False))


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0010_merge"),
    ]

    operations = [
        migrations.RunPython(keep_one_default, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="address",
            constraint=models.UniqueConstraint(condition=models.Q(("is_default", True)), fields=("customer",),
                                               name="address_one_default_per_customer"),
        ),
    ]
