"""What the knowledge base API reads and answers."""

import datetime as dt

from pydantic import Field

from guanxi.core.schema import Schema

from .tickets import RefOut


class ArticleIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    body: str = Field(..., min_length=1, max_length=100_000)
    category: int | None = None


class ArticleReviewIn(Schema):
    approve: bool
    note: str = Field("", max_length=200)


class ArticleUseIn(Schema):
    ticket: int | None = None


class ArticleOut(Schema):
    id: int
    title: str
    body: str
    category: RefOut | None
    status: str
    version: int
    published_at: dt.datetime | None
    usage_count: int
    score: float | None = None
