"""Remind owners of improvement actions due within a week (audit/improvement/services.py).

Run daily by cron (docs/operations.md). Each action is reminded once, however often it runs."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from audit.improvement.services import REMINDER_DAYS, send_reminders


class Command(BaseCommand):
    help = (
        f"Email the owner of every improvement action that is not done and falls due within "
        f"{REMINDER_DAYS} days, once per action."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            help="The day to count from, as YYYY-MM-DD (default: today). For checking a run.",
        )

    def handle(self, *args, today=None, **options):
        day = None
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError:
                raise CommandError(f"--today {today!r} is not a date such as 2027-03-31.") from None
        sent = send_reminders(today=day)
        self.stdout.write(f"{sent} reminder{'s' if sent != 1 else ''} sent.")
