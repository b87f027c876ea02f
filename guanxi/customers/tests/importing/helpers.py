"""Files for the import tests."""

import csv

HEADER = ["类型", "姓名", "手机号码", "电子邮箱", "身份证号", "出生日期", "品牌", "月均消费", "生命周期", "省份",
          "城市", "区县", "详细地址", "座机", "标签"]
# Valid resident IDs (GB 11643 check digits).
IDS = ["11010519491231002X", "110105199003071239", "440106198507216540", "330106197311052310"]


def person(i: int, **changes) -> list[str]:
    row = {"类型": "个人", "姓名": f"客户{i}", "手机号码": f"1380{i:07d}", "电子邮箱": f"c{i}@example.com",
           "身份证号": "", "出生日期": "1990-01-01", "品牌": "", "月均消费": "58", "生命周期": "成熟期", "省份": "广东",
           "城市": "广州市", "区县": "天河区", "详细地址": f"体育西路{i}号", "座机": "", "标签": ""}
    row.update(changes)
    return [row[h] for h in HEADER]


def write_csv(path, rows, header=HEADER, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path
