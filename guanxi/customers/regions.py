"""Province-level divisions of China (省级行政区), used to validate addresses."""

PROVINCES = (
    "北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省",
    "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省",
    "广东省", "海南省", "四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省", "台湾省",
    "内蒙古自治区", "广西壮族自治区", "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区",
    "香港特别行政区", "澳门特别行政区",
)
_BY_SHORT = {p.removesuffix("省").removesuffix("市").removesuffix("自治区"): p for p in PROVINCES}
_BY_SHORT.update({"内蒙古": "内蒙古自治区", "广西": "广西壮族自治区", "西藏": "西藏自治区",
                  "宁夏": "宁夏回族自治区", "新疆": "新疆维吾尔自治区", "香港": "香港特别行政区",
                  "澳门": "澳门特别行政区"})


def province_normalize(value: str) -> str | None:
    """The full official name of a province written in full or short form (广东 → 广东省)."""
    value = (value or "").strip()
    if value in PROVINCES:
        return value
    return _BY_SHORT.get(value)
