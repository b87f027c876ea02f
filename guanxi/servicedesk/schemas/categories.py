"""What the case categories API reads and answers."""

from pydantic import Field

from guanxi.core.schema import Schema


class CategoryIn(Schema):
    name: str = Field(..., min_length=1, max_length=50)
    parent: int | None = Field(None, description="the parent category's id; empty for a top-level category")


class CategoryOut(Schema):
    id: int
    name: str
    parent: int | None
    path: str
    depth: int
    is_used: bool
