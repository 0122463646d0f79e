"""The `jig` command: thin commands over the library.

Exit status: 0 when the command ran (rejected rows are reported on stderr and kept aside);
2 when the agreement is invalid or a file cannot be read (`jig validate` included, so
scripts test one code).
"""

from __future__ import annotations

from jig import collector
from jig.cli import (  # noqa: F401  (they register their commands)
    air,
    audit,
    cell,
    explain,
    extract,
    files,
    library,
    report,
    whatif,
)
from jig.cli.common import app


def main() -> None:
    collector.claim()  # the console command owns its process (tests call `app`, not this)
    app()


__all__ = ["app", "main"]
