"""The contact-frequency rule as data: which contacts count as the call center's, the window they are
counted over, and the lowest count of each band (SPEC G.2: never, rarely, often, very often)."""

from __future__ import annotations

from dataclasses import dataclass

from guanxi.customers.enums import InteractionChannel

from .enums import ContactFrequency


@dataclass(frozen=True)
class ContactBands:
    """Band floors over the number of call-center contacts in the window, lowest band first; the
    first floor is 0 (every count falls in a band)."""

    floors: tuple[tuple[str, int], ...] = (
        (ContactFrequency.NEVER, 0), (ContactFrequency.RARELY, 1), (ContactFrequency.OFTEN, 4),
        (ContactFrequency.VERY_OFTEN, 12))
    window_days: int = 365
    call_center_channels: tuple[str, ...] = (InteractionChannel.CALL,)

    def __post_init__(self):
        counts = [floor for _, floor in self.floors]
        if not counts or counts[0] != 0 or counts != sorted(set(counts)):
            raise ValueError("band floors must start at 0 and increase strictly")
        if self.window_days < 1:
            raise ValueError("the window must be at least one day")

    def band(self, contacts: int) -> str:
        """The band of a number of call-center contacts."""
        current = self.floors[0][0]
        for name, floor in self.floors:
            if contacts >= floor:
                current = name
        return str(current)

    def case_sql(self, column: str) -> str:
        """The same rule as a SQL CASE over an integer column (floors are integers, names are enum values)."""
        whens = " ".join(f"WHEN {column} >= {int(floor)} THEN '{name}'" for name, floor in reversed(self.floors[1:]))
        return f"CASE {whens} ELSE '{self.floors[0][0]}' END"


DEFAULT_BANDS = ContactBands()
