"""The service desk (客服工单): cases and their clocks against service standards and business
calendars, complaints, callbacks, promises (commitments), calls and the knowledge base. Registers its
events on the customer timeline, its home panel, demo steps and effort source in `apps.py`.
"""
