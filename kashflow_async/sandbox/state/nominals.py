"""Nominal codes: unique whole-number codes, each with an id; a list answered as a bare
array (or, as some accounts do, a paged body: `list_shape`)."""

from __future__ import annotations

from typing import Literal

from ...models import Nominal
from ..account import Account
from ..errors import BadRequest, NotFound
from .keyed import KeyedStore

__all__ = ["NOMINAL_DETAIL_ONLY", "Nominals"]

#: members a single read has and a list item has not
NOMINAL_DETAIL_ONLY = (
    "cis_rate",
    "pre_payments",
    "include_in_ec_sales_list",
    "increment_stock_levels_on_purchase",
    "purchase_nominal_code",
    "purchase_sub_nominal_code",
    "purchase_nominal_id",
    "purchase_sub_nominal_id",
)


class Nominals(KeyedStore[int, Nominal]):
    """The account's nominal codes."""

    def __init__(self, account: Account) -> None:
        super().__init__(account, "Nominal code", NOMINAL_DETAIL_ONLY)
        #: how ``GET /nominals`` answers: ``"array"`` (documented) or ``"paged"``
        self.list_shape: Literal["array", "paged"] = "array"
        #: product codes filed under each nominal code (kept by the products room)
        self.in_use: dict[int, int] = {}

    def computed(self, view: Nominal) -> Nominal:
        """``AllowDelete``: whether no product is filed under the code."""
        view.allow_delete = not self.in_use.get(view.code or 0)
        return view

    def get(self, code: int) -> Nominal:
        """One nominal code, whole."""
        return self.full(self.stored(code))

    def get_by_id(self, nominal_id: int) -> Nominal:
        """The nominal code with this ``Id``."""
        for nominal in self.store.values():
            if nominal.id == nominal_id:
                return self.full(nominal)
        raise NotFound(f"Nominal code with Id {nominal_id} does not exist.")

    def list(self, type_: str | None, search_text: str | None) -> list[Nominal]:
        """Summaries by code, of one type label (any case) and with `search_text` in the
        name when given."""
        kind = (type_ or "").strip().lower()
        text = (search_text or "").strip().lower()
        return self.summaries(
            lambda n: (
                (not kind or str(n.type or "").lower() == kind)
                and (not text or text in (n.name or "").lower())
            )
        )

    def create(self, body: Nominal) -> Nominal:
        """Add a nominal code: a unique positive ``Code`` and a ``Name`` are required."""
        code = self._check(body)
        if code in self.store:
            raise BadRequest(f"Nominal code {code} already exists.")
        body.id = self.account.new_id()
        return self.full(self.put(code, self._filled(body)))

    def update(self, code: int, body: Nominal) -> Nominal:
        """Replace a nominal code; a different ``Code`` in the body renames it (400 when
        that code is taken or products are filed under the old one)."""
        old = self.stored(code)
        new_code = self._check(body, default_code=code)
        if new_code != code:
            if new_code in self.store:
                raise BadRequest(f"Nominal code {new_code} already exists.")
            if self.in_use.get(code):
                raise BadRequest(f"Nominal code {code} has products: it cannot be renumbered.")
        body.id = old.id
        del self.store[code]
        return self.full(self.put(new_code, self._filled(body), old))

    def delete(self, code: int) -> None:
        """Delete a nominal code (400 while products are filed under it)."""
        self.stored(code)
        if self.in_use.get(code):
            raise BadRequest(
                f"Nominal code {code} has {self.in_use[code]} product(s): delete them first."
            )
        self.remove(code)

    @staticmethod
    def _check(body: Nominal, default_code: int | None = None) -> int:
        code = body.code if body.code is not None else default_code
        if code is None or code <= 0:
            raise BadRequest("Code is required: a positive whole number.")
        if not (body.name or "").strip():
            raise BadRequest("Name is required for a nominal code.")
        body.code = code
        return code

    @staticmethod
    def _filled(body: Nominal) -> Nominal:
        body.archived = bool(body.archived)
        body.disallowed = bool(body.disallowed)
        body.is_product = body.is_product or 0
        return body
