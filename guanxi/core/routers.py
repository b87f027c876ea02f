"""A django-ninja router whose operation ids do not follow the file a handler lives in.

django-ninja names an operation `<module path>_<function>`, so moving a handler from `app/api.py` to
`app/api/<noun>.py` would rename it in the OpenAPI document and break generated clients. An app's
routers give the prefix its operations have always had; a handler keeps its id wherever it moves.
"""

from ninja import Router as NinjaRouter


class Router(NinjaRouter):
    def __init__(self, *, operation_prefix: str, **kwargs):
        super().__init__(**kwargs)
        self.operation_prefix = operation_prefix

    def add_api_operation(self, path, methods, view_func, *, operation_id=None, **kwargs):
        operation_id = operation_id or f"{self.operation_prefix}_{view_func.__name__}"
        return super().add_api_operation(path, methods, view_func, operation_id=operation_id, **kwargs)
