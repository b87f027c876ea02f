from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("customers", "0007_dedupe")]

    operations = []
