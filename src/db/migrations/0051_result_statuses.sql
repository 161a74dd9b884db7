-- Providers also report DNQ (did not qualify) and unknown; results keep what they say
-- (src/providers/records.ts RESULT_STATUSES). A migration of its own: 0050 is applied already.
ALTER TABLE results DROP CONSTRAINT results_status_check;
ALTER TABLE results ADD CONSTRAINT results_status_check CHECK (status IN ('finished', 'DNF', 'DNS', 'DQ', 'DNQ', 'unknown'));
