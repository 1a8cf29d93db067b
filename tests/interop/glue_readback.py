"""Read Glue tables back with boto3 (the reference AWS SDK) from the moto server of the test harness.

Usage: glue_readback.py <database> <table> [<table> ...]
Prints {"tables": {"<table>": GetTable's Table}, "listed": [names from GetTables]} as JSON.
"""
import json
import os
import sys

import boto3


def main():
    database, names = sys.argv[1], sys.argv[2:]
    glue = boto3.client(
        "glue",
        endpoint_url=os.environ["AWS_ENDPOINT_URL"],
        region_name=os.environ.get("AWS_REGION", "us-east-1"),
    )
    tables = {name: glue.get_table(DatabaseName=database, Name=name)["Table"] for name in names}
    listed = [t["Name"] for t in glue.get_tables(DatabaseName=database)["TableList"]]
    sys.stdout.write(json.dumps({"tables": tables, "listed": sorted(listed)}, default=str))
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
