"""`clearinghouse demo | serve | worker | migrate`: running the platform."""

from __future__ import annotations

import argparse
import os

from ._common import EXIT_OK, call, setup_django


def migrate(args: argparse.Namespace) -> int:
    """Create or upgrade the database schema."""
    setup_django()
    call("migrate", interactive=False, verbosity=1)
    return EXIT_OK


def serve(args: argparse.Namespace) -> int:
    """Serve the web app and API with waitress (a production WSGI server in pure Python)."""
    setup_django()
    call("collectstatic", interactive=False, verbosity=0)
    from django.conf import settings
    from waitress import serve as waitress_serve

    from clearinghouse.wsgi import application

    print(f"Serving Clearinghouse on http://{args.host}:{args.port}/ (Ctrl-C to stop)", flush=True)
    # waitress drops X-Forwarded-* headers unless told otherwise; behind the trusted proxy
    # Django must see them (SECURE_PROXY_SSL_HEADER, the client's address), or every request
    # would count as plain HTTP and be redirected to HTTPS for ever.
    waitress_serve(
        application,
        host=args.host,
        port=args.port,
        threads=args.threads,
        clear_untrusted_proxy_headers=not settings.CLEARINGHOUSE_TRUSTED_PROXY,
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
