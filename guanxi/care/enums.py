from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OccasionKind(models.TextChoices):
    """What a care rule celebrates (关怀时机)."""

    BIRTHDAY = "birthday", _("Birthday")
    PUBLIC_HOLIDAY = "public_holiday", _("Public holiday")
    LUNAR_FESTIVAL = "lunar_festival", _("Lunar festival")
    CONTRACT_ANNIVERSARY = "contract_anniversary", _("Contract anniversary")
    KEY_ACCOUNT = "key_account", _("Key-account celebration")


class Festival(models.TextChoices):
    """The lunar festivals (传统节日), each on its lunar month and day."""

    SPRING = "spring", _("Spring Festival")
    LANTERN = "lantern", _("Lantern Festival")
    DRAGON_BOAT = "dragon_boat", _("Dragon Boat Festival")
    QIXI = "qixi", _("Qixi Festival")
    MID_AUTUMN = "mid_autumn", _("Mid-Autumn Festival")
    DOUBLE_NINTH = "double_ninth", _("Double Ninth Festival")
    LABA = "laba", _("Laba Festival")


class PublicHoliday(models.TextChoices):
    """The solar public holidays (法定节假日) a rule can name; the lunar ones are festivals."""

    NEW_YEAR = "new_year", _("New Year's Day")
    LABOUR_DAY = "labour_day", _("Labour Day")
    NATIONAL_DAY = "national_day", _("National Day")


class ActionKind(models.TextChoices):
    """What care does (关怀方式): a greeting is a message, the others are tasks for a person."""

    GREETING = "greeting", _("Greeting")
    CARD = "card", _("Card")
    GIFT = "gift", _("Gift")
    VISIT = "visit", pgettext_lazy("care", "Visit")
    ON_SITE_SERVICE = "on_site_service", _("On-site service")
    BILL_DELIVERY = "bill_delivery", _("Bill delivery")
    TRAINING = "training", _("Training")
    RECOMMENDATION = "recommendation", _("Product or promotion recommendation")


class CareChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    TASK = "task", _("Task for the customer's owner")


class BirthdayCalendar(models.TextChoices):
    """How a customer keeps their birthday (过阳历生日 / 过农历生日)."""

    SOLAR = "solar", _("Solar (Gregorian)")
    LUNAR = "lunar", _("Lunar")
