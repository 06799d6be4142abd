"""Background work of imports: a task takes the job's id, never the instance."""

from django_tasks import task


@task()
def import_job_open_task(job_id: int) -> None:
    from bangfu.imports.services import import_job_open

    import_job_open(job_id=job_id)


@task()
def import_job_task(job_id: int, dry_run: bool) -> None:
    from bangfu.imports.services import import_job_run

    import_job_run(job_id=job_id, dry_run=dry_run)
