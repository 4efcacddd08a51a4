# Service requests: the list, asking, one request.
nav-requests = Requests
requests-title = Requests
requests-new = Make a request
requests-new-title = What do you need?
requests-all = All requests
requests-back-to-kinds = Choose another kind of request
requests-filter = Filter
requests-find = Find requests
requests-filter-status = Show
requests-filter-all = All requests
requests-filter-open = Open
requests-filter-closed = Closed
requests-show = Show
requests-no-results = No requests shown
requests-count = { $count ->
    [one] { $count } request
   *[other] { $count } requests
}
requests-fix-filter = Fix the filter above to see your requests.
requests-none-on-page = There are no requests on this page.
requests-none-match = You have not made any requests yet.
requests-col-request = Request
requests-col-status = Status
requests-col-asked = Asked
request-status-pending = Received
request-status-scheduled = Scheduled
request-status-in-progress = In progress
request-status-completed = Done
request-status-declined = Declined
request-status-canceled = Canceled
request-kind-service = Request service
request-kind-service-about = Tell us what you need done and where, and we will get back to you.
request-kind-call-off = Call off rent
request-kind-call-off-about = Ask us to collect rented items: choose the contract, then the items.
request-summary-call-off = { $number }: { $count ->
    [one] { $count } item
   *[other] { $count } items
}
request-service-description = What do you need?
request-service-description-hint = Describe the work, the problem or what you have seen.
request-service-property = Where
request-pick-one = Choose one
request-optional = (optional)
request-submit = Send request
request-files = Photos and files
request-done = We have your request. You can follow it here.
request-where = Where it stands
request-note = Our note
request-no-note = No note yet.
request-updated = Last updated
request-asked = What you asked
request-call-off-contract = Contract
request-call-off-items = Items
request-call-off-pickup = Pickup
request-call-off-notes = Notes
request-call-off-page = See the call-off
request-cancel-heading = Changed your mind?
request-cancel-hint = You can cancel this request while we have not answered it yet.
request-cancel = Cancel request
request-canceled = Your request is canceled.
