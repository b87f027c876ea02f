"""Names of the system segments, in the active language."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .clusters import describe
from .enums import RfmSegment, SegmentKind, ValueLevel


def system_segment_name(kind: str, key: str, *, traits: list | None = None) -> str:
    """'Value pyramid: VIP', 'ABC class A', 'RFM: Important value customer', 'Cluster 2: …'."""
    if kind == SegmentKind.PYRAMID:
        label = ValueLevel(key).label if key in ValueLevel.values else key
        return _("Value pyramid: %(level)s") % {"level": label}
    if kind == SegmentKind.ABC:
        return _("ABC class %(cls)s") % {"cls": key}
    if kind == SegmentKind.RFM:
        label = RfmSegment(key).label if key in RfmSegment.values else key
        return _("RFM: %(cell)s") % {"cell": label}
    if kind == SegmentKind.CLUSTER:
        if traits is None:
            return _("Cluster %(id)s") % {"id": key}
        return _("Cluster %(id)s: %(words)s") % {"id": key, "words": describe(traits)}
    return key


def segment_display_name(segment, *, clusters: dict[int, dict] | None = None) -> str:
    """A rule segment's own name; a system segment's name in the active language (clusters
    described from the latest run's traits when given)."""
    if not segment.is_system:
        return segment.name
    traits = None
    if segment.kind == SegmentKind.CLUSTER and clusters and segment.system_key.isdigit():
        cluster = clusters.get(int(segment.system_key))
        traits = cluster["traits"] if cluster else None
        if traits is None:
            return segment.name
    return system_segment_name(segment.kind, segment.system_key, traits=traits)
