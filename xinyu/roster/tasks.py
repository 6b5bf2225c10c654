"""The roster's background tasks, defined beside the jobs they run (xinyu.roster.jobs); named here too, where
tasks already queued under these paths look for them."""

from xinyu.roster.jobs import recover_import_jobs, run_import_job

__all__ = ["recover_import_jobs", "run_import_job"]
