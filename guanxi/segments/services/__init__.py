from .recompute import value_config, value_recompute
from .segments import (
    segment_counts_refresh,
    segment_create,
    segment_delete,
    segment_update,
    segments_sync_system,
)
from .settings import strategic_weight_set, value_settings_update

__all__ = [
    "segment_counts_refresh", "segment_create", "segment_delete", "segment_update", "segments_sync_system",
    "strategic_weight_set", "value_config", "value_recompute", "value_settings_update",
]
