"""Background work of exports: a task takes the job's id, never the instance."""

from django_tasks import task


@task()
def export_job_task(job_id: int) -> None:
    from bangfu.exports.services import export_job_run

    export_job_run(job_id=job_id)


@task()
def export_cleanup_task() -> None:
    from bangfu.exports.services import export_jobs_purge

    export_jobs_purge()
