# Service contracts: recurring agreements and blocks of hours.
nav-service-contracts = Contracts
contracts-title = Service contracts
contracts-find = Find contracts
contracts-filter-status = Status
contracts-any-status = Any status
contracts-show = Show contracts
contracts-show-all = Show all
contracts-no-results = No results
contracts-count = { $count ->
    [one] { $count } contract
   *[other] { $count } contracts
}
contracts-fix-filter = Fix the filter above to see contracts.
contracts-none-on-page = There are no contracts on this page.
contracts-none-match = No contracts match this filter.
contracts-none = You have no service contracts yet.
contracts-contract = Contract
contracts-kind = Kind
contracts-status = Status
contracts-starts = Starts
contracts-outlook = Next
contract-status-active = Active
contract-status-paused = Paused
contract-status-ended = Ended
contract-status-cancelled = Canceled
contract-kind-recurring = Recurring service
contract-kind-time-block = Block of hours
contract-no-visit-planned = No visit planned
contract-next-visit-on = Next visit { $day }
contract-hours-left = { $hours } of { $bought } hours left
contract-title = Contract { $number }
contract-all = All contracts
contract-ends = Ends
contract-no-end = No end date
contract-visits = Visits
contract-schedule = Schedule
contract-next-visit = Next visit
contract-price-per-period = Price per period
contract-hours-heading = Hours
contract-hours = { $hours } h
contract-hours-bought = Bought
contract-hours-used = Used
contract-hours-remaining = Remaining
contract-hours-overage = Over the hours bought
contract-covers = What it covers
