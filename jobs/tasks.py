"""The one task the backend runs: a job, by its id (jobs.runner.run does the work).

Django 6 has the tasks API built in as django.tasks; before it, the django-tasks backport
provides the same under django_tasks.
"""

try:
    from django.tasks import task
except ImportError:  # Django 5.2
    from django_tasks import task

from . import runner


@task()
def run_job(job_id: int) -> None:
    runner.run(job_id)
