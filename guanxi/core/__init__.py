"""The bottom layer, with no business in it: the base model and domain errors, pagination, masking,
audit trails, the API's error documentation and operation ids (`routers.Router`), shared helpers
(CSV safety in `spreadsheet`, PostgreSQL COPY in `copy`, Bootstrap form styling in `forms`), the
registries higher apps plug into (`navigation` home panels, `demo` steps and the `guanxi demo`
command), and the shared test helpers (`testing`). It imports no other app and nothing from `config`.
"""
