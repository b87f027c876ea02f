"""Scheduled reports (定期报表): subscriptions to a report kind (the weekly hotspot report, the
executive dashboard summary) sent weekly or monthly as a PDF to staff who may see it, once per
period (`services.reports_send_due`, run by Celery beat)."""
