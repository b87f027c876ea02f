"""Demo catalogue of 华星通信: its own and partner phones with their parts, accessories and home
devices, mobile plans, broadband, IPTV, fixed line and the enterprise lines (private lines, cloud,
IoT), with list prices that changed over the last two years. The plans and services carry the names
the demo customers' holdings use; the phones are the ones the warranty demo sells. Registered in
`CatalogConfig.ready()` (before the warranty step), run by `guanxi demo`."""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from guanxi.accounts.demo import DemoStaff

from . import selectors, services
from .models import Kind, PriceUnit

P, S, PLAN = Kind.PRODUCT, Kind.SERVICE, Kind.PLAN
ONCE, MONTHLY = PriceUnit.ONE_OFF, PriceUnit.MONTHLY
PHONE_PARTS = (("main_unit", "主机"), ("screen", "屏幕"), ("mainboard", "主板"), ("battery", "电池"),
               ("charger", "充电器"), ("wired_headset", "有线耳机"))
HOME_DEVICE_PARTS = (("main_unit", "主机"), ("power_adapter", "电源适配器"), ("remote", "遥控器"))
# model code, name, kind, brand, category code, unit, launch price, later price (None: unchanged), parts
CATALOGUE = (
    ("HX-X1", "华星 X1 5G 手机", P, "华星", "phone", ONCE, 1999, 1599, PHONE_PARTS),
    ("HX-X1P", "华星 X1 Pro 5G 手机", P, "华星", "phone", ONCE, 4599, 3999, PHONE_PARTS),
    ("MY-A5", "明越 A5 手机", P, "明越", "phone", ONCE, 1299, 999, PHONE_PARTS),
    ("MY-F9", "明越 F9 折叠屏手机", P, "明越", "phone", ONCE, 8999, None, PHONE_PARTS),
    ("HX-C65W", "华星 65W 快充充电器", P, "华星", "accessory", ONCE, 129, 99, ()),
    ("HX-BUDS2", "华星 Buds 2 无线耳机", P, "华星", "accessory", ONCE, 399, None, ()),
    ("HX-ONT-10G", "华星 万兆光猫", P, "华星", "home_device", ONCE, 399, None, HOME_DEVICE_PARTS[:2]),
    ("HX-STB-4K", "华星 4K 机顶盒", P, "华星", "home_device", ONCE, 299, None, HOME_DEVICE_PARTS),
    ("PLAN-5G-EN", "5G畅享套餐", PLAN, "", "mobile_plan", MONTHLY, 128, None, ()),
    ("PLAN-4G-FX", "4G飞享套餐", PLAN, "", "mobile_plan", MONTHLY, 38, 28, ()),
    ("PACK-ROAM", "国际漫游包", S, "", "data_pack", MONTHLY, 98, 68, ()),
    ("SVC-FAMILY", "亲情网", S, "", "mobile_plan", MONTHLY, 10, 0, ()),
    ("SVC-VRBT", "视频彩铃", S, "", "mobile_plan", MONTHLY, 10, None, ()),
    ("BB-500M", "家庭宽带 500M", S, "", "broadband", MONTHLY, 100, 80, ()),
    ("BB-1000M", "家庭宽带 千兆", S, "", "broadband", MONTHLY, 199, 149, ()),
    ("BB-INSTALL", "宽带上门安装", S, "", "broadband", ONCE, 100, None, ()),
    ("IPTV-MBH", "魔百和 IPTV", S, "", "iptv", MONTHLY, 20, None, ()),
    ("FIX-HOME", "家庭固话", S, "", "fixed_line", MONTHLY, 15, 12, ()),
    ("ENT-BB", "企业宽带", S, "", "broadband", MONTHLY, 600, None, ()),
    ("ENT-LINE-100M", "集团专线 100M", S, "", "dedicated_line", MONTHLY, 4500, 3800, ()),
    ("ENT-VNET", "集团V网", S, "", "ict", MONTHLY, 500, None, ()),
    ("ENT-400", "400 热线", S, "", "ict", MONTHLY, 800, None, ()),
    ("CLOUD-ECS", "云主机", S, "", "cloud", MONTHLY, 1200, 980, ()),
    ("IOT-CARD", "物联网卡", S, "", "ict", MONTHLY, 600, None, ()),
)


def catalog_demo_load(*, seed: int, scale: float, staff: DemoStaff, customers: list[int],
                      now: dt.datetime | None = None) -> str:
    """The catalogue above (products that exist are left as they are), prices from about two years
    ago and, for most, a change within the last year; one old model deactivated."""
    rng = random.Random(seed + 10)  # nosec B311  # demo/sample data, not security: seeded random for repeatable demo figures
    today = timezone.localdate(now or timezone.now())
    admin = staff.admin
    made = 0
    for code, name, kind, brand, category, unit, launch, later, parts in CATALOGUE:
        if selectors.product_by_code(model_code=code) is not None:
            continue
        product = services.product_create(actor=admin, model_code=code, name=name, kind=kind, brand=brand,
                                          category=selectors.category_by_label(category))
        services.price_set(actor=admin, product=product, amount=Decimal(launch), unit=unit,
                           effective_from=today - dt.timedelta(days=rng.randint(600, 730)))
        if later is not None:
            services.price_set(actor=admin, product=product, amount=Decimal(later), unit=unit,
                               effective_from=today - dt.timedelta(days=rng.randint(30, 330)))
        for part_code, part_name in parts:
            services.part_add(actor=admin, product=product, code=part_code, name=part_name)
        made += 1
    retired = selectors.product_by_code(model_code="PLAN-4G-FX")
    if made and retired is not None:
        services.product_set_active(actor=admin, product=retired, active=False)  # 4G plans no longer sold
    return f"{made} products and services"
