"""Who is signed in and what they may see and do: one `Staff` object, the scope every console query uses.

Roles: `admin` (everything), `street` (the communities of its street), `community` (its community's grids),
`grid` (a grid worker: its grid, read-only). `Staff.cases()` is the WHERE clause for `Case` rows,
`Staff.workers()` the one for `Worker` rows (who may be shown or given work), `Staff.sees(case)` the same
rule for one loaded case, and `Staff.can_act` whether any action is allowed at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import false, func, true
from sqlalchemy.sql.elements import ColumnElement

from storage.engine import Database
from storage.models import Case, Worker

ROLES = ("admin", "street", "community", "grid")
ROLE_NAMES = {"admin": "管理员", "street": "街道派单员", "community": "社区派单员", "grid": "网格员"}
#: Roles that dispatch and act on cases (a grid worker's console is read-only: he acts in the chat).
ACTING_ROLES = ("admin", "street", "community")


@dataclass(frozen=True, slots=True)
class Staff:
    """A signed-in staff member. `kind`/`id` say who (admin user id, or worker id); the rest is read fresh
    from the database each request, so a deactivated or moved worker loses access at once."""

    kind: str  # admin | worker
    id: int
    name: str
    role: str  # one of ROLES
    street_id: str | None = None
    community_id: str | None = None
    grid_id: str | None = None
    #: The chat user id the console's actions are recorded under (an admin's id; a worker's bound chat id).
    user_id: int | None = None
    #: The channel `user_id` is of: admins and bound workers are Telegram people, the console chat's its own.
    channel: str = "telegram"

    @property
    def role_name(self) -> str:
        return ROLE_NAMES[self.role]

    @property
    def can_act(self) -> bool:
        return self.role in ACTING_ROLES

    @property
    def worker_id(self) -> int | None:
        return self.id if self.kind == "worker" else None

    def cases(self, *, steer: bool = True) -> ColumnElement[bool]:
        """The cases this person may see, as a WHERE clause on `Case`. `steer=False`: the same rows, written so no
        index on the scope's column can serve it (`coalesce(col, '') = id`), for a query that another, far narrower
        condition should drive (the word index's few candidates), where an index seek on the scope looks as cheap
        to SQLite's planner and reads the whole community."""
        column, value = {"street": (Case.street_id, self.street_id), "community": (Case.community_id, self.community_id),
                         "grid": (Case.grid_id, self.grid_id)}.get(self.role, (None, None))
        if self.role == "admin":
            return true()
        if column is None or not value:
            return false()
        return column == value if steer else func.coalesce(column, "") == value

    def workers(self) -> ColumnElement[bool]:
        """The workers this person may see (and, when `can_act`, give work to), as a WHERE clause on `Worker`."""
        if self.role == "admin":
            return true()
        if self.role == "street":
            return Worker.street_id == self.street_id if self.street_id else false()
        if self.role == "community":
            return Worker.community_id == self.community_id if self.community_id else false()
        return Worker.grid_id == self.grid_id if self.grid_id else false()

    def sees(self, case: Any) -> bool:
        """The rule of `cases()` for one loaded case (a `Case` row or a `CaseView`)."""
        if self.role == "admin":
            return True
        if self.role == "street":
            return bool(self.street_id) and getattr(case, "street_id", None) == self.street_id
        if self.role == "community":
            return bool(self.community_id) and case.community_id == self.community_id
        return bool(self.grid_id) and case.grid_id == self.grid_id


async def load_staff(db: Database, kind: str, staff_id: int, admin_ids: frozenset[int]) -> Staff | None:
    """The staff member a session names, as they are now; None when they no longer are staff."""
    if kind != "worker":
        return staff_of(kind, staff_id, admin_ids, None)
    async with db.reader() as s:
        return staff_of(kind, staff_id, admin_ids, await s.get(Worker, staff_id))


def staff_of(kind: str, staff_id: int, admin_ids: frozenset[int], worker: Worker | None) -> Staff | None:
    """`load_staff` on a worker row already read (None for an admin, or when there is no such worker)."""
    if kind == "admin":
        return Staff("admin", staff_id, f"管理员 {staff_id}", "admin", user_id=staff_id) if staff_id in admin_ids else None
    if kind != "worker" or worker is None or not worker.active or worker.role not in ROLES:
        return None
    return Staff("worker", staff_id, worker.name, worker.role, worker.street_id, worker.community_id, worker.grid_id,
                 worker.external_id, worker.channel)


def place_of(staff: Staff) -> str:
    """What a session is opened as: the role and the area (`role|street|community|grid`); moving changes it."""
    return "|".join((staff.role, staff.street_id or "", staff.community_id or "", staff.grid_id or ""))
