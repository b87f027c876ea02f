"""The seeded part and rule names read in Chinese only (they were bilingual: "主机 (main unit)");
a name or description an administrator has changed since is left as it is."""

from django.db import migrations

POLICY_NAMES = {
    "main_unit": ("主机 (main unit)", "主机"),
    "charger": ("充电器 (charger)", "充电器"),
    "battery": ("电池 (battery)", "电池"),
    "wired_headset": ("有线耳机 (wired headset)", "有线耳机"),
}

RULES = {
    # code: (seeded name, name, seeded description, description)
    "refund_days": ("退货期 refund window", "退货期",
                    "A performance fault at most this many days after the sale: refund, exchange or repair.",
                    "售出后不超过此天数出现性能故障：可退货、换货或修理。"),
    "exchange_days": ("换货期 exchange window", "换货期",
                      "A performance fault at most this many days after the sale: exchange or repair.",
                      "售出后不超过此天数出现性能故障：可换货或修理。"),
    "max_repairs": ("修理次数上限 repairs before exchange", "修理次数上限",
                    "Still faulty after this many repairs inside the period: exchange for the same model.",
                    "三包期内修理达到此次数仍有故障：调换同型号产品。"),
    "loaner_after_repair_days": ("备用机 loaner after", "备用机",
                                 "Main unit not repaired within this many days: a loaner is provided free.",
                                 "主机超过此天数未修好：免费提供备用机。"),
    "exchange_after_repair_days": ("超期换货 exchange after", "超期换货",
                                   "Main unit not repaired within this many days: exchanged free for the same model.",
                                   "主机超过此天数未修好：免费调换同型号产品。"),
    "min_working_days_after_repair": ("修后保用 working days after repair", "修后保用",
                                      "A repair must keep the product working at least this many days, even past "
                                      "the period.",
                                      "修理后须保证产品至少正常使用此天数，即使已过三包期。"),
    "depreciation_percent_per_day": ("折旧率 depreciation per day", "折旧率",
                                     "A refund the customer prefers to an exchange loses this share of the price "
                                     "per day of use.",
                                     "消费者放弃换货而要求退货时，按每使用一天扣除价格的此比例。"),
    "no_proof_fallback_days": ("无凭证起算 no-proof fallback", "无凭证起算",
                               "Without invoice or proof the period starts this many days after the factory date.",
                               "无发票或凭证时，三包期自出厂日期后此天数起算。"),
}


def _rename(apps, forward: bool):
    WarrantyPolicy = apps.get_model("warranty", "WarrantyPolicy")
    WarrantyRule = apps.get_model("warranty", "WarrantyRule")
    for code, (seeded, chinese) in POLICY_NAMES.items():
        old, new = (seeded, chinese) if forward else (chinese, seeded)
        WarrantyPolicy.objects.filter(code=code, name=old).update(name=new)
    for code, (seeded_name, name, seeded_text, text) in RULES.items():
        old_name, new_name = (seeded_name, name) if forward else (name, seeded_name)
        old_text, new_text = (seeded_text, text) if forward else (text, seeded_text)
        WarrantyRule.objects.filter(code=code, name=old_name).update(name=new_name)
        WarrantyRule.objects.filter(code=code, description=old_text).update(description=new_text)


def to_chinese(apps, schema_editor):
    _rename(apps, forward=True)


def to_bilingual(apps, schema_editor):
    _rename(apps, forward=False)


class Migration(migrations.Migration):
    dependencies = [("warranty", "0002_seed_policies_and_rules")]

    operations = [migrations.RunPython(to_chinese, to_bilingual)]
