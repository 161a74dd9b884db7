-- Roster imports run as queue jobs (src/jobs/): any worker may take one, and one whose worker
-- died is retried after its lease. The import row keeps the progress the dashboard polls and
-- names its job; a running row whose job is no longer queued or active is reported failed.
-- No foreign key: finished jobs are pruned, and import rows expire long before that anyway.
ALTER TABLE roster_imports ADD COLUMN job_id bigint;
