from .customers import customer_create, customer_delete, customer_update
from .profile import address_add, address_remove, contact_add, contact_point_add, contact_point_remove

__all__ = [
    "address_add", "address_remove", "contact_add", "contact_point_add", "contact_point_remove",
    "customer_create", "customer_delete", "customer_update",
]
