"""`clearinghouse bench load`: concurrent clients against the served app, with two workers.

A scratch database (a dedicated PostgreSQL one with --database) is migrated; the real
server (`clearinghouse serve`, waitress, `--processes` of `--threads` threads) and two
`clearinghouse worker` processes are started on it as subprocesses. One client, then N
clients at once, POST fresh documents to `/api/intake/submissions` on loopback for a bounded
time; every `--large-every`th document is large enough to be processed by the workers.
Printed: requests/s, p50/p95 latency and errors of each phase, and — after the workers
drained the queue — a count proving every accepted submission is stored exactly once, with
each of its reports once.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from clearinghouse.cli._common import EXIT_OK, BadInput, scratch_django

_RUN_CLI = "import sys; from clearinghouse.cli import main; sys.exit(main(sys.argv[1:]))"


@dataclass
class _Phase:
    """What the clients of one phase saw."""

    clients: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    #: Responses other than 201 by status (0: no response: the connection failed).
    errors: Counter[int] = field(default_factory=Counter)
    accepted: list[int] = field(default_factory=list)
    items: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def p(self, quantile: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(quantile * len(ordered)))] if ordered else 0.0

    def line(self) -> str:
        rate = len(self.latencies) / self.seconds if self.seconds else 0.0
        return (
            f"{self.clients:>3} client(s), {self.seconds:.0f} s: {len(self.latencies):,} requests, "
            f"{rate:,.1f} req/s, p50 {self.p(0.5) * 1000:,.0f} ms, "
            f"p95 {self.p(0.95) * 1000:,.0f} ms, "
            f"{self.errors.total()} errors"
            + "".join(f"; {n} answered {status}" for status, n in sorted(self.errors.items()))
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _document(items: int) -> bytes:
    """A new document (never answered as sent before) of unrelated items.

    Random words, so that dedup finds no candidates: a shared word would put every stored
    report in each new one's pool, and the cost would grow with the store, not the load.
    """
    reports = [
        {
            "title": f"{secrets.token_hex(5)} {secrets.token_hex(5)}",
            "description": secrets.token_hex(12),
        }
        for _ in range(items)
    ]
    return json.dumps({"reports": reports}).encode()


def _client(
    port: int,
    token: str,
    phase: _Phase,
    until: float,
    numbers: Iterator[int],
    sizes: tuple[int, int, int],
) -> None:
    small, large, every = sizes
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    # As from the TLS proxy a deployment has in front (plain HTTP would be redirected).
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "X-Forwarded-Proto": "https",
    }
    while time.monotonic() < until:
        number = next(numbers)
        items = large if every and number % every == every - 1 else small
        body = _document(items)
        started = time.perf_counter()
        try:
            connection.request("POST", "/api/intake/submissions", body, headers)
            response = connection.getresponse()
            answer = response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            status, answer = 0, b""
        elapsed = time.perf_counter() - started
        with phase.lock:
            phase.latencies.append(elapsed)
            if status == 201:
                phase.accepted.append(json.loads(answer)["id"])
                phase.items += items
            else:
                phase.errors[status] += 1
    connection.close()


def _run_phase(
    port: int,
    tokens: list[str],
    seconds: float,
    sizes: tuple[int, int, int],
    numbers: Iterator[int],
) -> _Phase:
    phase = _Phase(clients=len(tokens))
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(target=_client, args=(port, token, phase, until, numbers, sizes))
        for token in tokens
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - started
    return phase


def _wait_until_served(port: int, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BadInput(f"the server exited with {server.returncode} before serving")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise BadInput(f"the server did not listen on port {port} within {timeout:g} s")


PREFILL = 2000
"""Reports stored before the clients start: the store the phases share (as measured before)."""


def _prefill(reports: int) -> int:
    """Store `reports` reports of another lab first, in-process: the store the phases share.

    Dedup looks every new report up in a store-wide index, whose postings grow with the store;
    without a prefill the single client would run on a smaller store than the clients after it.
    """
    from clearinghouse.accounts.models import Organisation, Role
    from clearinghouse.accounts.services import create_user
    from clearinghouse.intake import services

    seeder = create_user(
        username="load-prefill",
        password=secrets.token_urlsafe(),
        role=Role.DEVELOPER,
        organisation=Organisation.objects.create(name="Prefill Lab", kind="lab"),
    )
    for start in range(0, reports, services.background_items()):
        size = min(services.background_items(), reports - start)
        services.submit(seeder, _document(size), background=False)
    return reports


def bench_load(args: argparse.Namespace) -> int:
    """Throughput, p95 and errors of N concurrent clients vs one, and every submission once."""
    if args.clients < 1 or args.seconds <= 0 or args.baseline_seconds <= 0 or args.processes < 1:
        raise BadInput("--clients, --processes, --seconds and --baseline-seconds must be positive")
    if (args.prefill or 0) < 0 or args.warmup_seconds < 0:
        raise BadInput("--prefill and --warmup-seconds must not be negative")
    scratch = scratch_django(args.database, "clearinghouse-load-")
    from django.db import connection
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from clearinghouse.accounts.models import Organisation, Role
    from clearinghouse.accounts.services import create_user, issue_token
    from clearinghouse.intake.models import Report, Submission
    from clearinghouse.intake.services import background_items

    if Submission.objects.exists():
        raise BadInput("the database already holds submissions: point --database at an empty one")
    prefilled = _prefill(PREFILL if args.prefill is None else args.prefill)
    lab = Organisation.objects.create(name="Load Lab", kind="lab")
    tokens = []
    for n in range(args.clients):
        user = create_user(
            username=f"load-{n}",
            password=secrets.token_urlsafe(),
            role=Role.DEVELOPER,
            organisation=lab,
        )
        tokens.append(issue_token(user, "bench load")[1])
    connection.close()  # the subprocesses below are the database's users now
    port = _free_port()
    env = dict(os.environ, CLEARINGHOUSE_TRUSTED_PROXY="1")
    log = open(os.path.join(scratch, "processes.log"), "wb")  # noqa: SIM115  (closed below)
    processes = [
        subprocess.Popen(  # noqa: S603  (our own CLI, fixed arguments)
            [
                sys.executable,
                "-c",
                _RUN_CLI,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--threads",
                str(args.threads),
                "--processes",
                str(args.processes),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        ),
        *(
            subprocess.Popen(  # noqa: S603  (our own CLI, fixed arguments)
                [sys.executable, "-c", _RUN_CLI, "worker"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            for _ in range(2)
        ),
    ]
    large = background_items() + 1
    sizes = (args.items, large, args.large_every)
    numbers = count()
    try:
        _wait_until_served(port, processes[0])
        print(
            f"database: {connection.vendor} {connection.settings_dict['NAME']}; waitress: "
            f"{args.processes} process(es) of {args.threads} threads, and 2 workers, on "
            f"127.0.0.1:{port}; documents of {args.items} "
            f"items, every {args.large_every}th of {large} (processed by the workers); "
            f"{prefilled:,} reports stored before; {os.cpu_count()} CPUs"
        )
        # Untimed: the server's first requests import and build what it serves with; one
        # client for one process, more for more (each connection is taken by one of them).
        warming = tokens[: 2 * args.processes - 1]
        warmup = _run_phase(port, warming, args.warmup_seconds, (args.items, 0, 0), numbers)
        baseline = _run_phase(port, tokens[:1], args.baseline_seconds, sizes, numbers)
        print("baseline", baseline.line())
        load = _run_phase(port, tokens, args.seconds, sizes, numbers)
        print("load    ", load.line())
        if baseline.latencies and load.latencies:
            ratio = (len(load.latencies) / load.seconds) / (
                len(baseline.latencies) / baseline.seconds
            )
            print(
                f"throughput {ratio:.2f}x the single client's; "
                f"p95 {load.p(0.95) / max(baseline.p(0.95), 1e-9):.1f}x"
            )
        deadline = time.monotonic() + args.drain_timeout
        while DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists():
            if time.monotonic() > deadline:
                raise BadInput(
                    f"the workers did not drain the queue within {args.drain_timeout:g} s"
                )
            time.sleep(0.5)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        log.close()
    accepted = [*warmup.accepted, *baseline.accepted, *load.accepted]
    expected_items = warmup.items + baseline.items + load.items
    stored = Submission.objects.filter(pk__in=accepted)
    completed = stored.filter(status="completed").count()
    every = Submission.objects.filter(organisation=lab).count()
    reports = Report.objects.filter(submission__organisation=lab)
    twice = reports.values("submission", "index").annotate(n=Count("pk")).filter(n__gt=1).count()
    print(
        f"exactly once: {len(accepted):,} accepted, {len(set(accepted)):,} distinct ids, "
        f"{every:,} stored ({completed:,} completed); "
        f"{reports.count():,} reports of {expected_items:,} items, {twice} stored twice"
    )
    whole = (
        len(set(accepted))
        == len(accepted)
        == Submission.objects.filter(organisation=lab).count()
        == completed
        and reports.count() == expected_items
        and twice == 0
        and len(accepted) > 0
        and baseline.errors.total() == load.errors.total() == 0
    )
    print(
        "every accepted submission stored exactly once"
        if whole
        else "MISMATCH or failed requests: see the counts above"
    )
    return EXIT_OK if whole else 1


def add_verb(benches: Any, verb: Any) -> None:
    """Register `bench load`."""
    load = verb(benches, "load", bench_load, "concurrent clients against the served app")
    load.add_argument("--database", help="postgres://… of a dedicated, empty database")
    load.add_argument("--clients", type=int, default=50)
    load.add_argument("--seconds", type=float, default=60, help="length of the load phase")
    load.add_argument("--baseline-seconds", type=float, default=15, help="the single client's")
    load.add_argument("--items", type=int, default=3, help="items of each small document")
    load.add_argument(
        "--large-every",
        type=int,
        default=100,
        help="every Nth is processed by the workers (0: none)",
    )
    load.add_argument("--threads", type=int, default=16, help="waitress threads of each process")
    load.add_argument("--processes", type=int, default=1, help="server processes (serve's)")
    load.add_argument(
        "--prefill",
        type=int,
        help=f"reports stored before the clients start (default {PREFILL:,})",
    )
    load.add_argument("--warmup-seconds", type=float, default=3, help="untimed single client first")
    load.add_argument(
        "--drain-timeout", type=float, default=300, help="wait for the workers at most this long"
    )
