"""Re-scoring: re-apply the scoring rules in force to stored answers, as a background task.

When the policy's [screening.scoring] settings change (or a scorer fix bumps SCORER_VERSION), every
stored Result whose rules_version is no longer the current one is scored again from its Response's
answers and updated with the new rules_version; results already current are skipped unread (their
version hashes the rules and the scorer, so they cannot change; `everything=True` scores them anyway).
Fast enough for a million responses: rows are read in chunks with `.iterator()` (only the columns
needed), each instrument's scorer is compiled once for the rules, and only rows whose outcome changed are
written, by a writer thread with its own connection on PostgreSQL while the next chunk is scored, one
transaction per chunk (a re-run after an interruption picks up where it stopped).

Progress is kept in the cache under `progress_key(job)` ({"done", "total", "changed", "incomplete",
"finished"}) and logged; `manage.py rescore` prints it.

Re-scoring changes results, never triage: tasks and reports made at submission stay as they were; the
people responsible see the new results on the results pages.
"""

import logging
import queue
import threading
import uuid
from dataclasses import asdict, dataclass

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone
from psycopg.types.json import Jsonb

from xinyu.policy.loader import policy_in_force
from xinyu.policy.screening import ScoringRules
from xinyu.screening.models import Instrument, Result
from xinyu.screening.scoring import rules_version, scorer_for

logger = logging.getLogger(__name__)

CHUNK = 5000
FIELDS = ["total", "band", "classification", "severity", "flags", "detail", "rules_version", "scored_at"]
PROGRESS_TTL = 24 * 3600


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
            chunk: int = CHUNK, on_progress=None, everything: bool = False) -> Progress:  # fmt: skip
    """Re-score the selected results under `rules` (the policy in force by default); returns the counts.

    A result whose rules_version is already the current one for its instrument was produced by exactly
    these rules and this scorer (the version hashes both), so scoring it again cannot change it: such
    rows are counted as done without being read, unless `everything` asks for them to be scored anyway."""
    rules = rules or policy_in_force(timezone.localdate()).screening.scoring
    selection = _selection(campaign_id, instrument_code)
    progress = Progress(total=selection.count())
    scorers = {}
    for instrument in Instrument.objects.filter(pk__in=selection.values("instrument_id").distinct()):
        definition = instrument.parsed()
        scorers[instrument.pk] = (scorer_for(definition, rules), rules_version(definition, rules))
    if not everything and scorers:
        current = Q()
        for instrument_id, (_scorer, version) in scorers.items():
            current |= Q(instrument_id=instrument_id, rules_version=version)
        progress.done = selection.filter(current).count()
        selection = selection.exclude(current)
    now = timezone.now()
    columns = ("pk", "instrument_id", "response__answers", "total", "band", "classification", "severity", "flags",
               "rules_version")  # fmt: skip
    batch = []
    read = 0

    def report():
        if job:
            cache.set(progress_key(job), asdict(progress), PROGRESS_TTL)
        if on_progress is not None:
            on_progress(progress)

    with Writer() as writer:

        def send():
            if batch:
                writer.put(list(batch))
                progress.changed += len(batch)
                batch.clear()

        for row in selection.order_by("pk").values_list(*columns).iterator(chunk_size=chunk):
            pk, instrument_id, answers, total, band, classification, severity, flags, version = row
            scorer, new_version = scorers[instrument_id]
            outcome = scorer.score({int(key): value for key, value in (answers or {}).items()})
            progress.done += 1
            read += 1
            if not outcome.complete:
                progress.incomplete += 1
            else:
                new_band = outcome.band.code if outcome.band else ""
                new_class = outcome.classification.code if outcome.classification else ""
                detail = outcome.to_dict()
                new = (outcome.total, new_band, new_class, outcome.severity, detail["flags"], new_version)
                if (total, band, classification, severity, flags, version) != new:
                    batch.append((*new[:5], detail, new_version, now, pk))  # FIELDS, then the primary key
            if read % chunk == 0:
                send()
                report()
        send()
    progress.finished = True  # every batch written: the writer has finished
    report()
    logger.info("rescore %s: %s", job or "-", asdict(progress))
    return progress


