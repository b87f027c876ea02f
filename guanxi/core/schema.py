"""The base of every API schema: ninja's `Schema`, but a plain dict is validated as it is.

ninja wraps whatever a schema validates in a `DjangoGetter` (so that a model instance's related
managers, files and methods can be read as fields), and pydantic then reads each field through
Python: ~30 µs a list row. Handlers here hand their rows over as dicts, which need none of that;
model instances still go through the getter."""

from typing import Any

from ninja import Schema as NinjaSchema
from pydantic import ModelWrapValidatorHandler, ValidationInfo, model_validator


class Schema(NinjaSchema):
    """ninja's Schema; a plain dict skips its getter (see the module)."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values: Any, handler: ModelWrapValidatorHandler, info: ValidationInfo) -> Any:
        if type(values) is dict and not cls._ninja_resolvers:
            return handler(values)
        return super()._run_root_validator(values, handler, info)
