"""Background work of programmes: a task takes the job's id, never the instance."""

from django_tasks import task


@task()
def pairing_register_task(job_id: int) -> None:
    """Read, check and pair an uploaded pairing register (register.pairing_register_job_run)."""
    from bangfu.programmes.register import pairing_register_job_run

    pairing_register_job_run(job_id=job_id)
