-- A roster is read whole in pages of participants in id order (keyset: event_id = $1 AND
-- id > $2 ORDER BY id LIMIT n): each page an index range, however many other events the
-- table holds.
CREATE INDEX participants_event_id ON participants (event_id, id);
