"""The national-scale data set for the benchmarks: built by `audit.synthetic.national_dataset`.

Kept so the benchmark scripts and anyone used to `bench.national` find it here; the builder
itself lives in the app, behind `manage.py generate_national_dataset`.
"""

from audit.synthetic.national_dataset import (  # noqa: F401
    DEFAULT_TITLE,
    NationalDataset,
    build_national_dataset,
    delete_national_dataset,
)
