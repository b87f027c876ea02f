"""Writes of segments and customer value: rule segments (segments.py), the value run (recompute.py),
the administrator's settings and strategic weights (settings.py), the contact profiles of
survey sampling (contact_profiles.py)."""

from .contact_profiles import contact_profiles_refresh
from .recompute import value_config, value_recompute, value_run_start
from .segments import segment_create, segment_delete, segment_update
from .settings import strategic_weight_set, value_settings_update

__all__ = [
    "contact_profiles_refresh", "segment_create", "segment_delete", "segment_update", "strategic_weight_set",
    "value_config", "value_recompute", "value_run_start", "value_settings_update",
]
