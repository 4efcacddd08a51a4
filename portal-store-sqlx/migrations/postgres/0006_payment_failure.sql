-- Why a payment failed is a code (PaymentFailure): the portal words it for
-- the customer in their language. `failure_message` keeps only what the
-- payment provider said of a decline, in its own words. Rows written
-- before hold the sentence the customer saw; each is turned into its code.
-- The other database's migration of the same number makes the same change.
ALTER TABLE payments ADD COLUMN failure_reason TEXT;

UPDATE payments SET failure_reason = 'method_refused', failure_message = NULL
WHERE failure_message = 'This card was not accepted. Check its details or use another card; nothing was charged.';

UPDATE payments SET failure_reason = 'provider_failed', failure_message = NULL
WHERE failure_message = 'The payment provider had a problem, and nothing was charged. Please try again in a moment.';

UPDATE payments SET failure_reason = 'abandoned', failure_message = NULL
WHERE failure_message = 'The payment did not go through, and nothing was charged.';

UPDATE payments SET failure_reason = 'declined',
    failure_message = CASE
        WHEN failure_message LIKE '% Nothing was charged.'
        THEN SUBSTR(failure_message, 1, LENGTH(failure_message) - LENGTH(' Nothing was charged.'))
        ELSE failure_message
    END
WHERE failure_reason IS NULL AND failure_message IS NOT NULL;
