"""The canonical row form the interop harness prints and tests/support/canonical.ts reproduces: ints as
decimal strings, dates as YYYY-MM-DD, timestamps as integer microseconds since the epoch (UTC) in a
string, floats via repr, booleans "true"/"false", null as None; rows sorted by their sorted-keys JSON.
"""
import datetime as dt
import json

import pyarrow as pa

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def canonical(value, typ):
    if value is None:
        return None
    if pa.types.is_timestamp(typ):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        delta = value - EPOCH
        return str((delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds)
    if pa.types.is_date(typ):
        return value.isoformat()
    if pa.types.is_boolean(typ):
        return "true" if value else "false"
    if pa.types.is_floating(typ):
        return repr(float(value))
    if pa.types.is_integer(typ):
        return str(int(value))
    return str(value)


def canonical_rows(data):
    """The rows of a pyarrow Table in canonical form, sorted."""
    rows = [{f.name: canonical(rec[f.name], f.type) for f in data.schema} for rec in data.to_pylist()]
    rows.sort(key=lambda r: json.dumps(r, sort_keys=True))
    return rows
