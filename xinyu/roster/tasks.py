"""Background work: large imports run here, reporting their progress on the ImportJob row."""

from django.tasks import task

from xinyu.roster import jobs


@task()
def run_import_job(job_id: int) -> None:
    jobs.run_job(job_id)
