"""The base of every API schema: ninja's `Schema`, but a plain dict is validated as it is.

ninja wraps whatever a schema validates in a `DjangoGetter` (so that a model instance's related
managers, files and methods can be read as fields), and pydantic then reads each field through
Python: ~30 µs a list row. Handlers here hand their rows over as dicts, which need none of that;
model instances still go through the getter."""

from typing import Any

from ninja import Schema as NinjaSchema
from ninja.schema import DjangoGetter
from pydantic import ModelWrapValidatorHandler, ValidationInfo, model_validator


class Schema(NinjaSchema):
    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values: Any, handler: ModelWrapValidatorHandler, info: ValidationInfo) -> Any:
        if type(values) is dict and not cls._ninja_resolvers:
            return handler(values)
        if cls.model_config.get("extra") == "forbid" or cls.model_config.get("validate_assignment", False):
            handler(values)  # as ninja does: checks against the object itself first
        return handler(DjangoGetter(values, cls, info.context))
