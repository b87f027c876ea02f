"""/api/v1/offers: a customer's next-best offers and the feedback on them, the model registry and
training."""

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from guanxi.core.api import ListParams, cursor_list
from guanxi.customers.selectors import customer_get_for_user

from . import selectors, services
from .reasons import reason_text
from .schemas import OffersCustomerOut, OffersFeedbackIn, OffersFeedbackOut, OffersModelOut, OffersTrainOut

router = Router(tags=["offers"])


@router.get("/offers/customers/{int:customer_id}", response=OffersCustomerOut)
def get_customer_offers(request: HttpRequest, customer_id: int, limit: int = Query(3, ge=1, le=10)):
    """The customer's best offers under the active model, best first, each with its reason."""
    customer = customer_get_for_user(user=request.user, customer_id=customer_id)
    result = selectors.customer_suggestions(user=request.user, customer=customer, limit=limit)
    return {"customer_id": customer.pk, "model_version": result.model.version if result.model else None,
            "algorithm": result.model.algorithm if result.model else "",
            "offers": [{"product": s.product, "reason": reason_text(s), "score": s.score, "share": s.share,
                        "because": s.because} for s in result.suggestions]}


@router.post("/offers/customers/{int:customer_id}/feedback", response={201: OffersFeedbackOut})
def record_offer_feedback(request: HttpRequest, customer_id: int, payload: OffersFeedbackIn):
    """Record that an offer was made, accepted or declined; a declined product is not offered again
    for OFFERS_DECLINE_DAYS days."""
    customer = customer_get_for_user(user=request.user, customer_id=customer_id)
    feedback = services.offer_feedback_record(actor=request.user, customer=customer, product=payload.product,
                                              outcome=payload.outcome)
    return Status(201, feedback)


@router.get("/offers/models", response=list[OffersModelOut])
def list_offer_models(request: HttpRequest, response: HttpResponse, params: Query[ListParams]):
    """Every training of the model, newest first, with its hit rates."""
    return cursor_list(request, response, selectors.model_list(user=request.user), params)


@router.post("/offers/models", response={202: OffersTrainOut})
def train_offer_model(request: HttpRequest):
    """Train a new model now (a background task; inline without a broker)."""
    model = services.offer_model_train_start(actor=request.user)
    return Status(202, {"queued": model is None, "model": model})
