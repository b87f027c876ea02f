"""Reads of the complaint workflow (投诉处理) of a case already read through a scoped selector."""

from guanxi.core.errors import NotFound

from ..models import Complaint, Ticket


def complaint_get_for_ticket(*, ticket: Ticket) -> Complaint:
    """The complaint of `ticket`; NotFound when the case has no complaint workflow."""
    complaint = Complaint.objects.filter(ticket=ticket).select_related("responsible_team").first()
    if complaint is None:
        raise NotFound("This case has no complaint workflow.")
    return complaint


def complaint_callbacks(*, complaint: Complaint) -> list:
    """The callbacks of the complaint's case, soonest due first."""
    return list(complaint.ticket.callbacks.select_related("ticket", "assignee").order_by("due_at", "id"))


def complaint_steps(*, complaint: Complaint) -> list:
    return list(complaint.steps.select_related("actor"))
