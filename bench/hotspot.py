"""`guanxi bench hotspot`: hotspot analysis over a million cases' Chinese text (PostgreSQL).

Loads `--cases` consultations, queries and complaints over the last `--weeks` weeks inside
PostgreSQL (`INSERT … SELECT generate_series`, seeded): free text assembled from subjects, places,
products, problems, requests and an 11-digit phone number, so most texts are distinct, spread over
the four business roots and the existing teams; plus a planted story (华星X1 battery swelling, 3 %
of a week's volume) in the week five weeks before today. Then times one analysis end to end
(`hotspot_run_create`: read, keywords, topics, spikes, drill-down rows written) and reports whether
the planted week's spike was found, with the table's rows and size and the load average."""

from __future__ import annotations

import datetime as dt
import os
import time

from django.db import connection, transaction
from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.analytics.hotspot.services import hotspot_run_create
from guanxi.servicedesk.models import TicketCategory

PREFIX = "HS"
SUBJECTS = tuple((
    "宽带无法上网 手机信号差 话费账单有疑问 套餐变更咨询 光猫指示灯红灯 充值未到账 流量扣费异常 "
    "国际漫游开通 携号转网咨询 发票开具 机顶盒无信号 合约期咨询 停机复机 实名认证失败 "
    "营业员服务态度 装机预约 移机申请 积分兑换 增值业务退订 网速慢"
).split())
PLACES = tuple((
    "家里 小区地下室 办公室 高铁上 地铁站 学校宿舍 商场 老家农村 出差酒店 工厂车间 医院 停车场 "
    "写字楼电梯 郊区别墅 海外"
).split())
PRODUCTS = tuple((
    "华星X1 华星X1Pro 明越A5 明越F9 5G畅享套餐 4G飞享套餐 千兆宽带 魔百和 亲情网 视频彩铃 "
    "国际漫游包 企业宽带"
).split())
PROBLEMS = tuple((
    "频繁掉线 网速很慢 扣费异常 信号很弱 无法充值 无法开具电子发票 套餐资费不清楚 合约期未告知 "
    "携号转网被拒 停机后无法复机 实名认证总是失败 营业员态度差 装机迟迟没人上门 移机要等一周 "
    "积分无法兑换 视频彩铃被自动订购 流量超出套餐 国际漫游无法使用 详单与实际不符 光猫频繁重启 "
    "机顶盒遥控器失灵 通话有杂音 短信收不到 验证码延迟 宽带账号被锁 账单金额翻倍 优惠未生效 "
    "退订后仍扣费 客服热线打不通 上门工程师迟到"
).split())
REQUESTS = tuple((
    "要求尽快处理 要求退费 希望给出解释 要求上门检修 要求按三包换货 希望升级套餐 要求补偿 "
    "希望回电说明 要求取消业务 希望改到周末"
).split())
ROOTS = ("宽带", "移动业务", "账单与缴费", "终端维修")
STORY = ("华星X1手机电池鼓包", "客户的华星X1手机电池鼓包，续航不足半天，充电发烫，要求按三包换货")
TYPES = ("consultation", "query", "complaint")


def _load_average() -> list[float]:
    return [round(x, 1) for x in os.getloadavg()]


def _categories() -> list[int]:
    return [TicketCategory.objects.get_or_create(name=name, parent=None)[0].pk for name in ROOTS]


