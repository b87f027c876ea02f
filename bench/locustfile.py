"""Locust scenario of `guanxi bench load` (run by it in a subprocess; never imported by Django: Locust
patches the standard library with gevent).

The plan (a JSON file named by GUANXI_LOAD_PLAN, written by `bench.load.prepare`) holds each role's
credentials (API tokens, session cookies) and the ids it works on. GUANXI_LOAD_MIX chooses the users:

- `mixed`: agents (queue page and API, case pages, replies), sales people (pipeline board, customer
  search, the 360 page and API), managers (the executive dashboard, sales reports) and portal
  customers (portal home, their cases, one of their cases);
- `peers`: what other CRMs are compared on: create a contact, search contacts, create a case, the
  first page of open cases.

Every user works without think time (each is one request stream). An answer other than 2xx/3xx is a
failure, and so is a redirect to a sign-in page (the scenario lost its session).
"""

from __future__ import annotations

import itertools
import json
import os
import random

from locust import FastHttpUser, constant, task

PLAN = json.loads(open(os.environ["GUANXI_LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
MIX = os.environ.get("GUANXI_LOAD_MIX", "mixed")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚"
_counters: dict[str, itertools.count] = {}


def _account(role: str) -> dict:
    """The role's accounts in turn, one per simulated user."""
    accounts = PLAN[role]
    return accounts[next(_counters.setdefault(role, itertools.count())) % len(accounts)]


class GuanxiUser(FastHttpUser):
    abstract = True
    wait_time = constant(0)
    role = ""

    def on_start(self):
        self.account = _account(self.role)
        self.rng = random.Random(id(self))
        self.headers = {"Accept": "application/json"}
        if self.account.get("token"):
            self.api_headers = {"Accept": "application/json", "Authorization": f"Bearer {self.account['token']}"}
        cookie = "; ".join(f"{k}={v}" for k, v in self.account.get("cookies", {}).items())
        self.page_headers = {"Cookie": cookie, "Accept": "text/html"} if cookie else {}

    def _get(self, path, name, *, api=False, params=None):
        headers = self.api_headers if api else self.page_headers
        with self.client.get(path, params=params, headers=headers, name=name, allow_redirects=False,
                             catch_response=True) as response:
            self._check(response)

    def _post(self, path, name, body):
        with self.client.post(path, json=body, headers=self.api_headers, name=name, catch_response=True) as response:
            self._check(response)

    @staticmethod
    def _check(response):
        status = response.status_code
        location = response.headers.get("Location", "") if response.headers else ""
        if not 200 <= status < 400:
            response.failure(f"{status}: {(response.text or '')[:200]}")
        elif 300 <= status < 400 and "login" in location:
            response.failure(f"{status} to {location}: the session was refused")
        else:
            response.success()

    def pick(self, key):
        return self.rng.choice(self.account[key])


class Agent(GuanxiUser):
    role = "agents"
    weight = 4
    abstract = MIX != "mixed"

    @task(3)
    def queue_page(self):
        self._get("/service/", "agent: queue page", params={"view": self.rng.choice(("mine", "team", "new", "all"))})

    @task(3)
    def queue_api(self):
        self._get("/api/v1/tickets", "agent: queue API", api=True, params={"status": "open", "mine": "true"})

    @task(3)
    def case_page(self):
        self._get(f"/service/{self.pick('tickets')}/", "agent: case page")

    @task(2)
    def case_api(self):
        self._get(f"/api/v1/tickets/{self.pick('tickets')}", "agent: case API", api=True)

    @task(1)
    def reply(self):
        self._post(f"/api/v1/tickets/{self.pick('tickets')}/messages", "agent: reply",
                   {"kind": "reply", "body": self.rng.choice(("您好，已为您登记，技术人员将在24小时内联系您。",
                                                              "请重启光猫后再试，如仍无法上网请回复。"))})


class Sales(GuanxiUser):
    role = "sales"
    weight = 3
    abstract = MIX != "mixed"

    @task(2)
    def pipeline_board(self):
        self._get("/sales/", "sales: pipeline board")

    @task(3)
    def customer_search(self):
        self._get("/api/v1/customers", "sales: customer search", api=True, params={"q": self.pick("search")})

    @task(2)
    def customer_page(self):
        self._get(f"/customers/{self.pick('customers')}/", "sales: customer 360 page")

    @task(2)
    def customer_api(self):
        self._get(f"/api/v1/customers/{self.pick('customers')}", "sales: customer 360 API", api=True)


class Manager(GuanxiUser):
    role = "managers"
    weight = 1
    abstract = MIX != "mixed"

    @task(2)
    def executive_dashboard(self):
        self._get("/analytics/", "manager: executive dashboard")

    @task(1)
    def sales_report(self):
        self._get("/sales/analysis/", "manager: sales report",
                  params={"report": self.rng.choice(("product", "region", "team", "channel")), "period": "month"})


class PortalCustomer(GuanxiUser):
    role = "portal"
    weight = 2
    abstract = MIX != "mixed"

    @task(1)
    def home(self):
        self._get("/portal/", "portal: home")

    @task(2)
    def cases(self):
        self._get("/portal/cases/", "portal: my cases")

    @task(2)
    def case(self):
        self._get(f"/portal/cases/{self.pick('tickets')}/", "portal: one case")


class Peer(GuanxiUser):
    """The workload other CRMs publish figures for."""

    role = "peers"
    abstract = MIX != "peers"

    @task(1)
    def create_contact(self):
        mobile = f"1{self.rng.choice('3589')}{self.rng.randint(0, 9)}{self.rng.randint(0, 99_999_999):08d}"
        name = self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))
        self._post("/api/v1/customers", "peers: create contact",
                   {"kind": "individual", "name": name, "mobile": mobile, "lifecycle_stage": "new", "source": "web"})

    @task(3)
    def search_contacts(self):
        self._get("/api/v1/customers", "peers: search contacts", api=True, params={"q": self.pick("search")})

    @task(1)
    def create_case(self):
        self._post("/api/v1/tickets", "peers: create case",
                   {"subject": self.rng.choice(("宽带无法上网", "手机信号差", "话费账单有疑问")), "type": "fault",
                    "channel": "hotline", "customer": self.pick("customers")})

    @task(2)
    def open_cases(self):
        self._get("/api/v1/tickets", "peers: open cases", api=True, params={"status": "open"})
