from .demo_status import demo_status_read
from .navigation import nav_for


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"nav_items": nav_for(request.path, user=request.user)}


def demo_status(request):
    """A demo company still loading in the background (see demo_status.py), for the sign-in page."""
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        return {}
    return {"demo_status": demo_status_read()}
