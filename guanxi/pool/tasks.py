from guanxi.accounts.access import SYSTEM
from guanxi.core.jobs import job

from .services import pool_sweep


# Idempotent: returns in batches re-checked under row locks, warnings once per stretch of neglect (pool_sweep).
@job(name="pool.sweep")
def sweep() -> dict[str, int]:
    """The recycling sweep (公海回收): warnings, then neglected records back to the pool."""
    return pool_sweep(actor=SYSTEM)
