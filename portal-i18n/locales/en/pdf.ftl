## Printable invoices and statements (portal-http-axum/src/pdf.rs). The
## PDF fonts cover Latin-1, which every Spanish letter is in.

pdf-account = Account: { $account }
pdf-page = Page { $page } of { $pages }
pdf-invoice-title = Invoice { $number }
pdf-issued = Issued: { $date }
pdf-due = Due: { $date }
pdf-status = Status: { $status }
pdf-description = Description
pdf-quantity = Quantity
pdf-unit-price = Unit price
pdf-tax = Tax
pdf-amount = Amount
pdf-subtotal = Subtotal
pdf-total = Total
pdf-paid = Paid
pdf-balance-due = Balance due
pdf-statement-title = Statement
pdf-period = Period: { $from } to { $to }
pdf-date = Date
pdf-type = Type
pdf-reference = Reference
pdf-balance = Balance
pdf-opening-balance = Opening balance
pdf-charges = Charges
pdf-payments = Payments
pdf-credits = Credits
pdf-closing-balance = Closing balance
pdf-unapplied-credit = Unapplied credit
pdf-aging = Aging of what is owed
pdf-receipt-date = Date: { $date }
pdf-receipt-method = Method: { $method }
pdf-receipt-reference = Reference: { $reference }
pdf-receipt-amount-paid = Amount paid
