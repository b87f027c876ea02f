import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guanxi.core.errors import NotFound, ValidationFailed

from . import permissions
from .enums import Role, TeamKind
from .models import ApiToken, Team, User

TOKEN_PREFIX = "gx_"  # nosec B105  # the public prefix of API tokens, not a secret
# last_used_at is written at most this often per token (one write a minute, not one a request).
TOKEN_LAST_USED_RESOLUTION = timedelta(seconds=60)


@transaction.atomic
def team_create(*, actor, name: str, kind: str, region: str = "") -> Team:
    """A team (administrators, or the system)."""
    permissions.require(actor, "team", "write")
    if kind not in TeamKind.values:
        raise ValidationFailed(fields={"kind": gettext("one of %(values)s") % {"values": ', '.join(TeamKind.values)}})
    if Team.objects.filter(name=name).exists():
        raise ValidationFailed(fields={"name": "a team with this name exists"})
    return Team.objects.create(name=name, kind=kind, region=region)


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    password: str,
    role: str,
    team: Team | None = None,
    display_name: str = "",
    email: str = "",
    mobile: str = "",
    validate: bool = True,
    password_hash: str = "",
) -> User:
    """Create a staff user; the password is checked against the validators and argon2-hashed.
    With `password_hash` (made by make_password) that hash is stored as it is: the demo's thirty
    logins share one password, and hashing it thirty times costs most of a minute on a busy machine.
    Administrators, or the system."""
    permissions.require(actor, "user", "write")
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
    if password_hash:
        user.password = password_hash
    else:
        user.set_password(password)
    user.save()
    return user


def _within_max_age(expires_at):
    """No token outlives API_TOKEN_MAX_DAYS (from the environment; 0: no limit)."""
    days = getattr(settings, "API_TOKEN_MAX_DAYS", 0)
    if not days:
        return expires_at
    latest = timezone.now() + timedelta(days=days)
    return latest if expires_at is None or expires_at > latest else expires_at


def api_token_expired(*, raw: str) -> bool:
    """Whether `raw` is a real token whose time is up (to tell its holder so, instead of "log in")."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return False
    return ApiToken.objects.filter(digest=ApiToken.digest_of(raw), revoked_at__isnull=True,
                                   expires_at__lte=timezone.now()).exists()


@transaction.atomic
def api_token_create(*, user: User, name: str, expires_at=None) -> tuple[ApiToken, str]:
    """Issue a personal token to `user`, who acts for themselves (an active member of staff). The raw
    value is returned once and never stored."""
    permissions.require(user, "token", "write", message=_("Only active staff hold API tokens."))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = _within_max_age(expires_at)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=raw[:10], digest=ApiToken.digest_of(raw),
        expires_at=expires_at,
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of `user`'s own tokens (another's is not found)."""
    permissions.require(user, "token", "delete", message=_("Only active staff hold API tokens."))
    token = ApiToken.objects.select_for_update().filter(id=token_id, user=user).first()
    if token is None:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


def api_token_authenticate(*, raw: str) -> User | None:
    """The active user behind a raw token, or None. Read from the database on every request (one
    indexed lookup): a per-process cache let a revoked token work on other workers until it
    expired, so revocation and deactivation now take effect at once everywhere."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user", "user__team")
        .filter(digest=ApiToken.digest_of(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.expires_at and token.expires_at <= now:
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_LAST_USED_RESOLUTION:
        ApiToken.objects.filter(id=token.id).update(last_used_at=now)
    return token.user
