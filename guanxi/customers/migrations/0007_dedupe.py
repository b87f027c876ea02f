from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("customers", "0006_org_name_search")]

    operations = []
