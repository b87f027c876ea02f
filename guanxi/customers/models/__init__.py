from .customers import Brand, Customer, Tag
from .interactions import Interaction
from .profile import Address, Contact, ContactPoint, Holding
from .transactions import Transaction

__all__ = ["Address", "Brand", "Contact", "ContactPoint", "Customer", "Holding", "Interaction", "Tag", "Transaction"]
