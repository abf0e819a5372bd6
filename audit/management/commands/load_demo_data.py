from django.core.management.base import BaseCommand

from audit.synthetic import demo


class Command(BaseCommand):
    help = "Load demo providers, cases, users and audits. Safe to re-run."

    def handle(self, *args, **options):
        result = demo.load_all(stdout=self.stdout)
        self.stdout.write(f"Demo data ready ({result['cases_created']} new cases).")
        self.stdout.write(f"Demo users (password for all: {demo.DEMO_PASSWORD}):")
        for username, role in result["users"]:
            self.stdout.write(f"  {username:<10} {role}")
