from .customers import Brand, Customer, Tag
from .interactions import Interaction
from .profile import Address, Contact, ContactPoint, Holding

__all__ = ["Address", "Brand", "Contact", "ContactPoint", "Customer", "Holding", "Interaction", "Tag"]
