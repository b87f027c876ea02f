from .customers import Brand, Customer, Tag
from .dedupe import DedupeModel, DedupeScan, MatchCandidate
from .imports import ImportJob, ImportMapping
from .interactions import Interaction
from .merging import CustomerMerge
from .profile import Address, Contact, ContactPoint, Holding
from .transactions import Transaction

__all__ = [
    "Address", "Brand", "Contact", "ContactPoint", "Customer", "CustomerMerge", "DedupeModel", "DedupeScan",
    "Holding", "ImportJob", "ImportMapping", "Interaction", "MatchCandidate", "Tag", "Transaction",
]
