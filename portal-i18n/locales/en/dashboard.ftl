## dashboard
dashboard-title = Dashboard
dashboard-welcome = Welcome, { $name }
dashboard-account = Account { $number } · { $name }
dashboard-unpaid = Unpaid invoices
dashboard-autopay-on-next = Autopay is on with { $card }; next charge { $date }.
dashboard-autopay-on-nothing-due = Autopay is on with { $card }; nothing is due.
dashboard-autopay-manage = Manage autopay
dashboard-autopay-off = Autopay is off.
dashboard-autopay-set-up = Set up autopay to pay invoices when they are due
dashboard-autopay-any-card = a card on file
dashboard-see-all-unpaid = { $count ->
    [one] See the unpaid invoice
   *[other] See all { $count } unpaid invoices
}
dashboard-quotes = Quotes awaiting approval
dashboard-quotes-none = No quotes are waiting for you.
dashboard-quotes-nearest-before = The nearest to expire,
dashboard-quotes-nearest-after = , is valid until { $date }.
dashboard-quotes-all = All quotes awaiting approval
dashboard-jobs = Open jobs
dashboard-jobs-none = No jobs are open right now.
dashboard-jobs-not-scheduled = Not scheduled yet
dashboard-tickets = Open tickets
dashboard-tickets-none = You have no open tickets.
dashboard-comms = Recent communications
dashboard-comms-none = No communications yet.

communications-title = Communications
communications-all = All communications
communications-none-on-page = There are no communications on this page.
communication-inbound = from you
communication-outbound = from us
communication-channel-email = Email
communication-channel-call = Phone call
communication-channel-sms = Text message
communication-channel-letter = Letter
communication-channel-visit = Visit
communication-channel-note = Note
