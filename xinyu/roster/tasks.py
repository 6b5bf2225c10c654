"""Background work: large imports run here, reporting their progress on the ImportJob row; the clock's
sweep takes back imports whose worker died and deletes uploads past their time."""

from django.tasks import task

from xinyu.roster import jobs


@task()
def run_import_job(job_id: int) -> None:
    jobs.run_job(job_id)


@task()
def recover_import_jobs() -> dict:
    return jobs.recover()
