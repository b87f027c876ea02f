"""What the orders handlers share: references named in a body (an unknown or hidden one is a 422 on
its field) and masked free text."""

from django.utils.translation import gettext_lazy as _

from guanxi.accounts.selectors import user_list
from guanxi.catalog.selectors import product_get_for_user
from guanxi.core.errors import ValidationFailed, referenced
from guanxi.core.masking import mask_free_text
from guanxi.customers.permissions import can_see_personal_data
from guanxi.customers.selectors import customer_get_for_user

from .. import selectors

UNKNOWN = _("does not exist")


def ref(obj, name: str | None = None):
    return {"id": obj.pk, "name": name if name is not None else str(obj)} if obj is not None else None


def text_for(user, customer):
    """Free text as the user may see it: phone and ID numbers masked unless they see personal data."""
    return (lambda v: v) if can_see_personal_data(user=user, customer=customer) else mask_free_text


def customer(user, customer_id: int):
    return referenced(customer_get_for_user, field="customer", reason=UNKNOWN, user=user, customer_id=customer_id)


def owner(owner_id: int | None):
    if owner_id is None:
        return None
    found = user_list().filter(pk=owner_id).first()
    if found is None:
        raise ValidationFailed(fields={"owner": UNKNOWN})
    return found


def lines(user, rows) -> list[dict]:
    return [{"product": referenced(product_get_for_user, field=f"lines[{index}].product", reason=UNKNOWN, user=user,
                                   product_id=row.product),
             "quantity": row.quantity, "unit_price": row.unit_price, "serial": row.serial}
            for index, row in enumerate(rows)]


def allocations(user, rows) -> list[dict]:
    out = []
    for index, row in enumerate(rows):
        order = referenced(selectors.order_get_for_user, field=f"allocations[{index}].order", reason=UNKNOWN,
                           user=user, order_id=row.order)
        installment = selectors.installment_get(installment_id=row.installment) if row.installment else None
        if row.installment and installment is None:
            raise ValidationFailed(fields={f"allocations[{index}].installment": UNKNOWN})
        out.append({"order": order, "amount": row.amount, "installment": installment})
    return out
