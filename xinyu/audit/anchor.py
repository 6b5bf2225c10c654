"""The anchor: where the access log ended when last checked, kept outside the database.

The HMAC chain catches an entry edited, inserted or deleted in the middle, but deleting the newest entries
leaves a shorter chain that still links up. The anchor covers the sealed chain (xinyu/audit/seal.py: the
clock seals before it moves the anchor). It records the last sequence number and its MAC, with
the time, signed with AUDIT_HMAC_KEY; `verify_audit` fails when the log ends before the anchor or holds
another MAC at the anchor's number. The clock moves the anchor forward every pass, over entries it has
just checked; `verify_audit` moves it after a full check. It never moves backwards, and it does not move
while the log disagrees with it, so the evidence stays until someone looks.

The anchor is a small JSON file (AUDIT_ANCHOR_PATH, written to a temporary file and renamed, so it is
never half-written), and each new anchor is also logged on `xinyu.audit.anchor`, which AUDIT_ANCHOR_SYSLOG
sends to the system log. Both should live off the database host (README, "The access log's anchor").
"""

import contextlib
import datetime as dt
import fcntl
import hashlib
import hmac
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.audit.chain import GENESIS
from xinyu.audit.models import AuditEntry
from xinyu.audit.verify import Break, check_chain

logger = logging.getLogger("xinyu.audit.anchor")
# Keeps an anchor's signature apart from any MAC of the chain made with the same key.
SIGNING_CONTEXT = b"xinyu-audit-anchor\n"


class AnchorError(Exception):
    """The anchor cannot be read or trusted, or the log disagrees with it; the message says which."""


@dataclass(frozen=True)
class Anchor:
    seq: int
    mac: str
    at: str  # when the anchor was written, ISO 8601 in UTC

    def signature(self) -> str:
        message = SIGNING_CONTEXT + f"{self.seq}\n{self.mac}\n{self.at}".encode()
        return hmac.new(settings.AUDIT_HMAC_KEY.encode(), message, hashlib.sha256).hexdigest()

    def to_json(self) -> str:
        return json.dumps({"seq": self.seq, "mac": self.mac, "at": self.at, "signature": self.signature()})

    @property
    def local_time(self) -> str:
        try:
            moment = dt.datetime.fromisoformat(self.at)
        except ValueError:
            return self.at
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def anchor_path() -> Path:
    return Path(settings.AUDIT_ANCHOR_PATH)


def parse_anchor(text: str) -> Anchor:
    try:
        data = json.loads(text)
        anchor = Anchor(seq=data["seq"], mac=data["mac"], at=data["at"])
        signature = data["signature"]
        valid = (
            isinstance(anchor.seq, int)
            and anchor.seq >= 0
            and isinstance(anchor.mac, str)
            and isinstance(anchor.at, str)
            and isinstance(signature, str)
        )
    except (ValueError, KeyError, TypeError):
        valid = False
    if not valid:
        raise AnchorError(_("The access log's anchor cannot be read: it is damaged or not an anchor."))
    if not hmac.compare_digest(anchor.signature(), signature):
        raise AnchorError(
            _("The access log's anchor has a bad signature: it was altered, or written with another AUDIT_HMAC_KEY.")
        )
    return anchor


def read_anchor(path: Path | None = None) -> Anchor | None:
    """The anchor at `path` (AUDIT_ANCHOR_PATH), or None when there is none yet."""
    try:
        text = (path or anchor_path()).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return parse_anchor(text)


def write_anchor(anchor: Anchor, path: Path | None = None) -> None:
    """Write the anchor atomically (a temporary file beside it, then a rename) and log it."""
    path = path or anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(anchor.to_json() + "\n")
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):  # the rename is durable once the directory is synced
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    logger.info("audit anchor %s", anchor.to_json())


@contextlib.contextmanager
def _locked(path: Path):
    """One writer at a time (two clocks, or the clock and verify_audit), so the anchor never goes back."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def anchor_problem(anchor: Anchor) -> Break | None:
    """How the log disagrees with `anchor`: it ends before the anchor, or holds another MAC there."""
    if anchor.seq == 0:
        return None if anchor.mac == GENESIS else Break(0, _("the anchor is not a valid start of the log"))
    mac = AuditEntry.objects.filter(seq=anchor.seq).values_list("mac", flat=True).first()
    if mac is None:
        last = AuditEntry.objects.filter(seq__isnull=False).aggregate(last=Max("seq"))["last"] or 0
        if last < anchor.seq:
            return Break(
                anchor.seq,
                _(
                    "the log ends at #%(last)s, but the anchor written at %(at)s records #%(seq)s: "
                    "the newest entries were deleted"
                )
                % {"last": last, "at": anchor.local_time, "seq": anchor.seq},
            )
        return Break(
            anchor.seq, _("the entry the anchor written at %(at)s records is missing") % {"at": anchor.local_time}
        )
    if mac != anchor.mac:
        return Break(
            anchor.seq,
            _("its HMAC differs from the one the anchor written at %(at)s records (entries replaced)")
            % {"at": anchor.local_time},
        )
    return None


def _new_anchor(seq: int, mac: str) -> Anchor:
    return Anchor(seq=seq, mac=mac, at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))


def advance_anchor() -> Anchor:
    """The clock's pass: check the log against the anchor and the entries written since, then move the anchor
    to the last of them. Raises AnchorError (and leaves the anchor alone) when anything disagrees."""
    path = anchor_path()
    with _locked(path):
        anchor = read_anchor(path)
        if anchor is not None:
            problem = anchor_problem(anchor)
            if problem:
                raise AnchorError(
                    _("Access log entry #%(seq)s: %(reason)s.") % {"seq": problem.seq, "reason": problem.reason}
                )
        start = (anchor.seq, anchor.mac) if anchor else (0, GENESIS)
        result = check_chain(after_seq=start[0], after_mac=start[1])
        if result.broken:
            raise AnchorError(
                _("Access log entry #%(seq)s: %(reason)s.") % {"seq": result.broken.seq, "reason": result.broken.reason}
            )
        if anchor is not None and result.last_seq == anchor.seq:
            return anchor
        anchor = _new_anchor(result.last_seq, result.last_mac)
        write_anchor(anchor, path)
        return anchor


def record_checked(seq: int, mac: str) -> Anchor:
    """After a full check up to `seq`: move the anchor there, unless it is already further on."""
    path = anchor_path()
    with _locked(path):
        current = read_anchor(path)
        if current is not None and current.seq >= seq:
            return current
        anchor = _new_anchor(seq, mac)
        write_anchor(anchor, path)
        return anchor
