"""The customer page's inline forms, fetched when their section is opened."""

from django.shortcuts import redirect, render


def inline_form_fragment(request, form, *, action: str, target: str, page: str):
    """An empty inline form of the customer page, for htmx to put in its opened section; a plain GET
    (the address typed in) goes to the section of the page instead."""
    if not request.htmx:
        return redirect(page)
    return render(request, "customers/partials/_inline_form.html", {"form": form, "action": action, "target": target})
