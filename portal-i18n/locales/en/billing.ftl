## Billing: invoices, payments, statements, cards.

invoices-count = { $count ->
    [one] { $count } invoice
   *[other] { $count } invoices
}
invoice-status-open = Unpaid
invoice-status-partially-paid = Partly paid
invoice-status-paid = Paid
invoice-status-void = Void
entry-charge = Invoice
entry-payment = Payment
entry-credit = Credit
aging-current = Current
aging-1-30 = 1-30 days
aging-31-60 = 31-60 days
aging-61-90 = 61-90 days
aging-over-90 = Over 90 days
