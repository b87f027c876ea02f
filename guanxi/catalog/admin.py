"""The catalogue in the admin; every change is kept in history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Category, Part, Price, Product


@admin.register(Category)
class CategoryAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "parent")
    search_fields = ("code", "name")


class PriceInline(admin.TabularInline):
    model = Price
    extra = 0
    fields = ("amount", "currency", "unit", "effective_from")


class PartInline(admin.TabularInline):
    model = Part
    extra = 0


@admin.register(Product)
class ProductAdmin(SimpleHistoryAdmin):
    list_display = ("model_code", "name", "kind", "brand", "category", "is_active")
    list_filter = ("kind", "is_active", "category")
    list_select_related = ("category",)
    search_fields = ("model_code", "name", "brand")
    inlines = [PriceInline, PartInline]
