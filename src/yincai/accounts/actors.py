"""Who is asking: a signed-in account, or the system itself with a stated purpose.

Every service that reads a student's or a class's records takes a required ``actor``:

    UserAccount   a person signed in on the web (role and scope checked, audited as the account)
    SystemActor   the operator at the server's shell (``cli``), the background worker (``job``)
                  or a benchmark run (``benchmark``): sees the whole database, like anyone who can
                  run commands on the server, and is audited as such (no account, scope = purpose)

A ``SystemActor`` is made only in code that runs on the server (Typer commands, jobs,
benchmarks); nothing a web request sends can produce one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from yincai.accounts.models import UserAccount

SystemPurpose = Literal["cli", "job", "benchmark"]


@dataclass(frozen=True)
class SystemActor:
    """The system acting for IT staff on the server, for one stated purpose."""

    purpose: SystemPurpose

    @property
    def scope(self) -> str:
        """The audit rows' scope: the purpose (``cli``, ``job``, ``benchmark``)."""
        return self.purpose


Actor = UserAccount | SystemActor

CLI = SystemActor("cli")  # Typer commands: run by IT staff at the server's shell
JOB = SystemActor("job")  # the background worker
BENCHMARK = SystemActor("benchmark")  # ``yincai bench`` measurements
