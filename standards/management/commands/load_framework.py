from django.core.management.base import BaseCommand, CommandError

from standards.framework_file import FileRefused
from standards.loaders import load_framework_file, shipped_files


class Command(BaseCommand):
    help = (
        "Load the shipped HMIP framework versions (or the given JSON files). Safe to re-run: "
        "an existing published version only has its guidance text brought up to date."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="Framework JSON files; default: shipped ones")
        parser.add_argument("--draft", action="store_true", help="Leave new versions as drafts")

    def handle(self, *args, files, draft, **options):
        for path in files or shipped_files():
            try:
                framework, created, guidance_updated = load_framework_file(path, publish=not draft)
            except FileRefused as refusal:
                raise CommandError(
                    f"{path} was not loaded:\n"
                    + "\n".join(str(problem) for problem in refusal.problems)
                ) from None
            verb = "Loaded" if created else "Already present:"
            line = f"{verb} {framework} [{framework.get_status_display()}]"
            if guidance_updated:
                line += f"; guidance brought up to date on {guidance_updated} questions"
            self.stdout.write(line)
