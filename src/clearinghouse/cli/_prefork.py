"""`serve --processes N`: one listening socket, N forked server processes, a supervising parent.

Why one socket bound by the parent and inherited, rather than `SO_REUSEPORT` (a socket of
each process's own on the same port):

- Connections wait in one accept queue that every process takes from. With `SO_REUSEPORT`
  the kernel gives each socket its own queue and hashes each new connection to one of them:
  a busy process gets its share regardless, and on Linux connections still queued to a
  process that dies are reset instead of going to the others (unless the host sets
  `net.ipv4.tcp_migrate_req`).
- The port is bound once, before anything is forked: a busy port is the one `error:` line
  of a single process, and no other program can join the port later, as any process of the
  same user could with `SO_REUSEPORT` (a stale server left running would take a share of
  the traffic, silently).
- A process that dies is replaced on the same socket; nothing is rebound, nothing refused.

Each process is a whole waitress server (its own threads, its own database connections:
the parent opens none, see `serve`), so a holder of the audit chain head competes for its
GIL with that process's threads only, and Python work runs on every core.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable
from types import FrameType

#: A process that ends sooner than this after its start is restarted after this long (a
#: process failing at start must not be forked again in a tight loop).
RESTART_PAUSE_SECONDS = 1.0
_STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


def listening_socket(host: str, port: int) -> socket.socket:
    """The server's socket, bound and listening, of the address family `host` resolves to."""
    family, _, _, _, address = socket.getaddrinfo(
        host, port, 0, socket.SOCK_STREAM, 0, socket.AI_PASSIVE
    )[0]
    return socket.create_server(address, family=family)  # SO_REUSEADDR, as waitress sets


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


def _child(serve_forever: Callable[[], None]) -> None:
    """In a forked process: serve until SIGTERM or SIGINT, then leave without the parent's
    clean-ups (its `finally` blocks and exit handlers belong to the parent)."""
    code = 1
    try:
        signal.signal(signal.SIGTERM, _raise_exit)  # waitress shuts down on SystemExit
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
        serve_forever()
        code = 0
    except Exception:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _raise_exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def supervise(processes: int, serve_forever: Callable[[], None]) -> None:
    """Fork `processes` processes running `serve_forever`; replace any that dies; return
    once SIGTERM or SIGINT stopped them all (each is sent SIGTERM: waitress finishes the
    requests it is answering, up to its few seconds' limit).

    The stop signals are blocked while forking, so a child never runs the parent's handler
    (which would stop its siblings), and the parent never misses a child it just forked.
    """
    children: dict[int, float] = {}  # pid: when it started
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            _signal(pid, signal.SIGTERM)

    def start() -> None:
        sys.stdout.flush()  # or the child would print the parent's buffered output again
        sys.stderr.flush()
        signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            pid = os.fork()
            if pid == 0:
                _child(serve_forever)
            children[pid] = time.monotonic()
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
        print(f"serve: process {pid} started", flush=True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for _ in range(processes):
        if not stopping:
            start()
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:  # none left (not expected: each is in `children`)
            break
        started = children.pop(pid, None)
        if started is None or stopping:
            continue
        print(f"serve: process {pid} ended ({_describe(status)}); starting another", flush=True)
        if time.monotonic() - started < RESTART_PAUSE_SECONDS:
            time.sleep(RESTART_PAUSE_SECONDS)
        if not stopping:
            start()


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended already; `os.wait` collects it
        os.kill(pid, signum)
