"""Facts about a customer that higher modules compute and the customer 360 shows (客户画像要点):
e.g. analytics' churn risk. A module registers, in its AppConfig.ready(), a function
`(customer, user) -> list[Fact]`; it decides itself what the user may see."""

from collections.abc import Callable
from dataclasses import dataclass

from .models import Customer


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    detail: str = ""  # why, in words
    link: str = ""
    tone: str = "secondary"  # a Bootstrap colour: danger, warning, success, secondary


FACT_SOURCES: list[Callable[..., list[Fact]]] = []


def register_fact_source(source: Callable[..., list[Fact]]) -> None:
    if source not in FACT_SOURCES:
        FACT_SOURCES.append(source)


def customer_facts(*, customer: Customer, user) -> list[Fact]:
    return [fact for source in FACT_SOURCES for fact in source(customer, user)]
