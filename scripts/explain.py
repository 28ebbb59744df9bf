"""The statements a benchmark run sent, from two /metrics snapshots taken with
[metrics] statement_texts on: the hottest three with PostgreSQL's plan for them, and every one
checked for a sequential scan of a table with more than LARGE rows.

    python3 scripts/explain.py DATABASE_URL BEFORE AFTER

Plans are PostgreSQL's generic plans (the ones a prepared statement gets whatever its values),
so no value has to be made up. Exits 1 when a statement reads a large table from end to end.
"""

import re
import subprocess
import sys

LARGE = 10_000
CALLS = re.compile(r'^portcullis_database_statement_calls_total\{sql="(.*)"\} (\d+)$')


def unescape(label):
    out, i = [], 0
    while i < len(label):
        c = label[i]
        if c == "\\" and i + 1 < len(label):
            nxt = label[i + 1]
            out.append({"n": "\n", '"': '"', "\\": "\\"}.get(nxt, nxt))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def calls(path):
    found = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = CALLS.match(line.rstrip("\n"))
            if m:
                found[unescape(m.group(1))] = int(m.group(2))
    return found


def psql(url, script):
    done = subprocess.run(
        ["psql", "-qAtX", url],
        input=script,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout + done.stderr


def plan(url, sql, custom=False):
    """The generic plan, or with `custom` the plan for made-up values of the right types
    (what a statement run with plan_cache_mode = force_custom_plan gets)."""
    params = max((int(n) for n in re.findall(r"\$(\d+)", sql)), default=0)
    if not params:
        return psql(url, f"EXPLAIN {sql};\n").strip()
    if not custom:
        args = ", ".join(["NULL"] * params)
        return psql(
            url,
            "SET plan_cache_mode = force_generic_plan;\n"
            f"PREPARE s AS {sql};\n"
            f"EXPLAIN EXECUTE s({args});\n",
        ).strip()
    types = psql(
        url,
        f"PREPARE s AS {sql};\n"
        "SELECT array_to_string(parameter_types, ',') FROM pg_prepared_statements "
        "WHERE name = 's';\n",
    ).strip().splitlines()[-1].split(",")
    values = []
    for t in types:
        if t in ("bigint", "integer", "smallint", "numeric"):
            values.append("50")
        elif t == "boolean":
            values.append("false")
        else:
            values.append("'%explain-probe%'")
    return psql(
        url,
        "SET plan_cache_mode = force_custom_plan;\n"
        f"PREPARE s AS {sql};\n"
        f"EXPLAIN EXECUTE s({', '.join(values)});\n",
    ).strip()


def large_scans(text, sizes):
    return [t for t in re.findall(r"Seq Scan on (\w+)", text) if sizes.get(t, 0) > LARGE]


def main():
    url, before, after = sys.argv[1:4]
    b, a = calls(before), calls(after)
    delta = sorted(
        ((n - b.get(sql, 0), sql) for sql, n in a.items() if n - b.get(sql, 0) > 0),
        reverse=True,
    )
    rows = psql(
        url,
        "SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r' "
        "AND relnamespace = 'public'::regnamespace;",
    )
    sizes = {}
    for line in rows.splitlines():
        name, _, n = line.partition("|")
        if n.strip().lstrip("-").isdigit():
            sizes[name] = int(n)
    plannable = [
        (n, sql)
        for n, sql in delta
        if sql.lstrip().split(" ", 1)[0].upper() in ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")
    ]
    print(f"\n{len(plannable)} statements sent during the large run; the hottest three:")
    for n, sql in plannable[:3]:
        print(f"\n-- {n} calls\n{sql}\n{plan(url, sql)}")
    bad, custom_only = [], []
    for n, sql in plannable:
        if not large_scans(plan(url, sql), sizes):
            continue
        # The user search runs with plans made for its values (store::begin_search): what
        # counts for it is the plan a pattern gets.
        tables = large_scans(plan(url, sql, custom=True), sizes)
        if tables:
            bad.extend((n, t, sql) for t in tables)
        else:
            custom_only.append((n, sql))
    print(
        f"\nsequential scans of a table over {LARGE:,} rows: {len(bad)} "
        f"(of {len(plannable)} statements)"
    )
    for n, table, sql in bad:
        print(f"  {table} ({n} calls): {sql[:300]}")
    for n, sql in custom_only:
        print(
            f"  none with a plan for its values, which is how the search runs ({n} calls): "
            f"{sql[:160]}"
        )
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
