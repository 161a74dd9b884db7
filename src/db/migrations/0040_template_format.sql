-- Template formats (issue 17): a template is drawn for a landscape 16:9 screen (1920×1080,
-- every template so far) or a portrait one (1080×1920, a TV on its side). The format belongs
-- to the template, not to a version: restoring a version never changes the screen's shape.
ALTER TABLE display_templates
  ADD COLUMN format text NOT NULL DEFAULT 'landscape' CHECK (format IN ('landscape', 'portrait'));
