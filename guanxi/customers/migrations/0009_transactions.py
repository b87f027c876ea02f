from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("customers", "0008_imports")]

    operations = []
