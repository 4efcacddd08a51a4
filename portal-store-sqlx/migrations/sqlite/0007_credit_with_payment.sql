-- Account credit used in a portal payment (the pay form's "use my
-- credit"): applied to the invoices when the payment starts, in the same
-- transaction as its holds, and given back (released) if the payment
-- fails. Those allocation rows belong to the credit's own payment, as any
-- application of credit does; `for_payment` names the payment they came
-- with, so settling finds them and receipts show them. The PostgreSQL
-- migration of the same number makes the same change.
ALTER TABLE allocations ADD COLUMN for_payment BLOB REFERENCES payments (id);
-- Settling and reading a payment find its credit rows.
CREATE INDEX allocations_for_payment_idx ON allocations (for_payment, state)
    WHERE for_payment IS NOT NULL;
