"""`clearinghouse demo | serve | worker | migrate`: running the platform."""

from __future__ import annotations

import argparse
import os
import socket
from typing import Any

from . import _prefork
from ._common import EXIT_OK, BadInput, call, setup_django


def migrate(args: argparse.Namespace) -> int:
    """Create or upgrade the database schema."""
    setup_django()
    call("migrate", interactive=False, verbosity=1)
    return EXIT_OK


def serve(args: argparse.Namespace) -> int:
    """Serve the web app and API with waitress (a production WSGI server in pure Python).

    `--processes N` (or CLEARINGHOUSE_SERVE_PROCESSES) above 1 forks N waitress processes
    on one socket (`_prefork`): threads of one process share its GIL, so past a few busy
    threads more processes, not more threads, are what adds throughput.
    """
    setup_django()
    from django.conf import settings
    from django.db import connections
    from django.urls import get_resolver
    from waitress import serve as waitress_serve

    processes = settings.CLEARINGHOUSE_SERVE_PROCESSES if args.processes is None else args.processes
    if processes < 1 or args.threads < 1:
        raise BadInput("--processes and --threads must be at least 1")
    call("collectstatic", interactive=False, verbosity=0)
    from clearinghouse.wsgi import application

    # waitress drops X-Forwarded-* unless told its proxy; with CLEARINGHOUSE_TRUSTED_PROXY the
    # proxy's headers reach Django, which decides from them (SECURE_PROXY_SSL_HEADER, and
    # the client address in security/client.py)
    options: dict[str, Any] = {
        "threads": args.threads,
        "clear_untrusted_proxy_headers": not settings.CLEARINGHOUSE_TRUSTED_PROXY,
    }
    if processes == 1:
        print(
            f"Serving Clearinghouse on http://{args.host}:{args.port}/ (Ctrl-C to stop)", flush=True
        )
        waitress_serve(application, host=args.host, port=args.port, **options)
        return EXIT_OK
    try:
        listener = _prefork.listening_socket(args.host, args.port)
    except socket.gaierror as error:
        raise BadInput(f"--host {args.host}: {error.strerror}") from None
    # Imported once here, not by each process on its first request (the URL patterns
    # import every view and API module: seconds), and so again by each replacement.
    get_resolver().url_patterns  # noqa: B018  (its loading is the point)
    # A connection opened here (a check, the demo's seed) would be shared by every process.
    connections.close_all()
    print(
        f"Serving Clearinghouse on http://{args.host}:{args.port}/ with {processes} processes "
        f"of {args.threads} threads (Ctrl-C to stop)",
        flush=True,
    )
    with listener:
        _prefork.supervise(
            processes, lambda: waitress_serve(application, sockets=[listener], **options)
        )
    return EXIT_OK


def worker(args: argparse.Namespace) -> int:
    """Run a background worker for the database task queue (`--batch`: drain it and exit).

    It writes a heartbeat while it lives and sweeps: tasks of workers that died are run again.
    """
    setup_django()
    from clearinghouse.background.worker import run_worker

    run_worker(batch=args.batch)
    return EXIT_OK


def sweep(args: argparse.Namespace) -> int:
    """Take back the tasks of dead workers and queue due deliveries, once (workers do it too)."""
    setup_django()
    from clearinghouse.background.sweep import sweep as sweep_once

    report = sweep_once()
    print(
        f"requeued: {report.requeued} tasks of dead workers; given up: {report.failed}; "
        f"due deliveries queued: {report.deliveries}"
    )
    return EXIT_OK


def demo(args: argparse.Namespace) -> int:
    """Migrate the embedded SQLite database, load demo data, print the logins, and serve."""
    os.environ.pop("CLEARINGHOUSE_DATABASE_URL", None)  # the demo is always the embedded SQLite
    os.environ["CLEARINGHOUSE_DEMO"] = "1"  # plain HTTP on this machine (settings.DEMO)
    setup_django()
    call("migrate", interactive=False, verbosity=0)
    from clearinghouse.demo.seed import DEMO_PASSWORD, seed

    users = seed()
    print(f"\nClearinghouse demo: http://{args.host}:{args.port}/")
    print(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for user in users:
        organisation = user.organisation.name if user.organisation else "platform"
        print(f"  {user.username:<18} {user.get_role_display():<30} {organisation}")
    if args.no_serve:
        return EXIT_OK
    return serve(args)
