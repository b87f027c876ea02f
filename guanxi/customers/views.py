from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import selectors


@login_required
def customer_list(request):
    customers = selectors.customer_list(user=request.user)[:20]
    return render(request, "customers/customer_list.html", {"customers": customers})
