"""Each app's migrations form one line. Two migrations of one app that do not depend on each other
(parallel branches joined by a merge) break unapplying on SQLite: rebuilding a table for one branch
uses a state without the other branch's columns, and drops them while their migration stays
recorded as applied. Branches that meet are put in a line instead of merged."""

from django.db.migrations.loader import MigrationLoader


def test_every_apps_migrations_form_a_single_line():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    parallel = []
    for app in {app for app, _ in graph.nodes}:
        nodes = sorted(node for node in graph.nodes if node[0] == app)
        ancestors = {node: set(graph.forwards_plan(node)) for node in nodes}
        parallel += [(a, b) for i, a in enumerate(nodes) for b in nodes[i + 1:]
                     if a not in ancestors[b] and b not in ancestors[a]]
    assert parallel == []
