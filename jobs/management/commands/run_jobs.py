"""Work the queue of background jobs kept in the database (the quick start and small sites).

Recovers first any job left running by a worker that died (jobs.services.recover_stalled), then
runs django_tasks_db's worker with the options given (--batch to work the queue and stop,
--interval, --worker-id...). While it runs, it looks again every JOBS_RECOVER_EVERY seconds, so
a job lost by another worker is found without a restart, and removes job files past their age.
`make run` starts one beside the web server.
"""

import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from jobs.files import remove_old_outputs
from jobs.services import recover_stalled


def housekeeping() -> tuple[int, int, int]:
    """One look for stalled jobs and old job files: (queued again, failed, files removed)."""
    queued, failed = recover_stalled()
    return queued, failed, remove_old_outputs()


def _keep_house(stop: threading.Event, every: float, write) -> None:
    while not stop.wait(every):
        close_old_connections()
        try:
            queued, failed, _removed = housekeeping()
            if queued or failed:
                write(f"Stalled jobs: {queued} queued again, {failed} marked failed.")
        finally:
            connection.close()


class Command(BaseCommand):
    help = "Run a worker for background jobs (imports, purges) queued in the database."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", action="store_true", help="Run every job waiting, then stop."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds between looks at an empty queue (default 1).",
        )
        parser.add_argument(
            "--reload", action="store_true", help="Restart when the code changes (development)."
        )

    def handle(self, *args, batch, interval, reload, **options):
        queued, failed, _removed = housekeeping()
        if queued or failed:
            self.stdout.write(f"Stalled jobs: {queued} queued again, {failed} marked failed.")
        stop = threading.Event()
        if not batch:
            threading.Thread(
                target=_keep_house,
                args=(stop, settings.JOBS_RECOVER_EVERY, self.stdout.write),
                name="jobs-housekeeping",
                daemon=True,
            ).start()
        try:
            call_command(
                "db_worker",
                batch=batch,
                interval=interval,
                reload=reload,
                startup_delay=not batch,
                verbosity=options["verbosity"],
            )
        finally:
            stop.set()
