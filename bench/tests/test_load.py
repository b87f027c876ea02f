"""`guanxi bench load`'s Locust scenario runs against a live server with no failed request, for the
mixed workload and for the peers' workload (a few seconds at a few users)."""

import pytest
from django.core.servers.basehttp import WSGIServer
from django.db import connection, connections
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler, _StaticFilesHandler

from bench import load
from bench.generate import generate

# Once per CI run, on the database the load test is for (the PostgreSQL pass): half a minute of Locust.
pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(connection.vendor == "sqlite", reason="runs in the PostgreSQL pass")]


class SerialLiveServerThread(LiveServerThread):
    """One request at a time: the in-memory SQLite test database's connection is shared with it."""

    def _create_server(self, connections_override=None):
        return WSGIServer((self.host, self.port), QuietWSGIRequestHandler, allow_reuse_address=False)


@pytest.fixture
def server():
    shared = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
    for conn in shared.values():
        conn.inc_thread_sharing()
    thread = SerialLiveServerThread("127.0.0.1", _StaticFilesHandler, connections_override=shared, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()
    for conn in shared.values():
        conn.dec_thread_sharing()


def test_every_role_and_the_peers_workload_run_without_a_failed_request(server, settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the generator's name-key cache
    generate(customers=80, batch=80, seed=5, progress=False)
    plan = load.prepare(server, agents=2, portal_customers=2, cases_per_agent=3)
    assert {role for role, accounts in plan.items() if accounts} == {"agents", "sales", "managers", "portal",
                                                                     "peers"}
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(load.json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    # 4 users: Locust gives them to agents, sales people and portal customers by weight (the managers'
    # pages were checked above by `prepare`, which refuses to start unless every role's pages answer).
    mixed = load.run_locust(base_url=server, plan_file=plan_file, mix="mixed", users=4, seconds=20,
                            prefix=tmp_path / "mixed")
    assert mixed["failures"] == 0, mixed["failure_list"]
    assert mixed["requests"] > 0
    assert len({name.split(":")[0] for name in mixed["endpoints"]}) >= 2, mixed["endpoints"]
    peers = load.run_locust(base_url=server, plan_file=plan_file, mix="peers", users=2, seconds=12,
                            prefix=tmp_path / "peers")
    assert peers["failures"] == 0, peers["failure_list"]
    assert peers["requests"] > 0 and all(name.startswith("peers: ") for name in peers["endpoints"])
    best = load.sustained([mixed], p95_limit=600_000)
    assert best["users"] == 4 and best["rps"] > 0
