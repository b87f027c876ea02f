from guanxi.customers.models import Customer, MatchCandidate
from guanxi.customers.services import customer_create


def make_customer(actor, **data):
    """A customer created through the service, as every real one is."""
    data.setdefault("kind", "individual")
    data.setdefault("name", "张三")
    tags = data.pop("tags", None)
    return customer_create(actor=actor, data=data, tags=tags)


def pair(a: Customer, b: Customer, probability=0.97, **extra) -> MatchCandidate:
    """A pair of customers in the duplicate review queue."""
    left, right = sorted((a.pk, b.pk))
    return MatchCandidate.objects.create(left_id=left, right_id=right, probability=probability, match_weight=9.5,
                                         reasons=[{"field": "mobile", "label": "手机号相同", "level": "exact",
                                                   "weight": 6.1}], **extra)
