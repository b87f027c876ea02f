"""Seed the 三包 part periods and the rules' numbers (SPEC E.7); administrators edit them later."""

from decimal import Decimal

from django.db import migrations

POLICIES = [
    # code, name, period value, unit, main unit
    ("main_unit", "主机 (main unit)", 12, "months", True),
    ("charger", "充电器 (charger)", 12, "months", False),
    ("battery", "电池 (battery)", 6, "months", False),
    ("wired_headset", "有线耳机 (wired headset)", 3, "months", False),
]

RULES = [
    # code (= engine.RuleParameters field), name, value, unit, description
    ("refund_days", "退货期 refund window", "7", "days",
     "A performance fault at most this many days after the sale: refund, exchange or repair."),
    ("exchange_days", "换货期 exchange window", "15", "days",
     "A performance fault at most this many days after the sale: exchange or repair."),
    ("max_repairs", "修理次数上限 repairs before exchange", "2", "repairs",
     "Still faulty after this many repairs inside the period: exchange for the same model."),
    ("loaner_after_repair_days", "备用机 loaner after", "7", "days",
     "Main unit not repaired within this many days: a loaner is provided free."),
    ("exchange_after_repair_days", "超期换货 exchange after", "30", "days",
     "Main unit not repaired within this many days: exchanged free for the same model."),
    ("min_working_days_after_repair", "修后保用 working days after repair", "30", "days",
     "A repair must keep the product working at least this many days, even past the period."),
    ("depreciation_percent_per_day", "折旧率 depreciation per day", "0.5", "%",
     "A refund the customer prefers to an exchange loses this share of the price per day of use."),
    ("no_proof_fallback_days", "无凭证起算 no-proof fallback", "90", "days",
     "Without invoice or proof the period starts this many days after the factory date."),
]


def seed(apps, schema_editor):
    WarrantyPolicy = apps.get_model("warranty", "WarrantyPolicy")
    WarrantyRule = apps.get_model("warranty", "WarrantyRule")
    for code, name, value, unit, is_main_unit in POLICIES:
        WarrantyPolicy.objects.get_or_create(
            code=code, defaults={"name": name, "period_value": value, "period_unit": unit, "is_main_unit": is_main_unit})
    for code, name, value, unit, description in RULES:
        WarrantyRule.objects.get_or_create(
            code=code, defaults={"name": name, "value": Decimal(value), "unit": unit, "description": description})


def unseed(apps, schema_editor):
    apps.get_model("warranty", "WarrantyPolicy").objects.filter(code__in=[p[0] for p in POLICIES],
                                                                parts__isnull=True).delete()
    apps.get_model("warranty", "WarrantyRule").objects.filter(code__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("warranty", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