def load(*, cases: int, weeks: int, seed: int, today: dt.date) -> dict:
    """Replace the bench's cases; returns the planted week's Monday and the rows loaded."""
    planted = today - dt.timedelta(days=today.weekday(), weeks=5)
    story = int(cases / weeks * 0.03)
    end = timezone.make_aware(dt.datetime.combine(today, dt.time(12)))
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute("DELETE FROM analytics_hotspotcase")
        cursor.execute("DELETE FROM servicedesk_ticket WHERE number LIKE %s", [f"{PREFIX}%"])
        cursor.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
        cursor.execute("""
            INSERT INTO servicedesk_ticket (number, subject, description, type, channel, priority, status,
                customer_tier, reopen_count, created_at, updated_at, category_id, team_id)
            SELECT %(prefix)s || g, s.subject,
                   '客户反映在' || s.place || '使用' || s.product || '时' || s.problem || '，' || s.request
                       || '，联系电话1' || lpad((floor(random() * 1e10))::bigint::text, 10, '0'),
                   s.type, 'hotline', 2, 'resolved', 'small', 0, s.at, s.at, s.category, s.team
            FROM generate_series(1, %(cases)s) g
            CROSS JOIN LATERAL (SELECT
                (%(subjects)s::text[])[1 + floor(random() * %(n_subjects)s)::int] AS subject,
                (%(places)s::text[])[1 + floor(random() * %(n_places)s)::int] AS place,
                (%(products)s::text[])[1 + floor(random() * %(n_products)s)::int] AS product,
                (%(problems)s::text[])[1 + floor(random() * %(n_problems)s)::int] AS problem,
                (%(requests)s::text[])[1 + floor(random() * %(n_requests)s)::int] AS request,
                (%(types)s::text[])[1 + floor(random() * 3)::int] AS type,
                (%(categories)s::int[])[1 + floor(random() * 4)::int] AS category,
                (SELECT id FROM accounts_team ORDER BY id OFFSET floor(random() * 5)::int LIMIT 1) AS team,
                %(end)s::timestamptz - random() * %(days)s * interval '1 day' AS at
                WHERE g > 0) s
        """, {"prefix": PREFIX, "cases": cases, "subjects": list(SUBJECTS), "n_subjects": len(SUBJECTS),
              "places": list(PLACES), "n_places": len(PLACES), "products": list(PRODUCTS),
              "n_products": len(PRODUCTS), "problems": list(PROBLEMS), "n_problems": len(PROBLEMS),
              "requests": list(REQUESTS), "n_requests": len(REQUESTS), "types": list(TYPES),
              "categories": _categories(), "end": end, "days": weeks * 7 - 1})
        cursor.execute("""
            INSERT INTO servicedesk_ticket (number, subject, description, type, channel, priority, status,
                customer_tier, reopen_count, created_at, updated_at, category_id)
            SELECT %(prefix)s || 'S' || g, %(subject)s,
                   %(description)s || '，联系电话1' || lpad((floor(random() * 1e10))::bigint::text, 10, '0'),
                   'complaint', 'hotline', 3, 'resolved', 'small', 0, at, at, %(category)s
            FROM generate_series(1, %(story)s) g,
                 LATERAL (SELECT %(monday)s::timestamptz + random() * interval '7 days' AS at WHERE g > 0) t
        """, {"prefix": PREFIX, "subject": STORY[0], "description": STORY[1], "story": story,
              "category": _categories()[3], "monday": timezone.make_aware(dt.datetime.combine(planted, dt.time()))})
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE servicedesk_ticket")
    return {"planted_week": planted.isoformat(), "planted_cases": story, "cases": cases,
            "load_seconds": round(time.perf_counter() - started, 1)}


def table_sizes() -> dict:
    sizes = {}
    with connection.cursor() as cursor:
        for table in ("servicedesk_ticket", "analytics_hotspotcase"):
            cursor.execute(f"SELECT COUNT(*), pg_size_pretty(pg_total_relation_size('{table}')) FROM {table}")
            rows, size = cursor.fetchone()
            sizes[table] = {"rows": rows, "size": size}
    return sizes


def run(*, cases: int, weeks: int, seed: int, prepare: bool = True) -> dict:
    if connection.vendor != "postgresql":
        raise SystemExit("bench hotspot needs PostgreSQL")
    today = timezone.localdate()
    result = {"load_average_before": _load_average()}
    if prepare:
        result["load"] = load(cases=cases, weeks=weeks, seed=seed, today=today)
    planted = today - dt.timedelta(days=today.weekday(), weeks=5)
    started = time.perf_counter()
    run_ = hotspot_run_create(actor=SYSTEM, start=today - dt.timedelta(weeks=weeks) + dt.timedelta(days=1), end=today)
    seconds = time.perf_counter() - started
    spikes = [s for s in run_.result["spikes"] if s["week"] == planted.isoformat()]
    story_topics = [t["id"] for t in run_.result["topics"] if "电池鼓包" in t["terms"]]
    result["analysis"] = {
        "seconds": round(seconds, 1), "target_seconds": 120, "load_average": _load_average(),
        "stages": run_.result["seconds"],
        "cases": run_.documents, "distinct_texts": run_.result["distinct_texts"],
        "topics": [t["label"] for t in run_.result["topics"]], "spikes": len(run_.result["spikes"]),
    }
    result["quality"] = {
        "planted_week": planted.isoformat(),
        "keyword_spike_found": any(s["kind"] == "keyword" and s["key"] == "电池鼓包" for s in spikes),
        "topic_spike_found": any(s["kind"] == "topic" and s["key"] in story_topics for s in spikes),
        "spikes_in_other_weeks": sum(1 for s in run_.result["spikes"] if s["week"] != planted.isoformat()),
    }
    result["tables"] = table_sizes()
    return result
