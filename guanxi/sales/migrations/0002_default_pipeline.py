"""The default pipeline on a new database (kept for databases migrated before `guanxi.sales.defaults`,
which fills it after every migrate and test flush)."""

from django.db import migrations

STAGES = (  # name, order, probability, won, lost
    ("初步接洽", 10, 10, False, False),
    ("需求确认", 20, 25, False, False),
    ("方案报价", 30, 50, False, False),
    ("商务谈判", 40, 75, False, False),
    ("赢单", 90, 100, True, False),
    ("丢单", 99, 0, False, True),
)
REASONS = (
    ("won", "价格有竞争力"), ("won", "网络质量好"), ("won", "客户关系稳固"), ("won", "方案贴合需求"),
    ("lost", "价格偏高"), ("lost", "竞争对手抢单"), ("lost", "客户预算取消"), ("lost", "覆盖或技术不满足"),
    ("lost", "跟进不及时"),
)
CHANNELS = (("direct", "直销", 10), ("outlet", "营业厅", 20), ("telesales", "电话销售", 30),
            ("partner", "代理商", 40), ("online", "线上", 50))


def seed(apps, schema_editor):
    Stage = apps.get_model("sales", "OpportunityStage")
    Reason = apps.get_model("sales", "DealReason")
    Channel = apps.get_model("sales", "SalesChannel")
    Settings = apps.get_model("sales", "SalesSettings")
    for name, order, probability, won, lost in STAGES:
        Stage.objects.get_or_create(name=name, defaults={"order": order, "probability": probability,
                                                         "is_won": won, "is_lost": lost})
    for kind, name in REASONS:
        Reason.objects.get_or_create(kind=kind, name=name)
    for code, name, order in CHANNELS:
        Channel.objects.get_or_create(code=code, defaults={"name": name, "order": order})
    if not Settings.objects.exists():
        Settings.objects.create(big_deal_amount=500_000)


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
