"""The OpenAPI document declares the headers the operations honour."""


def test_if_match_is_declared_on_the_operations_that_honour_it():
    from config.api import api

    paths = api.get_openapi_schema()["paths"]
    operations = (("/api/v1/tickets/{ticket_id}/transition", "post", "ticket_id"),
                  ("/api/v1/tickets/{ticket_id}/assign", "post", "ticket_id"),
                  ("/api/v1/customers/{customer_id}", "patch", "customer_id"),
                  ("/api/v1/opportunities/{opportunity_id}", "patch", "opportunity_id"),
                  ("/api/v1/opportunities/{opportunity_id}/move", "post", "opportunity_id"))
    for path, method, key in operations:
        names = {(p["in"], p["name"]) for p in paths[path][method]["parameters"]}
        assert {("header", "If-Match"), ("path", key)} <= names, path
