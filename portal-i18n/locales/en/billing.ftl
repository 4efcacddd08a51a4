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
billing-nav = Billing
billing-nav-overview = Overview
billing-nav-invoices = Invoices
billing-nav-pay = Pay
billing-nav-payments = Payments
billing-nav-statement = Statement
billing-nav-cards = Cards on file
billing-nav-autopay = Autopay
statement-title = Statement
statement-from = From
statement-to = To
statement-show = Show statement
statement-download = Download PDF
statement-period = { $from } to { $to }
statement-date = Date
statement-type = Type
statement-reference = Reference
statement-amount = Amount
statement-balance = Balance
statement-opening = Opening balance
statement-empty = Nothing happened on the account in this period.
statement-totals = Totals
statement-charges = Charges
statement-payments = Payments
statement-credits = Credits
statement-closing = Closing balance
statement-unapplied = Unapplied credit
statement-aging = Aging
