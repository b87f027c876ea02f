"""Short English words with two meanings get a context each, so each reads right in Chinese."""

import pytest
from django.utils import translation

from guanxi.analytics.models import HotspotRun, MiningAnalysis, WarehouseRefresh
from guanxi.customers.enums import AddressKind, LifecycleStage
from guanxi.privacy.models import RetentionRun
from guanxi.segments.enums import RunStatus, ServiceLevel
from guanxi.servicedesk.enums import TicketStatus
from guanxi.servicedesk.models import Article
from guanxi.surveys.enums import ActionStatus
from guanxi.warranty.models import RepairRecord


@pytest.mark.parametrize(("label", "chinese"), [
    (lambda: TicketStatus.NEW.label, "新建"),  # a case's status, not the customer stage
    (lambda: LifecycleStage.NEW.label, "新客户"),
    (lambda: AddressKind.HOME.label, "住宅地址"),  # an address, not the home page
    (lambda: AddressKind.BILLING.label, "账单地址"),  # an address, not the billing section
    (lambda: ServiceLevel.STANDARD.label, "标准"),  # a service level, not a service standard
    (lambda: RunStatus.RUNNING.label, "运行中"),  # a value run, not a service clock
    (lambda: RunStatus.DONE.label, "已完成"),
    (lambda: RunStatus.FAILED.label, "失败"),  # a run, not a message that was not sent
    (lambda: MiningAnalysis.Status.QUEUED.label, "排队中"),
    (lambda: MiningAnalysis.Status.RUNNING.label, "运行中"),  # an analysis, not a service clock
    (lambda: MiningAnalysis.Status.DONE.label, "已完成"),  # not "done at", a column of the case page
    (lambda: WarehouseRefresh.Status.DONE.label, "已完成"),
    (lambda: HotspotRun.Status.RUNNING.label, "运行中"),
    (lambda: RetentionRun.Status.DONE.label, "已完成"),
    (lambda: ActionStatus.DONE.label, "已完成"),  # a follow-up action
    (lambda: Article._meta.get_field("title").verbose_name, "标题"),  # a heading, not a job title
    (lambda: RepairRecord._meta.get_field("outcome").verbose_name, "维修结果"),  # not a callback's outcome
])
def test_each_meaning_reads_right_in_chinese(label, chinese):
    with translation.override("zh-hans"):
        assert str(label()) == chinese


def test_the_english_words_stay_the_same():
    with translation.override("en"):
        assert (str(TicketStatus.NEW.label), str(LifecycleStage.NEW.label), str(AddressKind.HOME.label)) == (
            "New", "New", "Home")
