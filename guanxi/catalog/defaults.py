"""The category tree of a telecom operator that sells its own devices (产品分类), there from the first
day. Administrators edit the tree afterwards.

Filled after every migrate (and after a test database is flushed) while the table is empty, so an
administrator's changes are never undone."""

from django.db import transaction

# code, name, parent code (parents first)
TREE = (
    ("terminals", "终端设备", None),
    ("phone", "手机", "terminals"),
    ("accessory", "配件", "terminals"),
    ("home_device", "家庭终端", "terminals"),
    ("mobile", "移动业务", None),
    ("mobile_plan", "移动套餐", "mobile"),
    ("data_pack", "流量包", "mobile"),
    ("home", "家庭业务", None),
    ("broadband", "宽带", "home"),
    ("iptv", "IPTV", "home"),
    ("fixed_line", "固话", "home"),
    ("enterprise", "政企业务", None),
    ("cloud", "云服务", "enterprise"),
    ("ict", "ICT解决方案", "enterprise"),
    ("dedicated_line", "专线", "enterprise"),
)


def ensure_default_categories(*, using: str = "default", **kwargs) -> None:
    from .models import Category

    categories = Category.objects.using(using)
    with transaction.atomic(using=using):
        if categories.exists():
            return
        created: dict[str, Category] = {}
        for code, name, parent in TREE:
            created[code] = categories.create(code=code, name=name, parent=created.get(parent))
