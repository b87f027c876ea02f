"""Stratified sampling of customers for survey waves (SPEC G.2): strata, allocation, the draw and the
frame query. Pure functions over a pandas frame, except `sampling_frame`, which reads the database."""

from .allocation import METHODS as METHODS_ALL
from .allocation import NEYMAN, PROPORTIONAL, Quota, allocate, neyman_weights
from .draw import SampleResult, SamplingPlan, stratified_sample
from .frame import LIVE, SNAPSHOT, sampling_frame, snapshot_as_of
from .strata import DIMENSIONS, FRAME_COLUMNS, arpu_edges, strata_codes, stratum_name, stratum_sds, with_strata

__all__ = [
    "DIMENSIONS", "FRAME_COLUMNS", "LIVE", "METHODS_ALL", "NEYMAN", "PROPORTIONAL", "SNAPSHOT", "Quota", "SampleResult",
    "SamplingPlan", "allocate", "arpu_edges", "neyman_weights", "sampling_frame", "snapshot_as_of",
    "strata_codes", "stratified_sample", "stratum_name", "stratum_sds", "with_strata",
]
