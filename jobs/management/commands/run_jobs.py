"""Work the queue of background jobs kept in the database (the quick start and small sites).

Recovers first any job left running by a worker that died (jobs.services.recover_stalled), then
runs django_tasks_db's worker with the options given (--batch to work the queue and stop,
--interval, --worker-id...). `make run` starts one beside the web server.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from jobs.services import recover_stalled


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
        queued, failed = recover_stalled()
        if queued or failed:
            self.stdout.write(f"Stalled jobs: {queued} queued again, {failed} marked failed.")
        call_command(
            "db_worker",
            batch=batch,
            interval=interval,
            reload=reload,
            startup_delay=not batch,
            verbosity=options["verbosity"],
        )