class Writer:
    """Writes batches of changed results while the caller scores the next chunk: a thread with its own
    database connection on PostgreSQL (the GIL is released while PostgreSQL works), inline elsewhere.
    A failed write is raised again in the caller at the next `put` or at the end."""

    def __init__(self):
        # Inside a caller's transaction (a test, say) the writes must join it: no thread then.
        self.threaded = connection.vendor == "postgresql" and not connection.in_atomic_block
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None

    def __enter__(self):
        if self.threaded:
            self.thread = threading.Thread(target=self._run, name="rescore-writer", daemon=True)
            self.thread.start()
        return self

    def put(self, rows: list[tuple]) -> None:
        if self.error is not None:
            raise self.error
        if self.threaded:
            self.queue.put(rows)
        else:
            write(rows)

    def _run(self) -> None:
        try:
            while (rows := self.queue.get()) is not None:
                if self.error is None:
                    write(rows)
        except BaseException as exc:  # kept for the caller; keep draining so it never blocks
            self.error = exc
            while self.queue.get() is not None:
                pass
        finally:
            connection.close()

    def __exit__(self, *exc_info):
        if self.thread is not None:
            self.queue.put(None)
            self.thread.join()
        if self.error is not None and exc_info[0] is None:
            raise self.error
        return False


def write(rows: list[tuple]) -> None:
    """Update the rows' FIELDS by primary key in one transaction; each row is (FIELDS values…, pk).

    On PostgreSQL the rows are streamed with COPY into a temporary table (dropped at commit), then one
    UPDATE … FROM joins it: COPY's row encoding runs in psycopg's C code, where a long parameter list or
    array literals would be built and quoted in Python. Elsewhere one prepared UPDATE runs for every row
    (`executemany`), each value prepared by its model field as `save()` would. Django's `bulk_update`
    builds a CASE expression over the whole batch for every column, which grows with the batch; these stay
    linear (bench/bench_rescore.py measures both)."""
    meta = Result._meta
    fields = [meta.get_field(name) for name in FIELDS]
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    # Only the model's own table and column names, quoted, go into the text; every value is data.
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = [quote(field.column) for field in fields]
            columns = ", ".join(
                f"{name} {field.db_type(connection)}" for name, field in zip(names, fields, strict=True)
            )
            cursor.execute(f"CREATE TEMPORARY TABLE rescore_batch (pk_ bigint, {columns}) ON COMMIT DROP")
            json_columns = {n for n, field in enumerate(fields) if field.get_internal_type() == "JSONField"}
            with cursor.cursor.copy(f"COPY rescore_batch (pk_, {', '.join(names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(
                        (row[-1], *(Jsonb(value) if n in json_columns else value for n, value in enumerate(row[:-1])))
                    )
            assignments = ", ".join(f"{name} = v.{name}" for name in names)
            cursor.execute(f"UPDATE {table} SET {assignments} FROM rescore_batch v WHERE {table}.{pk} = v.pk_")  # noqa: S608
            cursor.execute("DROP TABLE rescore_batch")  # at once: inside a caller's transaction there is no commit
        else:
            prepared = [
                [*(f.get_db_prep_save(value, connection) for f, value in zip(fields, row[:-1], strict=True)), row[-1]]
                for row in rows
            ]
            assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
            cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", prepared)  # noqa: S608


def new_job() -> str:
    return uuid.uuid4().hex[:12]


@task()
def rescore_task(job: str, campaign_id: int | None = None, instrument_code: str | None = None,
                 everything: bool = False) -> dict:  # fmt: skip
    """The background task `manage.py rescore` enqueues; progress in the cache under progress_key(job)."""
    cache.set(progress_key(job), asdict(Progress()), PROGRESS_TTL)
    return asdict(rescore(campaign_id=campaign_id, instrument_code=instrument_code, job=job, everything=everything))
