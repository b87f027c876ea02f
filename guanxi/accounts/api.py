import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from pydantic import Field

from guanxi.core.api import ListParams, cursor_list
from guanxi.core.schema import Schema

from . import selectors, services

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    team: str | None


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    expires_at: datetime.datetime | None = None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime.datetime
    expires_at: datetime.datetime | None
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="shown once; store it now")


@router.get("/me", response=MeOut)
def get_me(request: HttpRequest):
    user = request.user
    return {"id": user.pk, "username": user.username, "display_name": str(user), "role": user.role,
            "team": user.team.name if user.team else None}


@router.get("/tokens", response=list[TokenOut])
def list_tokens(request: HttpRequest, response: HttpResponse, params: Query[ListParams]):
    return cursor_list(request, response, selectors.api_token_list(user=request.user).order_by("-created_at", "-id"),
                       params)


@router.post("/tokens", response={201: TokenCreatedOut})
def create_token(request: HttpRequest, payload: TokenIn):
    token, raw = services.api_token_create(user=request.user, name=payload.name, expires_at=payload.expires_at)
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": raw})


@router.delete("/tokens/{int:token_id}", response={204: None})
def revoke_token(request: HttpRequest, token_id: int):
    services.api_token_revoke(user=request.user, token_id=token_id)
    return Status(204, None)
