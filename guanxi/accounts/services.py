import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from guanxi.core.errors import NotFound, ValidationFailed

from .enums import Role, TeamKind
from .models import ApiToken, Team, User

TOKEN_PREFIX = "gx_"
TOKEN_CACHE_SECONDS = 30


@transaction.atomic
def team_create(*, name: str, kind: str, region: str = "") -> Team:
    if kind not in TeamKind.values:
        raise ValidationFailed(fields={"kind": gettext("one of %(values)s") % {"values": ', '.join(TeamKind.values)}})
    if Team.objects.filter(name=name).exists():
        raise ValidationFailed(fields={"name": "a team with this name exists"})
    return Team.objects.create(name=name, kind=kind, region=region)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str,
    team: Team | None = None,
    display_name: str = "",
    email: str = "",
    mobile: str = "",
    validate: bool = True,
) -> User:
    """Create a staff user; the password is checked against the validators and argon2-hashed."""
    if role not in Role.values:
        raise ValidationFailed(fields={"role": gettext("one of %(values)s") % {"values": ', '.join(Role.values)}})
    if User.objects.filter(username=username).exists():
        raise ValidationFailed(fields={"username": "this username is taken"})
    user = User(
        username=username, role=role, team=team, display_name=display_name,
        email=email, mobile=mobile, is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN,
    )
    if validate:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationFailed(fields={"password": " ".join(exc.messages)}) from exc
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def api_token_create(*, user: User, name: str, expires_at=None) -> tuple[ApiToken, str]:
    """Issue a personal token. The raw value is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=raw[:10], digest=ApiToken.digest_of(raw),
        expires_at=expires_at,
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(id=token_id, user=user).first()
    if token is None:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    # Now, and again after commit in case a request re-read the row before the commit.
    cache.delete(_cache_key(token.digest))
    transaction.on_commit(lambda: cache.delete(_cache_key(token.digest)))
    return token


def _cache_key(digest: str) -> str:
    return f"apitoken:{digest}"


def api_token_authenticate(*, raw: str) -> User | None:
    """The active user behind a raw token, or None. A hit is cached for TOKEN_CACHE_SECONDS, so
    each request does not pay a query; revoking deletes the entry (in every process when the
    cache is Redis; with the in-process cache another worker may accept it until it expires)."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    key = _cache_key(ApiToken.digest_of(raw))
    now = timezone.now()
    cached = cache.get(key)
    if cached is not None:
        user, expires_at = cached
        return user if expires_at is None or expires_at > now else None
    token = (
        ApiToken.objects.select_related("user", "user__team")
        .filter(digest=ApiToken.digest_of(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.expires_at and token.expires_at <= now:
        return None
    ApiToken.objects.filter(id=token.id).update(last_used_at=now)
    cache.set(key, (token.user, token.expires_at), TOKEN_CACHE_SECONDS)
    return token.user
