# Assets and equipment, with their service history.
nav-assets = Equipment
assets-title = Equipment
assets-find = Find equipment
assets-filter-property = Property
assets-any-property = Every property
assets-show = Show equipment
assets-show-all = Show all
assets-no-results = No results
assets-count = { $count ->
    [one] { $count } item
   *[other] { $count } items
}
assets-fix-filter = Fix the filter above to see equipment.
assets-none-on-page = There is no equipment on this page.
assets-none-match = No equipment at this property.
assets-none = You have no equipment on record yet.
assets-asset = Equipment
assets-property = Property
assets-make-model = Make and model
assets-serial = Serial number
assets-location = Location on site
assets-next-maintenance = Next maintenance
asset-not-planned = Not planned
asset-title = { $name }
asset-all = All equipment
asset-details = Details
asset-make = Make
asset-model = Model
asset-unknown = Not recorded
asset-care = Installation and maintenance
asset-installed = Installed
asset-history = Service history
asset-history-none = No jobs have touched this equipment yet.
asset-history-none-on-page = There are no jobs on this page.
asset-history-job = Job
asset-history-status = Status
asset-history-when = When
asset-not-scheduled = Not scheduled
asset-job-unscheduled = Not yet scheduled
asset-job-scheduled = Scheduled
asset-job-in-progress = In progress
asset-job-completed = Completed
asset-job-cancelled = Canceled
