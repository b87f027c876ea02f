from .navigation import nav_for


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"nav_items": nav_for(request.path, user=request.user)}
