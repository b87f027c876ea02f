"""Apache Spark for the heavy batch jobs, when configured (`BATCH_ENGINE=spark`).

The jobs keep their single-machine path (DuckDB, pandas) as the default; with Spark configured they
hand their set-based core to one Spark session per process. `SPARK_MASTER` says where it runs:
`local[N]` on this machine (the tests use `local[1]`), `spark://host:7077`, `yarn` or `k8s://…` for a
cluster; `SPARK_CONF` adds any Spark property ("spark.executor.memory=8g;spark.executor.cores=4").
Inputs are handed to Spark as Parquet in `SPARK_WORK_DIR`, which a cluster's executors must be able to
read (a shared file system or an object store URL): see docs/spark.md."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame, SparkSession

ENGINES = ("local", "spark")


def batch_engine() -> str:
    engine = getattr(settings, "BATCH_ENGINE", "local")
    if engine not in ENGINES:
        raise ImproperlyConfigured(f"BATCH_ENGINE must be one of {', '.join(ENGINES)}, not {engine!r}")
    return engine


def spark_properties(text: str) -> dict[str, str]:
    """'a.b=1; c.d = x' → {'a.b': '1', 'c.d': 'x'}; a pair without '=' is a configuration error."""
    properties = {}
    for pair in filter(None, (part.strip() for part in text.split(";"))):
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ImproperlyConfigured(f"SPARK_CONF: {pair!r} is not key=value")
        properties[key.strip()] = value.strip()
    return properties


@functools.cache
def spark_session() -> SparkSession:
    """The process's Spark session (started on first use; splink's similarity functions registered)."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    builder = (SparkSession.builder.master(settings.SPARK_MASTER).appName("guanxi")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.shuffle.partitions", "8")
               .config("spark.jars", similarity_jar_location()))
    for key, value in spark_properties(settings.SPARK_CONF).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    # splink breaks long query lineages by writing intermediate tables as Parquet checkpoints.
    session.sparkContext.setCheckpointDir(str(work_dir() / "checkpoints"))
    return session


def work_dir() -> Path:
    path = Path(settings.SPARK_WORK_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def to_spark(con, relation: str, name: str) -> DataFrame:
    """A DuckDB relation handed to Spark through a Parquet file in the work directory."""
    directory = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=work_dir()))
    path = directory / f"{name}.parquet"
    con.execute(f"COPY (SELECT * FROM {relation}) TO '{path}' (FORMAT parquet)")  # nosec B608  # identifiers from code (catalogue/table definitions), values bound as parameters
    return spark_session().read.parquet(str(path))


def to_pandas(frame: DataFrame) -> pd.DataFrame:
    """A Spark result as pandas, through Arrow (the driver must hold it: results, not inputs)."""
    return frame.toPandas()


EXPORT_CHUNK = 500_000
TRUE_TEXTS = {"t", "true", "1"}


def _arrow_type(kind: str):
    import pyarrow as pa

    return {"int": pa.int64(), "str": pa.string(), "bool": pa.bool_(), "float": pa.float64(),
            "money": pa.decimal128(18, 2), "ts": pa.timestamp("us", tz="UTC"), "date": pa.date32()}[kind]


SPARK_TYPES = {"int": "BIGINT", "str": "STRING", "bool": "BOOLEAN", "float": "DOUBLE", "money": "DECIMAL(18,2)",
               "ts": "TIMESTAMP", "date": "DATE"}


def spark_schema(columns: tuple[tuple[str, str], ...], types: dict[str, str] = SPARK_TYPES) -> str:
    """The DDL schema of (name, kind) columns: Spark then reads Parquet without a job to infer it."""
    return ", ".join(f"`{name}` {types[kind]}" for name, kind in columns)


