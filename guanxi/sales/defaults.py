"""A working pipeline from the first day: stages with win probabilities, won and lost reasons, sales
channels (销售方式) and the settings row. Managers change them afterwards.

Filled after every migrate (and after a test database is flushed), each table only while it is empty,
so a manager's changes are never undone."""

from django.db import transaction

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


def ensure_default_pipeline(*, using: str = "default", **kwargs) -> None:
    from .models import DealReason, OpportunityStage, SalesChannel, SalesSettings

    with transaction.atomic(using=using):
        if not OpportunityStage.objects.using(using).exists():
            OpportunityStage.objects.using(using).bulk_create(
                OpportunityStage(name=name, order=order, probability=probability, is_won=won, is_lost=lost)
                for name, order, probability, won, lost in STAGES)
        if not DealReason.objects.using(using).exists():
            DealReason.objects.using(using).bulk_create(DealReason(kind=kind, name=name) for kind, name in REASONS)
        if not SalesChannel.objects.using(using).exists():
            SalesChannel.objects.using(using).bulk_create(
                SalesChannel(code=code, name=name, order=order) for code, name, order in CHANNELS)
        if not SalesSettings.objects.using(using).exists():
            SalesSettings.objects.using(using).create(big_deal_amount=500_000)
