"""Reference-reader harness for the interop tests: reads and writes Delta tables with delta-rs (the
`deltalake` package) and prints canonical JSON that the TypeScript tests compare with our own reader.

Canonical values: ints as decimal strings, dates as YYYY-MM-DD, timestamps as integer microseconds
since the epoch (UTC) in a string, floats via repr, booleans as "true"/"false", null as None.
"""
import argparse
import datetime as dt
import json
import os
import sys

import pyarrow as pa
from canonical_rows import EPOCH, canonical_rows
from deltalake import DeltaTable, write_deltalake

def storage_options():
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        return None
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ALLOW_HTTP": "true",
        "AWS_REGION": os.environ.get("AWS_REGION", "us-east-1"),
        "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
        "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
        "AWS_S3_ALLOW_UNSAFE_RENAME": "true",
        "conditional_put": "etag",
    }


def open_table(uri, version=None):
    opts = storage_options() if uri.startswith("s3://") else None
    return DeltaTable(uri, version=version, storage_options=opts)


def read(args):
    table = open_table(args.uri, args.version)
    data = table.to_pyarrow_table()
    schema = data.schema
    out = {
        "version": table.version(),
        "partition_columns": table.metadata().partition_columns,
        "schema": [{"name": f.name, "type": str(f.type), "nullable": f.nullable} for f in schema],
        "num_rows": data.num_rows,
        "files": sorted(table.file_uris()),
    }
    if not args.count_only:
        out["rows"] = canonical_rows(data)
        out["history"] = [{"version": h.get("version"), "operation": h.get("operation")} for h in table.history()]
    json.dump(out, sys.stdout)


def write(args):
    """Write a table with delta-rs: a partitioned table over several commits, optionally checkpointed."""
    uri = args.uri
    opts = storage_options() if uri.startswith("s3://") else None
    schema = pa.schema(
        [
            ("id", pa.int64()),
            ("name", pa.string()),
            ("amount", pa.float64()),
            ("ts", pa.timestamp("us", tz="UTC")),
            ("date", pa.date32()),
        ]
    )
    commits = args.commits
    for c in range(commits):
        n = 5
        ids = list(range(c * n, c * n + n))
        batch = pa.table(
            {
                "id": pa.array(ids, pa.int64()),
                "name": pa.array([f"name-{i}" if i % 4 else None for i in ids], pa.string()),
                "amount": pa.array([i * 1.5 for i in ids], pa.float64()),
                "ts": pa.array([EPOCH + dt.timedelta(days=20000 + (i % 3), seconds=i) for i in ids], pa.timestamp("us", tz="UTC")),
                "date": pa.array([dt.date(2025, 4, 1 + (i % 3)) for i in ids], pa.date32()),
            },
            schema=schema,
        )
        write_deltalake(uri, batch, partition_by=["date"], mode="append", storage_options=opts)
    table = open_table(uri)
    if args.delete_where:
        table.delete(args.delete_where)
    if args.checkpoint:
        table.create_checkpoint()
    json.dump({"version": open_table(uri).version()}, sys.stdout)


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("read")
    r.add_argument("uri")
    r.add_argument("--version", type=int)
    r.add_argument("--count-only", action="store_true")
    w = sub.add_parser("write")
    w.add_argument("uri")
    w.add_argument("--commits", type=int, default=3)
    w.add_argument("--checkpoint", action="store_true")
    w.add_argument("--delete-where")
    args = parser.parse_args()
    {"read": read, "write": write}[args.cmd](args)
    # Leave without interpreter teardown: the native runtime of deltalake/pyarrow sometimes aborts
    # (SIGABRT, "terminate called without an active exception") while its threads are torn down at
    # exit, after the answer was printed. The answer is complete; the exit status must not lie.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
