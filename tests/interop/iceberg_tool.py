"""Reference-reader harness for the Iceberg interop tests: reads tables with pyiceberg (StaticTable from a
metadata location, local or S3 on moto) and writes tables with pyiceberg (SqlCatalog on sqlite with a
local warehouse), printing canonical JSON the TypeScript tests compare with our own reader.

Canonical values are those of delta_tool.py: ints as decimal strings, dates as YYYY-MM-DD, timestamps as
integer microseconds since the epoch (UTC) in a string, floats via repr, booleans "true"/"false", null
as None. Snapshot ids are printed as strings (they exceed JSON's safe integers).
"""
import argparse
import datetime as dt
import json
import os
import sys

import pyarrow as pa
from canonical_rows import EPOCH, canonical_rows
from pyiceberg.table import StaticTable

def io_properties(location):
    if not location.startswith("s3://"):
        return {}
    return {
        "s3.endpoint": os.environ["AWS_ENDPOINT_URL"],
        "s3.access-key-id": os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
        "s3.secret-access-key": os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
        "s3.region": os.environ.get("AWS_REGION", "us-east-1"),
        "s3.force-virtual-addressing": "false",
    }


def describe(table, snapshot_id=None, count_only=False, row_filter=None):
    meta = table.metadata
    options = {}
    if snapshot_id is not None:
        options["snapshot_id"] = snapshot_id
    if row_filter:
        options["row_filter"] = row_filter
    scan = table.scan(**options)
    data = scan.to_arrow()
    snapshot = table.snapshot_by_id(snapshot_id) if snapshot_id is not None else table.current_snapshot()
    out = {
        "format_version": meta.format_version,
        "current_snapshot_id": str(meta.current_snapshot_id) if meta.current_snapshot_id is not None else None,
        "snapshot_id": str(snapshot.snapshot_id) if snapshot else None,
        "schema": [
            {"id": f.field_id, "name": f.name, "type": str(f.field_type), "required": f.required}
            for f in table.schema().fields
        ],
        "partition_spec": [
            {"field_id": f.field_id, "source_id": f.source_id, "name": f.name, "transform": str(f.transform)}
            for f in table.spec().fields
        ],
        "num_rows": data.num_rows,
        "arrow_schema": [{"name": f.name, "type": str(f.type)} for f in data.schema],
    }
    tasks = list(scan.plan_files())
    out["files"] = sorted(
        [{"path": t.file.file_path, "record_count": t.file.record_count, "partition": [str(v) for v in t.file.partition]} for t in tasks],
        key=lambda f: f["path"],
    )
    if not count_only:
        out["rows"] = canonical_rows(data)
        out["snapshots"] = [
            {
                "snapshot_id": str(s.snapshot_id),
                "parent_snapshot_id": str(s.parent_snapshot_id) if s.parent_snapshot_id is not None else None,
                "sequence_number": s.sequence_number,
                "operation": s.summary.operation.value if s.summary else None,
                "summary": {k: v for k, v in (s.summary.additional_properties.items() if s.summary else [])},
            }
            for s in meta.snapshots
        ]
        out["history"] = [{"snapshot_id": str(h.snapshot_id), "timestamp_ms": h.timestamp_ms} for h in table.history()]
    return out


def read(args):
    table = StaticTable.from_metadata(args.metadata, properties=io_properties(args.metadata))
    snapshot_id = int(args.snapshot_id) if args.snapshot_id else None
    json.dump(describe(table, snapshot_id, args.count_only, args.row_filter), sys.stdout)


def write(args):
    """Write a partitioned table with pyiceberg: several appends, optionally an overwrite and a delete."""
    from pyiceberg.catalog.sql import SqlCatalog
    from pyiceberg.partitioning import PartitionField, PartitionSpec
    from pyiceberg.schema import Schema
    from pyiceberg.transforms import IdentityTransform
    from pyiceberg.types import DateType, DoubleType, LongType, NestedField, StringType, TimestamptzType

    warehouse = os.path.abspath(args.warehouse)
    os.makedirs(warehouse, exist_ok=True)
    catalog = SqlCatalog("interop", uri=f"sqlite:///{warehouse}/catalog.db", warehouse=f"file://{warehouse}")
    catalog.create_namespace_if_not_exists("db")
    schema = Schema(
        NestedField(1, "id", LongType(), required=True),
        NestedField(2, "name", StringType(), required=False),
        NestedField(3, "amount", DoubleType(), required=False),
        NestedField(4, "ts", TimestamptzType(), required=False),
        NestedField(5, "date", DateType(), required=False),
    )
    if args.partition == "none":
        spec = PartitionSpec()
    else:
        spec = PartitionSpec(PartitionField(source_id=5, field_id=1000, transform=IdentityTransform(), name="date"))
    table = catalog.create_table("db.events", schema=schema, partition_spec=spec)
    arrow_schema = pa.schema(
        [
            pa.field("id", pa.int64(), nullable=False),
            pa.field("name", pa.string()),
            pa.field("amount", pa.float64()),
            pa.field("ts", pa.timestamp("us", tz="UTC")),
            pa.field("date", pa.date32()),
        ]
    )

    def batch(ids):
        return pa.table(
            {
                "id": pa.array(ids, pa.int64()),
                "name": pa.array([f"name-{i}" if i % 4 else None for i in ids], pa.string()),
                "amount": pa.array([i * 1.5 for i in ids], pa.float64()),
                "ts": pa.array([EPOCH + dt.timedelta(days=20179 + (i % 3), seconds=i) for i in ids], pa.timestamp("us", tz="UTC")),
                "date": pa.array([dt.date(2025, 4, 1 + (i % 3)) for i in ids], pa.date32()),
            },
            schema=arrow_schema,
        )

    for c in range(args.commits):
        table.append(batch(list(range(c * 5, c * 5 + 5))))
    if args.overwrite:
        from pyiceberg.expressions import EqualTo

        # Ids 1000 and 1003 both fall on 2025-04-02: replace that day's rows with them.
        table.overwrite(batch([1000, 1003]), overwrite_filter=EqualTo("date", "2025-04-02"))
    if args.delete_below is not None:
        from pyiceberg.expressions import LessThan

        table.delete(LessThan("id", args.delete_below))
    table = catalog.load_table("db.events")
    out = {"metadata_location": table.metadata_location, "location": table.location()}
    out.update(describe(table))
    json.dump(out, sys.stdout)


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("read")
    r.add_argument("metadata")
    r.add_argument("--snapshot-id")
    r.add_argument("--count-only", action="store_true")
    r.add_argument("--row-filter", help="a pyiceberg row filter expression, e.g. \"id >= 5\" (prunes files by our bounds)")
    w = sub.add_parser("write")
    w.add_argument("warehouse")
    w.add_argument("--commits", type=int, default=3)
    # pyiceberg writes time transforms only with pyiceberg-core (not in the pinned venv): identity or none.
    w.add_argument("--partition", choices=["identity", "none"], default="identity")
    w.add_argument("--overwrite", action="store_true")
    w.add_argument("--delete-below", type=int)
    args = parser.parse_args()
    {"read": read, "write": write}[args.cmd](args)
    # Leave without interpreter teardown (see delta_tool.py): native libraries can abort at exit after
    # the answer was printed; the answer is complete and the exit status must not lie.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
