from guanxi.accounts.access import SYSTEM
from guanxi.core.jobs import job

from .services.surveys import surveys_expire


# Idempotent: one UPDATE of the sent surveys past their expiry.
@job(name="surveys.expire")
def expire() -> int:
    """Unanswered surveys past their link's expiry become expired (response rates count them)."""
    return surveys_expire(actor=SYSTEM)


# Idempotent: recomputes the run kept in the cache from the same inputs.
@job(name="surveys.run_drivers")
def run_drivers(run_id: str) -> str | None:
    """A driver analysis started from the analysis page (see `driver_runs`)."""
    from .driver_runs import run_compute

    run = run_compute(run_id)
    return run["status"] if run else None


# Idempotent: once per member and round (a unique WaveReminder row).
@job(name="surveys.wave_reminders")
def wave_reminders() -> int:
    """Reminders of running survey waves to members who have not answered (once per member and round)."""
    from .services.waves import waves_send_reminders

    return waves_send_reminders(actor=SYSTEM)


# Idempotent: each fold is one statement (the rows folded are the rows deleted).
@job(name="surveys.analysis_compact")
def analysis_compact() -> dict:
    """Fold the analysis snapshot's rows appended by answers into one row per key (see analysis.snapshot)."""
    from .analysis.snapshot import compact

    return compact()
