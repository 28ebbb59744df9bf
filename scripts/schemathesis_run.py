"""Runs the schemathesis command line, working around a crash of CPython 3.11 inside
hypothesis.

hypothesis describes the lambdas it filters strategies with by parsing their source, and on
CPython 3.11 that parse can fail with `SystemError: AST constructor recursion depth mismatch`
when it happens deep in the stack (CPython gh-106905). The description is only a label for
reprs, so a lambda that cannot be described is called "lambda" and the run goes on. Used by
scripts/schemathesis.sh: `python3 scripts/schemathesis_run.py run URL …`.
"""

import sys

from hypothesis.internal import lambda_sources

_describe = lambda_sources.lambda_description


def _description(f):
    try:
        return _describe(f)
    except SystemError:
        return "lambda"


lambda_sources.lambda_description = _description

from schemathesis.cli import schemathesis  # noqa: E402  (after the patch, on purpose)

if __name__ == "__main__":
    sys.argv[0] = "schemathesis"
    sys.exit(schemathesis())
