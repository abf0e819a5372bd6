"""Build the national synthetic data set (audit/synthetic/national_dataset.py): benchmarks and "
"load tests."""

from django.core.management.base import BaseCommand, CommandError

from audit.synthetic.national_dataset import (
    DEFAULT_TITLE,
    REGIONS,
    build_national_dataset,
    delete_national_dataset,
)


class Command(BaseCommand):
    help = (
        "Build an inspection of every PDU (or one region) with N submitted and moderated reviews "
        "of synthetic cases, written in bulk. The same seed gives the same data; running it "
        "again with the same arguments reuses what is there."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reviews", type=int, default=100_000, help="Number of reviews (default 100,000)."
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=2026,
            help="Random seed: the same seed gives the same data (default 2026).",
        )
        parser.add_argument(
            "--title", default=DEFAULT_TITLE, help=f"Inspection title (default “{DEFAULT_TITLE}”)."
        )
        parser.add_argument(
            "--region",
            type=int,
            choices=range(1, len(REGIONS) + 1),
            metavar=f"1-{len(REGIONS)}",
            help="Only the ten PDUs of this region.",
        )
        parser.add_argument(
            "--moderated-share",
            type=float,
            default=0.1,
            help="Share of reviews with a completed second read (default 0.1).",
        )
        parser.add_argument(
            "--delete",
            action="store_true",
            help="Delete the data set with this title instead of building it.",
        )

    def handle(self, *args, **options):
        if options["delete"]:
            count = delete_national_dataset(options["title"])
            self.stdout.write(f"Deleted {count} inspection(s) titled “{options['title']}”.")
            return
        if options["reviews"] < 1:
            raise CommandError("--reviews must be at least 1.")
        if not 0 <= options["moderated_share"] <= 1:
            raise CommandError("--moderated-share must be between 0 and 1.")
        result = build_national_dataset(
            reviews=options["reviews"],
            seed=options["seed"],
            title=options["title"],
            region=options["region"],
            moderated_share=options["moderated_share"],
            progress=self.stdout.write,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Inspection {result.inspection.pk} “{result.inspection.title}”: "
                f"{result.reviews:,} reviews by {result.assessors:,} assessors in "
                f"{result.providers} PDUs ({'built' if result.built else 'reused'} in "
                f"{result.seconds:.1f} s)."
            )
        )
