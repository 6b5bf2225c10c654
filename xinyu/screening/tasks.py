"""Re-scoring (issue #4 §3): re-apply the scoring rules in force to stored answers, as a background task.

When the policy's [screening.scoring] settings change (or a scorer fix bumps SCORER_VERSION), every
stored Result is scored again from its Response's answers and updated with the new rules_version. Fast
enough for a million responses: rows are read in chunks with `.iterator()` (only the columns needed),
each instrument's scorer is compiled once for the rules, and only rows whose outcome changed are written,
with `bulk_update` in batches, one transaction per batch (a re-run after an interruption picks up where
it stopped: rows already re-scored are unchanged).

Progress is kept in the cache under `progress_key(job)` ({"done", "total", "changed", "incomplete",
"finished"}) and logged; `manage.py rescore` prints it.

Re-scoring changes results, never triage: tasks and reports made at submission stay as they were; the
people responsible see the new results on the results pages.
"""

import logging
import uuid
from dataclasses import asdict, dataclass

from django.core.cache import cache
from django.db import connection, transaction
from django.tasks import task
from django.utils import timezone

from xinyu.concerns.policy import policy_in_force
from xinyu.screening.models import Instrument, Result
from xinyu.screening.rules import ScoringRules
from xinyu.screening.scoring import rules_version, scorer_for

logger = logging.getLogger(__name__)

CHUNK = 5000
FIELDS = ["total", "band", "classification", "severity", "flags", "detail", "rules_version", "scored_at"]
PROGRESS_TTL = 24 * 3600
PG_BATCH = 1000


@dataclass
class Progress:
    total: int = 0
    done: int = 0
    changed: int = 0
    incomplete: int = 0  # answers that no longer score completely: left as they were, for a person to look at
    finished: bool = False


def progress_key(job: str) -> str:
    return f"screening.rescore:{job}"


def read_progress(job: str) -> Progress | None:
    stored = cache.get(progress_key(job))
    return Progress(**stored) if stored else None


def _selection(campaign_id=None, instrument_code=None):
    rows = Result.objects.all()
    if campaign_id is not None:
        rows = rows.filter(campaign_id=campaign_id)
    if instrument_code:
        rows = rows.filter(instrument__code=instrument_code)
    return rows


def rescore(*, campaign_id=None, instrument_code=None, rules: ScoringRules | None = None, job: str = "",
            chunk: int = CHUNK, on_progress=None) -> Progress:  # fmt: skip
    """Re-score the selected results under `rules` (the policy in force by default); returns the counts."""
    rules = rules or policy_in_force(timezone.localdate()).screening.scoring
    selection = _selection(campaign_id, instrument_code)
    progress = Progress(total=selection.count())
    scorers = {}
    for instrument in Instrument.objects.filter(pk__in=selection.values("instrument_id").distinct()):
        definition = instrument.parsed()
        scorers[instrument.pk] = (scorer_for(definition, rules), rules_version(definition, rules))
    now = timezone.now()
    columns = ("pk", "instrument_id", "response__answers", "total", "band", "classification", "severity", "flags",
               "rules_version")  # fmt: skip
    batch = []

    def flush():
        if batch:
            write(batch)
            progress.changed += len(batch)
            batch.clear()
        if job:
            cache.set(progress_key(job), asdict(progress), PROGRESS_TTL)
        if on_progress is not None:
            on_progress(progress)

    for row in selection.order_by("pk").values_list(*columns).iterator(chunk_size=chunk):
        pk, instrument_id, answers, total, band, classification, severity, flags, version = row
        scorer, new_version = scorers[instrument_id]
        outcome = scorer.score({int(key): value for key, value in (answers or {}).items()})
        progress.done += 1
        if not outcome.complete:
            progress.incomplete += 1
        else:
            new_band = outcome.band.code if outcome.band else ""
            new_class = outcome.classification.code if outcome.classification else ""
            detail = outcome.to_dict()
            if (total, band, classification, severity, flags, version) != (
                outcome.total, new_band, new_class, outcome.severity, detail["flags"], new_version
            ):  # fmt: skip
                batch.append(
                    Result(
                        pk=pk, total=outcome.total, band=new_band, classification=new_class, severity=outcome.severity,
                        flags=detail["flags"], detail=detail, rules_version=new_version, scored_at=now,
                    )
                )  # fmt: skip
        if progress.done % chunk == 0:
            flush()
    progress.finished = True
    flush()
    logger.info("rescore %s: %s", job or "-", asdict(progress))
    return progress


def write(rows: list[Result]) -> None:
    """Update the rows' FIELDS by primary key in one transaction, each value prepared by its model field
    as `save()` would: on PostgreSQL one UPDATE … FROM (VALUES …) per PG_BATCH rows, elsewhere one
    prepared UPDATE run for every row (`executemany`). Django's `bulk_update` builds a CASE expression
    over the whole batch for every column, which grows with the batch; these stay linear
    (bench/bench_rescore.py measures both)."""
    meta = Result._meta
    fields = [meta.get_field(name) for name in FIELDS]
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    params = [
        [*(field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields), row.pk] for row in rows
    ]
    # Only the model's own table and column names, quoted, go into the text; every value is a parameter.
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement per batch: UPDATE … FROM (VALUES …), each value cast to its column's type.
            types = [field.db_type(connection) for field in fields] + [meta.pk.rel_db_type(connection)]
            names = [quote(field.column) for field in fields] + ["pk_"]
            row_sql = "(" + ", ".join(f"%s::{kind}" for kind in types) + ")"
            assignments = ", ".join(f"{name} = v.{name}" for name in names[:-1])
            for start in range(0, len(params), PG_BATCH):
                part = params[start : start + PG_BATCH]
                values = ", ".join([row_sql] * len(part))
                cursor.execute(
                    f"UPDATE {table} SET {assignments} FROM (VALUES {values}) AS v({', '.join(names)}) "  # noqa: S608
                    f"WHERE {table}.{pk} = v.pk_",
                    [value for row in part for value in row],
                )
        else:
            assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
            cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", params)  # noqa: S608


def new_job() -> str:
    return uuid.uuid4().hex[:12]


@task()
def rescore_task(job: str, campaign_id: int | None = None, instrument_code: str | None = None) -> dict:
    """The background task `manage.py rescore` enqueues; progress in the cache under progress_key(job)."""
    cache.set(progress_key(job), asdict(Progress()), PROGRESS_TTL)
    return asdict(rescore(campaign_id=campaign_id, instrument_code=instrument_code, job=job))
