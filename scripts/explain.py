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


def plan(url, sql):
    params = max((int(n) for n in re.findall(r"\$(\d+)", sql)), default=0)
    args = f"({', '.join(['NULL'] * params)})" if params else ""
    return psql(
        url,
        "SET plan_cache_mode = force_generic_plan;\n"
        f"PREPARE s AS {sql};\n"
        f"EXPLAIN EXECUTE s{args};\n",
    ).strip()


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
    bad = []
    for n, sql in plannable:
        text = plan(url, sql)
        for table in re.findall(r"Seq Scan on (\w+)", text):
            if sizes.get(table, 0) > LARGE:
                bad.append((n, table, sql))
    print(
        f"\nsequential scans of a table over {LARGE:,} rows: {len(bad)} "
        f"(of {len(plannable)} statements)"
    )
    for n, table, sql in bad:
        print(f"  {table} ({n} calls): {sql[:300]}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
