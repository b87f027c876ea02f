"""Staff users, teams, roles and API tokens (员工、团队、角色): sign-in and lockout, the role table
(`roles.py`) and the permission-table machinery every app's `permissions.py` builds on (`access.py`).
It sits above core and integrations and below every business app.
"""
