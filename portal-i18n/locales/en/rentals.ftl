# Rentals: contracts with the items out on them, reservations, and
# "call off rent" requests (portal-http-axum/src/pages/rentals.rs, the
# rental contract PDF in src/pdf.rs).
nav-rentals = Rentals
rentals-nav = Rentals sections
rentals-title = Rentals
rentals-nav-contracts = Rental contracts
rentals-nav-items-out = Items out
rentals-nav-reservations = Reservations
rentals-show = Show contracts
rentals-count = { $count ->
    [one] { $count } rental contract
   *[other] { $count } rental contracts
}
rentals-fix-filter = Fix the filter above to see your rental contracts.
rentals-none-on-page = There are no rental contracts on this page.
rentals-none-match = No rental contracts match this filter.
rentals-none = You have no rental contracts yet.
rentals-col-contract = Rental contract
rentals-col-started = Started
rentals-col-site = Site
rentals-col-items-out = Items out
rentals-no-site = Not given
rental-status-open = Open
rental-status-closed = Closed
rental-title = Rental contract { $number }
rental-all = All rental contracts
rental-details = Contract details
rental-items = Items
rental-col-item = Item
rental-col-out = Quantity out
rental-col-returned = Returned
rental-col-since = Out since
rental-col-still-out = Still out
rental-col-rate = Rate
rental-no-rate = Not given
rental-items-none = This contract has no items.
rental-call-off-link = Call off rent
rental-call-offs = Call-offs
rental-call-offs-none = Nothing has been called off on this contract.
rental-col-requested = Requested
rental-col-pickup = Pickup date
rental-col-items = Items
rental-item-quantity = { $quantity } × { $name }
rentals-items-out-title = Items out
rentals-items-out-count = { $count ->
    [one] { $count } line of items still out
   *[other] { $count } lines of items still out
}
rentals-items-out-none = Nothing is out on your open rental contracts.
rentals-items-out-none-on-page = There are no items on this page.
rentals-reservations-title = Reservations
rentals-reservations-count = { $count ->
    [one] { $count } reservation
   *[other] { $count } reservations
}
rentals-reservations-none = You have no reservations.
rentals-reservations-none-on-page = There are no reservations on this page.
rentals-col-reservation = Reservation
rentals-col-dates = Dates booked
rentals-reservation-dates = { $from } to { $to }
reservation-status-pending = Awaiting confirmation
reservation-status-confirmed = Confirmed
reservation-status-fulfilled = Fulfilled
reservation-status-cancelled = Canceled
call-off-title = Call off rent: contract { $number }
call-off-intro = Tell us how many of each item we should collect, and from when they can be picked up.
call-off-back = Back to the contract
call-off-items = Items to collect
call-off-items-hint = Leave an item at 0 to keep it.
call-off-up-to = { $available ->
    [one] up to 1
   *[other] up to { $available }
}
call-off-pickup = Pickup date
call-off-pickup-hint = today or later
call-off-notes = Notes for the driver (optional)
call-off-notes-hint = gate code, where the items stand
call-off-submit = Send the call-off
call-off-nothing = Nothing on this contract can be called off now: everything still out is already in a call-off.
call-off-closed = This contract is closed: nothing on it can be called off.
call-off-page-title = Call-off on contract { $number }
call-off-done = Your call-off was sent. We will let you know when the pickup is scheduled.
call-off-requested = Requested
call-off-notes-label = Notes
call-off-no-notes = None
call-off-col-quantity = Quantity
call-off-status-pending = Requested
call-off-status-scheduled = Pickup scheduled
call-off-status-collected = Collected
call-off-status-cancelled = Canceled
call-off-status-in-progress = Pickup under way
call-off-status-declined = Declined
call-off-explain-pending = We have your request and will schedule the pickup.
call-off-explain-scheduled = The pickup is scheduled.
call-off-explain-collected = The items were collected.
call-off-explain-cancelled = This call-off was canceled. Call us if that is not what you expected.
call-off-explain-in-progress = We are collecting the items.
call-off-explain-declined = We could not take this call-off. Call us to arrange the pickup.
dashboard-rentals = Rentals
dashboard-rentals-text = Your rental contracts, the items still out and your reservations.
pdf-rental-started = Started: { $date }
pdf-rental-site = Site: { $site }
pdf-rental-call-off = { $date }: { $items } ({ $status }); pickup { $pickup }
