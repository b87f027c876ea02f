"""Staff users, teams, roles and personal API tokens; and the words every app's permissions are
written in.

Layers (a small app, single files): `models.py`, `enums.py` (the roles); `access.py` (rights,
permission tables, the system and customer actors); `roles.py` (the customers app's table:
read/write scopes and personal data); `permissions.py` (this app's own table: users, teams, tokens);
`selectors.py`; `services.py` (writes, each checking its actor); `api.py`, `views.py`, `forms.py`,
`urls.py`, `lockout.py` (sign-in throttling), `demo.py`.
"""
