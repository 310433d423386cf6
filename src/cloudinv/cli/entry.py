"""The `cloudinv` executable.

The client commands (`login`, `jobs list`, `collectors collect`, ...) only talk to a server over REST, but the
full CLI imports the server's code to offer `serve` and the database commands, which costs about a second
before anything happens. So a client command runs from a CLI of the client commands alone; everything else,
`--help` included, from the full one (which has the client commands too).
"""

from __future__ import annotations

import sys

_GROUPS = frozenset({"login", "job-tasks", "collectors", "secrets", "assets"})
_JOB_VERBS = frozenset({"list", "get", "delete", "analyze", "stat", "watch", "cancel"})


def is_client_command(args: list[str]) -> bool:
    if not args:
        return False
    if args[0] == "jobs":
        return len(args) > 1 and args[1] in _JOB_VERBS
    return args[0] in _GROUPS


def main() -> None:
    if is_client_command(sys.argv[1:]):
        from cloudinv.cli.commands import remote_cli

        remote_cli()(prog_name="cloudinv")
    else:
        from cloudinv.cli.main import main as full_cli

        full_cli()
