# Support tickets: the list, opening one, one ticket and its thread.
nav-tickets = Support
tickets-title = Support tickets
tickets-new = Open a ticket
tickets-new-title = Open a ticket
tickets-all = All tickets
tickets-filter = Filter
tickets-find = Find tickets
tickets-filter-status = Show
tickets-filter-all = Open and closed
tickets-filter-open = Open only
tickets-filter-closed = Closed only
tickets-show = Show
tickets-fix-filter = Fix the filter above to see your tickets.
tickets-none = You have no tickets. Open one whenever you need help.
tickets-none-on-page = There are no tickets on this page.
tickets-open = Open tickets
tickets-closed = Closed tickets
tickets-col-ticket = Ticket
tickets-col-status = Status
tickets-col-updated = Last activity
tickets-submit = Open ticket
ticket-status-open = Open
ticket-status-waiting = Awaiting your reply
ticket-status-closed = Closed
ticket-size-bytes = { $size ->
    [one] { $size } byte
   *[other] { $size } bytes
}
ticket-size-kb = { $size } KB
ticket-size-mb = { $size } MB
ticket-files-hint = (optional) Up to { $count ->
    [one] one file
   *[other] { $count } files
}: { $kinds }, each at most { $size }.
ticket-pick-category = Choose a category
ticket-no-job = Not about a particular job
ticket-category = Category
ticket-body = How can we help?
ticket-body-hint = Up to { $max } characters.
ticket-job = About the job
ticket-files = Attachments
ticket-title = Ticket { $number }
ticket-opened = Your ticket is open. We will answer here and by email.
ticket-replied = Your reply was sent.
ticket-reopened = The ticket is open again.
ticket-about = About this ticket
ticket-opened-at = Opened
ticket-thread = Messages
ticket-from-staff = staff
ticket-reply = Reply
ticket-send-reply = Send reply
ticket-closed-reopen = This ticket is closed. Reopen it if you still need help with it.
ticket-reopen = Reopen ticket
tickets-conflict-closed = This ticket is closed. Reopen it to reply.
tickets-conflict-not-closed = This ticket is already open.
tickets-conflict-reopen-not-allowed = Closed tickets cannot be reopened. Open a new ticket instead.