def _arrow_column(values: pd.Series, kind: str):
    """One column as Arrow, whatever form the database driver gave it (PostgreSQL's COPY CSV parsed by
    pyarrow, or SQLite's rows: text timestamps and dates, 0/1 booleans)."""
    from decimal import Decimal

    import pandas as pd
    import pyarrow as pa

    if kind == "money":  # exact: through the decimal text, never a binary float
        texts = [None if pd.isna(v) else format(Decimal(str(v)), "f") for v in values]
        return pa.array(texts, type=pa.string()).cast(_arrow_type(kind))
    if kind == "ts":
        return pa.array(pd.to_datetime(values, utc=True, format="ISO8601"), type=_arrow_type(kind))
    if kind == "date":
        return pa.array(pd.to_datetime(values, format="ISO8601").dt.date, type=_arrow_type(kind))
    if kind == "bool":
        return pa.array([None if pd.isna(v) else str(v).strip().lower() in TRUE_TEXTS or v is True for v in values],
                        type=_arrow_type(kind))
    if kind == "int":
        return pa.array(pd.to_numeric(values).astype("Int64"), type=_arrow_type(kind))
    if kind == "float":
        return pa.array(pd.to_numeric(values).astype("float64"), type=_arrow_type(kind))
    return pa.array([None if pd.isna(v) else str(v) for v in values], type=_arrow_type(kind))


def _page(sql: str, names: list[str]) -> pd.DataFrame:
    """One page of an export. On PostgreSQL COPY's CSV is parsed as text by pyarrow, keeping apart
    what pandas' CSV reader would merge: NULL (an empty field) and '' (a quoted empty field)."""
    from django.db import connection

    from guanxi.core.copy import copy_out_csv, query_frame

    if connection.vendor != "postgresql":
        return query_frame(sql, [], names)
    import io

    import pandas as pd
    import pyarrow as pa
    from pyarrow import csv

    buffer = io.BytesIO()
    if not copy_out_csv(sql, [], out=buffer):
        return pd.DataFrame(columns=names)
    buffer.seek(0)
    table = csv.read_csv(buffer, read_options=csv.ReadOptions(column_names=names),
                         convert_options=csv.ConvertOptions(
                             column_types={name: pa.string() for name in names}, strings_can_be_null=True,
                             quoted_strings_can_be_null=False, null_values=[""]))
    return table.to_pandas()


def table_to_spark(table: str, columns: tuple[tuple[str, str], ...], *, chunk: int = EXPORT_CHUNK,
                   directory: Path | None = None) -> DataFrame:
    """An operational table's `columns` (name, kind; `id` among them) handed to Spark: read in id order,
    `chunk` rows at a time (keyset pages), into Parquet parts (in `directory`, default a new one in the
    work directory); registered as a temporary view of the same name. The names come from code, never
    from a request."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = [name for name, _ in columns]
    schema = pa.schema([(name, _arrow_type(kind)) for name, kind in columns])
    if directory is None:
        directory = Path(tempfile.mkdtemp(prefix=f"{table}-", dir=work_dir()))
    directory.mkdir(parents=True, exist_ok=True)
    last, part = None, 0
    while True:
        where = "" if last is None else f" WHERE id > {int(last)}"
        sql = f"SELECT {', '.join(names)} FROM {table}{where} ORDER BY id LIMIT {int(chunk)}"  # nosec B608
        frame = _page(sql, names)
        if part == 0 or len(frame):
            arrays = [_arrow_column(frame[name], kind) for name, kind in columns]
            pq.write_table(pa.Table.from_arrays(arrays, schema=schema), directory / f"part-{part:05}.parquet")
            part += 1
        if len(frame) < chunk:
            break
        last = frame["id"].iloc[-1]
    spark_frame = spark_session().read.schema(spark_schema(columns)).parquet(str(directory))
    spark_frame.createOrReplaceTempView(table)
    return spark_frame


def spark_query_frame(sql: str, params: dict, columns: tuple[str, ...]) -> pd.DataFrame:
    """`sql` (pyformat parameters, as for the database) run on Spark; the rows as pandas with `columns`."""
    import re

    marked = re.sub(r"%\((\w+)\)s", r":\1", sql)
    used = set(re.findall(r":(\w+)", marked))
    frame = to_pandas(spark_session().sql(marked, args={k: v for k, v in params.items() if k in used}))
    frame.columns = list(columns)
    return frame
