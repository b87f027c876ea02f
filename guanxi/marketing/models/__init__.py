from .leads import Lead
from .web_forms import WebForm

__all__ = ["Lead", "WebForm"]
