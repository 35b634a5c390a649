"""Projects (``/projects/{number}``): numbering, the customer link, the status and its
name, and the actual figures from the invoices, purchases and quotes booked to each."""

from __future__ import annotations

import copy
from decimal import Decimal

from ...models import Project, ProjectStatus
from ..account import Account
from ..errors import BadRequest, NotFound
from ..extras import keep as keep_extras
from ..money import ZERO, at_noon, q4
from ..records import code_key
from ..views import NumberIndex
from .invoices import Invoices
from .purchases import Purchases
from .quotes import Quotes

__all__ = ["STATUS_NAMES", "Projects"]

#: ``StatusName`` by status.
STATUS_NAMES = {
    ProjectStatus.COMPLETE: "Complete",
    ProjectStatus.ACTIVE: "Active",
    ProjectStatus.ARCHIVED: "Archived",
}


class Projects:
    """The account's projects and their rules."""

    def __init__(
        self, account: Account, invoices: Invoices, quotes: Quotes, purchases: Purchases
    ) -> None:
        self.account = account
        self.invoices = invoices
        self.quotes = quotes
        self.purchases = purchases
        self.store: dict[int, Project] = {}
        self.index = NumberIndex(self.store)

    # ------------------------------------------------------------------ reads

    def numbers(self) -> list[int]:
        """Every number, ascending."""
        return self.index.numbers()

    def stored(self, number: int) -> Project:
        """The stored project (404 if none)."""
        project = self.store.get(number)
        if project is None:
            raise NotFound(f"Project number {number} does not exist.")
        return project

    def full(self, project: Project) -> Project:
        """A copy with the figures of what is booked to the project."""
        view = copy.copy(project)
        n = project.number
        sales = sales_vat = bought = bought_vat = ZERO
        for inv in self.invoices.store.values():
            for line in inv.line_items or []:
                if line.project_number == n:
                    sales += (line.quantity or ZERO) * (line.rate or ZERO)
                    sales_vat += line.vat_amount or ZERO
        for pur in self.purchases.store.values():
            for pline in pur.line_items or []:
                if pline.project_number == n:
                    bought += (pline.quantity or ZERO) * (pline.rate or ZERO)
                    bought_vat += pline.vat_amount or ZERO
        view.actual_sales_amount = q4(sales)
        view.actual_sales_vat_amount = q4(sales_vat)
        view.actual_purchases_amount = q4(bought)
        view.actual_purchases_vat_amount = q4(bought_vat)
        view.associated_quotes_count = sum(
            1 for q in self.quotes.store.values() if q.project_number == n
        )
        return view

    def get(self, number: int) -> Project:
        """The full project with `number` (404 if none)."""
        return self.full(self.stored(number))

    def listing(self, customer_code: str | None) -> list[Project]:
        """Every project (of one customer, with `customer_code`), by number."""
        key = code_key(customer_code) if customer_code else None
        return [
            self.full(self.store[n])
            for n in self.numbers()
            if key is None or code_key(self.store[n].customer_code) == key
        ]

    # ------------------------------------------------------------------ writes

    def create(self, body: Project) -> Project:
        """Create a project: a given unique ``Number`` is kept (400 if taken), else the
        next; a ``Name`` is required; a ``CustomerCode``, if given, must exist."""
        number = body.number or 0
        if number < 0:
            raise BadRequest(f"Project number must be positive, not {number}.")
        if number in self.store:
            raise BadRequest(f"Project number {number} is already taken.")
        if not (body.name or "").strip():
            raise BadRequest("Name is required to create a project.")
        if not number:
            numbers = self.numbers()
            number = (numbers[-1] + 1) if numbers else 1
        self._link(body, None)
        keep_extras(body, None, self.account.settings)
        body.id = self.account.new_id()
        body.number = number
        self._fill(body, None)
        self._put(body)
        return self.full(body)

    def update(self, number: int, body: Project) -> Project:
        """Replace a project. A different ``Number`` in the body renumbers it (400
        unless unique); what the body leaves out is kept for the name, customer, dates
        and targets."""
        old = self.stored(number)
        new_number = body.number or number
        if new_number != number and new_number in self.store:
            raise BadRequest(f"Project number {new_number} is already taken.")
        if new_number < 0:
            raise BadRequest(f"Project number must be positive, not {new_number}.")
        self._link(body, old)
        keep_extras(body, old, self.account.settings)
        body.id = old.id
        body.number = new_number
        self._fill(body, old)
        del self.store[number]
        self._put(body)
        return self.full(body)

    def delete(self, number: int) -> None:
        """Delete a project (404 if none)."""
        self.stored(number)
        del self.store[number]
        self.index.invalidate()
        self.account.changed()

    def follow_customer(self, old: str, new: str) -> None:
        """A customer's code changed: its projects name the new one."""
        key = code_key(old)
        for project in self.store.values():
            if code_key(project.customer_code) == key:
                project.customer_code = new

    def unlink_customer(self, customer_code: str) -> None:
        """The customer was deleted: its projects stay, with CustomerId 0."""
        key = code_key(customer_code)
        for project in self.store.values():
            if code_key(project.customer_code) == key:
                project.customer_id = 0
                project.customer_code = project.customer_name = ""
        self.account.changed()

    def _link(self, body: Project, old: Project | None) -> None:
        """The customer fields from ``CustomerCode`` (400 if it names no customer); the
        stored ones when the body names none."""
        code = (body.customer_code or "").strip()
        if not code:
            source = old
            body.customer_id = source.customer_id if source else 0
            body.customer_code = source.customer_code if source else ""
            body.customer_name = source.customer_name if source else ""
            return
        customer = self.account.customer(code)
        if customer is None:
            raise BadRequest(f"Customer code {code!r} does not exist.")
        body.customer_id, body.customer_code, body.customer_name = (
            customer.id,
            customer.code,
            customer.name,
        )

    def _fill(self, body: Project, old: Project | None) -> None:
        for name in ("name", "reference", "description", "note"):
            value = getattr(body, name)
            if value is None:
                value = getattr(old, name) if old is not None else ""
            setattr(body, name, value or "")
        today = at_noon(self.account.today())
        body.start_date = body.start_date or (old.start_date if old else today)
        body.end_date = body.end_date or (old.end_date if old else today)
        status = body.status if body.status is not None else (old.status if old else None)
        body.status = ProjectStatus.from_wire(status if status is not None else 1)
        body.status_name = STATUS_NAMES.get(body.status, str(body.status))  # type: ignore[call-overload]
        body.exclude_vat = body.exclude_vat if body.exclude_vat is not None else 0
        for target in ("target_sales_amount", "target_purchases_amount"):
            value = getattr(body, target)
            if value is None:
                value = getattr(old, target) if old is not None else None
            setattr(body, target, q4(value if value is not None else Decimal(0)))
        body.actual_journals_amount = q4(body.actual_journals_amount or ZERO)
        body.work_in_progress_amount = q4(body.work_in_progress_amount or ZERO)

    def _put(self, project: Project) -> None:
        assert project.number is not None
        self.store[project.number] = project
        self.index.invalidate()
        self.account.changed()
