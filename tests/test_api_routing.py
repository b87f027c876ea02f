"""The customers router can be mounted in any order: no path of its is matched by another route of
the API (a literal segment never reads as a customer id), and its operation ids are the published ones."""

import re

from django.urls import URLPattern

from config.api import api
from guanxi.core.routers import Router
from guanxi.customers.api import MODULES, router

PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _routes() -> dict[str, object]:
    """Route → its compiled pattern (a path with several methods has one URL pattern per method)."""
    return {str(p.pattern): p.pattern for p in api.urls[0] if isinstance(p, URLPattern)}


def _customers_routes() -> set[str]:
    names = {op.view_func.__name__ for module in MODULES
             for view in module.router.path_operations.values() for op in view.operations}
    return {str(p.pattern) for p in api.urls[0] if isinstance(p, URLPattern) and p.name in names}


def _sample(route: str) -> str:
    """A concrete path the route matches: ids become numbers, other parameters words."""
    return PARAM.sub(lambda m: "7" if m.group(1) == "int" else "word", route)


def test_no_customers_path_is_matched_by_another_route_whatever_the_order():
    routes = _routes()
    customers = _customers_routes()
    assert len(customers) > 20
    for route in customers:
        others = [r for r, pattern in routes.items() if r != route and pattern.match(_sample(route))]
        assert others == [], (route, others)
    for route in set(routes) - customers:
        mine = [r for r in customers if routes[r].match(_sample(route))]
        assert mine == [], (route, mine)


def test_operation_ids_keep_the_names_of_the_flat_modules():
    schema = api.get_openapi_schema()
    ids = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {"guanxi_customers_api_list_customers", "guanxi_customers_api_merge_merge_customers",
            "guanxi_customers_api_imports_create_import", "guanxi_customers_api_history_list_timeline",
            "guanxi_customers_api_dedupe_start_dedupe_scan"} <= ids
    mounted = [op for view in router.path_operations.values() for op in view.operations]
    assert all(isinstance(module.router, Router) for module in MODULES)
    assert mounted == [] and {module.router.operation_prefix for module in MODULES} == {
        f"guanxi_customers_api{suffix}" for suffix in ("", "_dedupe", "_history", "_imports", "_merge")}


def _schema_classes() -> list[type]:
    """Every ninja Schema the product defines (the API modules are imported by config.api)."""
    from ninja import Schema

    found, todo = [], [Schema]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("guanxi."):
                found.append(sub)
    return found


def test_no_two_api_schemas_share_a_name():
    """The OpenAPI document names a schema by its class name: two apps' `ReasonOut` would silently
    replace one another in it (and clients would read the wrong shape)."""
    by_name: dict[str, set[str]] = {}
    for schema in _schema_classes():
        by_name.setdefault(schema.__name__, set()).add(f"{schema.__module__}.{schema.__qualname__}")
    clashes = {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
    assert clashes == {}


def test_the_nested_api_urls_resolve_and_reverse_every_route_as_ninjas_flat_list_does():
    from django.urls import resolve, reverse

    flat = [p for p in api.urls[0] if isinstance(p, URLPattern)]
    assert len(flat) > 300
    for pattern in flat:
        sample = _sample(str(pattern.pattern))
        first = next(p for p in flat if p.pattern.match(sample))  # what the flat list answered
        found = resolve(f"/api/v1/{sample}")
        assert (found.route, found.url_name) == (f"api/v1/{first.pattern}", first.name), sample
        kwargs = first.pattern.match(sample)[2]
        assert found.kwargs == kwargs
        assert reverse(f"api-v1:{pattern.name}", kwargs=kwargs) == f"/api/v1/{sample}"
