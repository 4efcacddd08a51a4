# Notifications: the feed, the preferences page, unsubscribing from a
# mail's link, and the words of each notice (feed and mail alike).
nav-notifications = Notifications
notifications-title = Notifications
notifications-unread = { $count ->
    [one] 1 unread
   *[other] { $count } unread
}
notifications-none = Nothing new. We will tell you here when something happens on your account.
notifications-none-on-page = There are no notifications on this page.
notifications-mark-read = Mark all as read
notifications-marked = All notifications are marked as read.
notifications-new = New
notifications-preferences = Notification settings
notifications-preferences-title = Notification settings
notifications-preferences-intro = Choose what we tell you, and where. You only hear about what your role lets you see.
notifications-col-kind = What happened
notifications-channel-feed = In the portal
notifications-channel-email = By email
notifications-save = Save settings
notifications-saved = Your notification settings were saved.
notifications-kind-invoice_issued = A new invoice
notifications-kind-payment_received = A payment went through
notifications-kind-payment_failed = A payment failed
notifications-kind-quote_issued = A new quote
notifications-kind-job_scheduled = A visit is scheduled, moved or canceled
notifications-kind-ticket_replied = A reply to a support ticket
notifications-kind-ticket_closed = A support ticket was closed
notifications-kind-request_updated = The status of a request changed
notifications-kind-call_off_updated = The status of a call-off changed
unsubscribe-title = Stop these emails
unsubscribe-confirm = Stop emails about “{ $kind }”?
unsubscribe-explain = You will still see these in the portal. You can turn them back on in your notification settings.
unsubscribe-button = Stop these emails
unsubscribe-done-title = You are unsubscribed
unsubscribe-done = We will no longer email you about “{ $kind }”.
unsubscribe-invalid-title = This link does not work
unsubscribe-invalid = This unsubscribe link is not valid. Sign in and change your notification settings instead.
mail-notice-unsubscribe = Stop emails like this one:
mail-notice-settings = You get this email because of your notification settings in the { $business } portal.
notice-invoice-issued-title = New invoice { $number } for { $amount }
notice-invoice-issued-text = { $business } issued invoice { $number } for { $amount }, due { $due }.
notice-invoice-issued-action = View invoice
notice-payment-received-title = Payment of { $amount } received
notice-payment-received-text = { $business } received a payment of { $amount } on your account.
notice-payment-received-action = View payment
notice-payment-failed-title = Payment of { $amount } failed
notice-payment-failed-text = A payment of { $amount } to { $business } did not go through. Nothing was charged; please check your payment method.
notice-payment-failed-action = View payment
notice-quote-issued-title = New quote { $number }: { $title }
notice-quote-issued-text = { $business } sent you quote { $number } for { $amount } ({ $title }). You can approve it until { $until }.
notice-quote-issued-action = View quote
notice-job-scheduled-title = Visit { $number } scheduled for { $start }
notice-job-scheduled-text = { $title } ({ $number }) is scheduled for { $start }.
notice-job-scheduled-action = View visit
notice-job-cancelled-title = Visit { $number } was canceled
notice-job-cancelled-text = { $title } ({ $number }) was canceled by { $business }.
notice-job-cancelled-action = View visit
notice-ticket-replied-title = New reply on ticket #{ $number }
notice-ticket-replied-text = { $business } replied to your ticket #{ $number }: { $subject }.
notice-ticket-replied-action = View ticket
notice-ticket-closed-title = Ticket #{ $number } was closed
notice-ticket-closed-text = { $business } closed your ticket #{ $number }: { $subject }.
notice-ticket-closed-action = View ticket
notice-request-updated-title = Your request “{ $request }”: { $status }
notice-request-updated-text = { $noted ->
    [0] { $business } set the status of your request “{ $request }” to “{ $status }”.
   *[other] { $business } set the status of your request “{ $request }” to “{ $status }” and wrote: { $note }
}
notice-request-updated-action = View request
