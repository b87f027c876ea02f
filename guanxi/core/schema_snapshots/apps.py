from django.apps import AppConfig


class SchemaSnapshotsConfig(AppConfig):
    name = "guanxi.core.schema_snapshots"
    label = "schema_snapshots"
