"""`clearinghouse check [--deploy]`: Django's system checks and ours, one line per problem."""

from __future__ import annotations

import argparse
import sys

from ._common import EXIT_FINDINGS, EXIT_OK, setup_django

LEVELS = {10: "debug", 20: "info", 30: "warning", 40: "error", 50: "critical"}


def check(args: argparse.Namespace) -> int:
    """Run the system checks (`--deploy`: the production ones too) and print each problem.

    Exit 1 on any error, and with `--deploy` on any warning too: a warning there is a
    production defence that is off. Checks silenced in settings are not run.
    """
    setup_django()
    from django.core import checks

    problems = checks.run_checks(include_deployment_checks=args.deploy)
    failing = checks.WARNING if args.deploy else checks.ERROR
    failed = False
    for problem in sorted(problems, key=lambda item: (-item.level, str(item.id))):
        if problem.is_silenced():
            continue
        failed = failed or problem.level >= failing
        level = LEVELS.get(problem.level, "error")
        hint = f" (hint: {problem.hint})" if problem.hint else ""
        line = " ".join(f"{level}: {problem.id}: {problem.msg}{hint}".split())
        print(line, file=sys.stderr if problem.level >= failing else sys.stdout)
    if failed:
        return EXIT_FINDINGS
    print("no problems found" + (" (deploy checks included)" if args.deploy else ""))
    return EXIT_OK
