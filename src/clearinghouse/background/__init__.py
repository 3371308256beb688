"""Background work that survives its worker: heartbeats, leases and the sweep.

django-tasks' database backend claims a task by locking its row (`skip_locked`), so two
workers never take one task; but a worker killed mid-task leaves it RUNNING for ever. Here
each `clearinghouse worker` writes a heartbeat row while it lives, and a sweep (run by every
worker, and by `clearinghouse sweep`) puts back to READY the RUNNING tasks whose worker's
heartbeat is older than the lease, then hands the apps' outboxes (pending deliveries) back to
the queue. Tasks are written to be run again safely.
"""
