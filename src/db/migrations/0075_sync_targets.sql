-- Where a synced provider event lands (issue 14): the warehouse event it fills (NULL: its own,
-- keyed by provider and external id) and the roster it also feeds (NULL: none), so scheduled
-- syncs do what "sync this event" chose. Both carry partner_id in their foreign keys.
ALTER TABLE sync_schedules ADD COLUMN warehouse_event_id bigint;
ALTER TABLE sync_schedules ADD COLUMN roster_event_id integer;
ALTER TABLE sync_schedules ADD CONSTRAINT sync_schedules_warehouse_event
  FOREIGN KEY (warehouse_event_id, partner_id) REFERENCES results_events (id, partner_id) ON DELETE SET NULL (warehouse_event_id);
ALTER TABLE sync_schedules ADD CONSTRAINT sync_schedules_roster_event
  FOREIGN KEY (roster_event_id, partner_id) REFERENCES roster_events (id, partner_id) ON DELETE SET NULL (roster_event_id);
