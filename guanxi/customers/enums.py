from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CustomerKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    ORGANISATION = "organisation", _("Organisation")


class LifecycleStage(models.TextChoices):
    """Customer lifecycle (客户生命周期)."""

    PROSPECT = "prospect", _("Prospect")
    NEW = "new", pgettext_lazy("lifecycle stage", "New")
    GROWING = "growing", _("Growing")
    MATURE = "mature", _("Mature")
    AT_RISK = "at_risk", _("At risk")
    CHURNED = "churned", _("Churned")


class Gender(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class IdType(models.TextChoices):
    NONE = "", _("None")
    RESIDENT_ID = "resident_id", _("Resident ID card")
    PASSPORT = "passport", _("Passport")
    CREDIT_CODE = "credit_code", _("Unified social credit code")
    OTHER = "other", _("Other")


class SourceChannel(models.TextChoices):
    OUTLET = "outlet", _("Outlet / POS")
    CALL_CENTER = "call_center", _("Call center")
    PARTNER = "partner", _("Partner")
    WEB = "web", _("Web")
    KEY_ACCOUNTS = "key_accounts", _("Key-account department")
    IMPORT = "import", _("Import")


class PaymentMethod(models.TextChoices):
    NONE = "", _("Not set")
    CASH = "cash", _("Cash")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    DIRECT_DEBIT = "direct_debit", _("Direct debit")
    ALIPAY = "alipay", _("Alipay")
    WECHAT_PAY = "wechat_pay", _("WeChat Pay")


class CreditLevel(models.TextChoices):
    NONE = "", _("Not rated")
    AAA = "AAA", "AAA"
    AA = "AA", "AA"
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"


class ContactPointKind(models.TextChoices):
    MOBILE = "mobile", _("Mobile")
    PHONE = "phone", _("Landline")
    EMAIL = "email", _("E-mail")
    WECHAT = "wechat", _("WeChat")
    QQ = "qq", _("QQ")
    OTHER = "other", _("Other")


class AddressKind(models.TextChoices):
    HOME = "home", pgettext_lazy("address kind", "Home")
    OFFICE = "office", pgettext_lazy("address kind", "Office")
    BILLING = "billing", pgettext_lazy("address kind", "Billing")
    INSTALLATION = "installation", pgettext_lazy("address kind", "Installation")


class HoldingStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    ENDED = "ended", _("Ended")


class InteractionChannel(models.TextChoices):
    """Where a contact with the customer happened (接触渠道)."""

    CALL = "call", _("Phone call")
    VISIT = "visit", _("Visit")
    OUTLET = "outlet", _("Outlet visit")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")
    WEB = "web", _("Web")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class TransactionKind(models.TextChoices):
    """Which way money moved (交易类型); "refund" is money paid back, not the warranty remedy."""

    ORDER = "order", pgettext_lazy("transaction kind", "Order")
    BILL = "bill", pgettext_lazy("transaction kind", "Bill")
    PAYMENT = "payment", pgettext_lazy("transaction kind", "Payment")
    REFUND = "refund", pgettext_lazy("transaction kind", "Refund")
    # The compensating entry of a cancelled order (订单冲销): rows are never deleted nor negative.
    REVERSAL = "reversal", pgettext_lazy("transaction kind", "Order reversal")
