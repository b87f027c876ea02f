"""What every form of the service desk pages shares: Bootstrap classes on its widgets (from core)
and the "any" choice of filters."""

from guanxi.core.forms import BootstrapForm

__all__ = ["BootstrapForm", "any_choice"]


def any_choice(label):
    """The choice of “any” at the top of a filter's list."""
    return [("", label)]

