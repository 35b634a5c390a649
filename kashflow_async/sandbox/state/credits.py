"""A customer's credits (``/internal/invoices/{invoiceid}/credits``): advance payments and
credit notes as stored, overpayments derived from overpaid invoices; applying them to an
invoice as payment lines."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from ...models import Credit, CreditType, Invoice, PaymentLine
from ...models._base import as_wire_date
from ..account import Account
from ..errors import BadRequest, invalid_numbers_message
from ..money import ZERO, at_noon, naive, q4
from ..records import code_key
from .invoices import Invoices

__all__ = ["Credits"]

_Key = tuple[CreditType | None, int | None]


class Credits:
    """The credits rules over the account's stored credits and its invoices."""

    def __init__(self, account: Account, invoices: Invoices) -> None:
        self.account = account
        self.invoices = invoices

    def for_invoice(self, invoice_id: int) -> list[Credit]:
        """The credits the invoice's customer holds: advance payments (Id: the bank
        transaction), credit notes (Id: the credit note's invoice) and overpayments (Id:
        the invoice payment), oldest first."""
        inv = self.invoices.by_id(invoice_id)
        key = code_key(inv.customer_code)
        stored = [
            Credit(
                id=c.id,
                amount=q4(c.amount),
                date=as_wire_date(c.date),  # type: ignore[arg-type]
                type=c.type,
                comment=c.comment,
            )
            for c in self.account.credits.values()
            if code_key(c.customer_code) == key and c.amount > 0
        ]
        found = stored + self._overpayments(key, exclude=inv.number)
        found.sort(key=lambda c: (naive(c.date), c.id or 0))
        return found

    def _overpayments(self, key: str, exclude: int | None) -> list[Credit]:
        result = []
        for inv in self.invoices.store.values():
            if inv.number == exclude or code_key(inv.customer_code) != key:
                continue
            excess = -(inv.amount_due or ZERO)
            positive = [p for p in inv.payment_lines or [] if (p.amount or ZERO) > 0]
            if excess > 0 and positive and inv.gross_amount:
                last = max(positive, key=lambda p: (naive(p.date), p.id or 0))
                result.append(
                    Credit(
                        id=last.id,
                        amount=q4(excess),
                        date=last.date,
                        type=CreditType.OVER_PAYMENT,
                        comment=f"Overpayment on Invoice #{inv.number}",
                    )
                )
        return result

    def apply(self, invoice_id: int, credits: Sequence[Credit]) -> Invoice:
        """Apply some of the customer's credits to the invoice: each becomes a payment line,
        the amount due falls and the credit is used up by that amount. 400 for credits the
        customer does not hold, amounts beyond a credit, or more than the amount due."""
        number = self.invoices.by_id(invoice_id).number or 0
        if not credits:
            raise BadRequest("The request body must list at least one credit.")
        available = {(c.type, c.id): c for c in self.for_invoice(invoice_id)}
        invalid = [c.id or 0 for c in credits if (c.type, c.id) not in available]
        if invalid:
            raise BadRequest(invalid_numbers_message("credit id", invalid))
        wanted: dict[_Key, Decimal] = {}
        for c in credits:
            have = available[(c.type, c.id)].amount or ZERO
            amount = c.amount if c.amount is not None else have
            if amount <= 0:
                raise BadRequest(f"Credit {c.id}: the amount must be more than 0.")
            wanted[(c.type, c.id)] = wanted.get((c.type, c.id), ZERO) + amount
            if wanted[(c.type, c.id)] > have:
                raise BadRequest(f"Credit {c.id}: only {q4(have)} is available.")
        total = sum(wanted.values(), ZERO)
        inv = self.invoices.store[number]
        due = inv.amount_due or ZERO
        if total > due:
            raise BadRequest(
                f"The credits ({q4(total)}) exceed the amount due ({q4(max(due, ZERO))}) "
                f"on invoice {number}."
            )
        new_lines = list(inv.payment_lines or [])
        for (ctype, cid), amount in wanted.items():
            credit = available[(ctype, cid)]
            new_lines.append(
                self._line(number, amount, f"Credit applied: {credit.comment}", permalink=True)
            )
            if ctype is CreditType.OVER_PAYMENT:
                self._take_overpayment(int(cid or 0), amount, number)
            else:
                self.account.credits[(ctype, int(cid or 0))].amount -= amount  # type: ignore[index]
        inv.payment_lines = new_lines
        self.invoices.derive(inv)
        self.account.changed()
        return self.invoices.full(inv)

    def _line(self, number: int, amount: Decimal, note: str, permalink: bool) -> PaymentLine:
        """A payment line of `amount` dated today, to the default bank account and method."""
        settings = self.account.settings
        return PaymentLine(
            id=self.account.new_payment_id(),
            invoice_number=number,
            date=at_noon(self.account.today()),
            note=note,
            method=settings.default_payment_method_id,
            amount=q4(amount),
            account_id=settings.default_bank_account_id,
            permalink=f"/v2/documents/invoice/payment/{self.account.new_uuid()}"
            if permalink
            else None,
        )

    def _take_overpayment(self, payment_id: int, amount: Decimal, target: int) -> None:
        for source in self.invoices.store.values():
            if any(p.id == payment_id for p in source.payment_lines or []):
                note = f"Overpayment transferred to invoice #{target}"
                line = self._line(source.number or 0, -amount, note, permalink=False)
                source.payment_lines = [*(source.payment_lines or []), line]
                self.invoices.derive(source)
                return
