"""Two workers side by side (how a deployment scales out) never run one task twice."""

from __future__ import annotations

from django_tasks_db.models import DBTaskResult

from clearinghouse.intake import services as intake
from clearinghouse.intake.models import Report, Submission
from clearinghouse.notifications.models import Delivery
from clearinghouse.notifications.services import notify
from tests.intake.conftest import native

from .conftest import Workers, wait_for

MAILS, DOCUMENTS = 30, 6
LONG_LEASE = {"CLEARINGHOUSE_WORKER_LEASE_SECONDS": "60"}


def test_two_workers_share_the_queue_and_run_each_task_once(
    workers: Workers, cast, org, user_in
) -> None:
    people = []
    for n in range(MAILS):
        user = user_in("developer", cast["lab1"].organisation)
        user.email = f"dev{n}@lab.example"
        user.save()
        people.append(user)
    notify("notice.decided", subject="decided", payload={"notice": 1}, users=people)
    for n in range(DOCUMENTS):
        document = native(*({"title": f"doc {n} bug {i}"} for i in range(5)))
        intake.submit(cast["lab1"], document, background=True)
    tasks = MAILS + DOCUMENTS
    assert DBTaskResult.objects.filter(status="READY").count() == tasks

    # A long lease: no worker dies here, so none may be judged dead by a late beat either.
    pair = [workers.start(**LONG_LEASE), workers.start(**LONG_LEASE)]
    wait_for(
        lambda: DBTaskResult.objects.filter(status="SUCCESSFUL").count() == tasks,
        what="every task to finish",
    )
    for worker in pair:
        assert worker.poll() is None, workers.logs()  # both still alive: no task lost a worker
    # Each task was claimed once, by one worker, and run once.
    claims = [len(ids) for ids in DBTaskResult.objects.values_list("worker_ids", flat=True)]
    assert claims == [1] * tasks
    assert set(Delivery.objects.values_list("status", "attempts")) == {("sent", 1)}
    assert Submission.objects.filter(status="completed").count() == DOCUMENTS
    assert Report.objects.count() == DOCUMENTS * 5
