"""The demo company's registry: `guanxi demo` (core/management/commands/demo.py) runs what the apps
register here, and core imports none of them.

Every app registers its demo data in `AppConfig.ready()`. The customers app registers the company
itself (`register_demo_company`: staff in every role, brands, tags and customers — the base every
other step builds on); any app, customers included, adds steps with `register_demo_step(function)`.
Demo modules pull in Faker, pandas and the like, tens of MB that no web process needs: an app
registers `DeferredStep(load)` and the company's loader, small functions that import the demo
module only when the demo runs.
`guanxi demo` loads the company, then runs every step in registration order (the order of
INSTALLED_APPS, lowest app first), all in one transaction. A step is called as
`step(*, seed, scale, staff, customers, now) -> str` (scale 1.0 = SCALE_CUSTOMERS customers;
`customers` are the new customers' ids; `now` is the moment the demo is generated for — every date
lies before it, so that a pinned `now` and a seed always give the same data) and returns a one-line
summary. A step written before `now` existed (without that parameter) is called without it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

SCALE_CUSTOMERS = 5000  # --customers 5000 is scale 1.0 for the apps' demo steps


@dataclass(frozen=True)
class DemoCompany:
    """The base of the demo: who loads it and how it is printed."""

    name: str  # the company's name, printed with the logins
    password: str  # every demo staff member's password
    # (*, customers, seed, now, on_progress) -> a result with .customers (count), .customer_ids and
    # .staff (.users, .created_usernames, .other_logins)
    load: Callable[..., Any]
    exists: Callable[[], bool]  # true when the company is there already (--if-empty)
    finish: Callable[..., None]  # (*, customers: list[int]) -> None, run after every step


class DeferredStep:
    """A demo step imported when it runs: `load()` imports the step's module and returns the step.
    It belongs to the app whose module defines `load` (its `apps.py`)."""

    def __init__(self, load: Callable[[], Callable[..., str]]):
        self.load = load
        self.__module__ = load.__module__

    @cached_property
    def step(self) -> Callable[..., str]:
        return self.load()

    def __call__(self, **kwargs) -> str:
        return self.step(**kwargs)

    def __eq__(self, other) -> bool:
        return isinstance(other, DeferredStep) and other.load is self.load

    def __hash__(self) -> int:
        return hash(self.load)


COMPANY: Callable[[], DemoCompany] | None = None  # imports the demo company's module and returns it
DEMO_STEPS: list[Callable[..., str]] = []


def register_demo_company(load: Callable[[], DemoCompany]) -> None:
    """Name the base of the demo (the customers app does, once): `load()` imports the module that
    describes it and returns its DemoCompany."""
    global COMPANY
    COMPANY = load


def register_demo_step(step: Callable[..., str]) -> None:
    """Add a demo step (a function, or a DeferredStep); registering the same one twice keeps one."""
    if step not in DEMO_STEPS:
        DEMO_STEPS.append(step)


def loaded_step(step: Callable[..., str]) -> Callable[..., str]:
    """The step function itself, its module imported if it was deferred."""
    return step.step if isinstance(step, DeferredStep) else step


def loaded_demo_steps() -> list[Callable[..., str]]:
    """Every registered step function, in registration order (imports the deferred ones)."""
    return [loaded_step(step) for step in DEMO_STEPS]


def demo_step_app(step: Callable) -> str:
    """The app a step belongs to, as printed: guanxi.servicedesk.demo.tickets.service_demo_load → servicedesk."""
    parts = step.__module__.split(".")
    return parts[1] if len(parts) > 2 else step.__module__
