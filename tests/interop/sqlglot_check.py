"""Parse SQL in the Athena (Trino) dialect with sqlglot, the way Athena would have to read it.

Usage: sqlglot_check.py <input.json>, where the input is
  {"statements": {"<name>": "<sql>", ...}, "literals": ["<ExecutionParameters entry>", ...]}
Prints one JSON object:
  {"sqlglot": version,
   "statements": {"<name>": {"ok": bool, "error": str|None, "kind": "select", "tables": ["db.t", ...],
                             "placeholders": n, "roundtrip": bool, "native": bool}},
   "literals": {"<literal>": {"ok": bool, "error": str|None}}}
`roundtrip` says the statement, printed back in the Athena dialect, parses again to the same tree.
`native` says that printing it in the Athena dialect gives back the same tokens: sqlglot did not
have to translate anything (a DuckDB-ism such as `x::INT`, `EXCLUDE` or `[1, 2]` parses, but is
rewritten, so it is not native).
"""
import json
import os
import sys

import sqlglot
from sqlglot import exp
from sqlglot.dialects.athena import Athena


def tokens(sql):
    return [(t.token_type.name, t.text.upper()) for t in Athena().tokenize(sql)]


def check_statement(sql):
    try:
        tree = sqlglot.parse_one(sql, read="athena")
    except Exception as err:  # sqlglot.errors.ParseError and tokenizer errors
        return {"ok": False, "error": f"{type(err).__name__}: {err}"}
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    tables = sorted(
        {f"{t.db}.{t.name}" if t.db else t.name for t in tree.find_all(exp.Table) if t.name not in ctes}
    )
    printed = tree.sql(dialect="athena")
    try:
        roundtrip = sqlglot.parse_one(printed, read="athena") == tree
    except Exception:
        roundtrip = False
    return {
        "ok": True,
        "error": None,
        "kind": tree.key,
        "tables": tables,
        "placeholders": len(list(tree.find_all(exp.Placeholder))),
        "roundtrip": roundtrip,
        "native": tokens(sql) == tokens(printed),
    }


def check_literal(text):
    try:
        tree = sqlglot.parse_one(f"SELECT {text}", read="athena")
        projection = tree.expressions[0]
        ok = not isinstance(projection, (exp.Column, exp.Placeholder))
        return {"ok": ok, "error": None if ok else f"not a literal: {projection.key}"}
    except Exception as err:
        return {"ok": False, "error": f"{type(err).__name__}: {err}"}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    out = {
        "sqlglot": sqlglot.__version__,
        "statements": {name: check_statement(sql) for name, sql in spec.get("statements", {}).items()},
        "literals": {text: check_literal(text) for text in spec.get("literals", [])},
    }
    sys.stdout.write(json.dumps(out))
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
