"""Writes of segments and customer value: rule segments (segments.py), the value run (recompute.py),
the administrator's settings and strategic weights (settings.py)."""

from .recompute import value_config, value_recompute, value_run_start
from .segments import segment_create, segment_delete, segment_update
from .settings import strategic_weight_set, value_settings_update

__all__ = [
    "segment_create", "segment_delete", "segment_update", "strategic_weight_set", "value_config", "value_recompute",
    "value_run_start", "value_settings_update",
]
