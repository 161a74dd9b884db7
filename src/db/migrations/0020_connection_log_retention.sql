-- connection_log is pruned with the reads' retention (ARCHIVE_AFTER_DAYS): the archival job
-- deletes rows of connections that ended before the cutoff, in batches, by this index.
CREATE INDEX connection_log_disconnected ON connection_log (disconnected_at) WHERE disconnected_at IS NOT NULL;
