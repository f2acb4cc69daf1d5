-- The map of the installation's region (internal/geo): one shape a region
-- (a county, or a city), imported once by an administrator from a GeoJSON
-- file and replaced whole by the next import; region_map_import says which
-- file, who and when. No row in region_map_import: no map, and the
-- overview draws none.

-- +goose Up
CREATE TABLE region_shapes (
    code     TEXT PRIMARY KEY,  -- the region's 6-digit code (regions.code)
    name     TEXT NOT NULL,
    geometry TEXT NOT NULL      -- GeoJSON Polygon or MultiPolygon, checked on import
);

CREATE TABLE region_map_import (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    file_name   TEXT NOT NULL,
    features    INTEGER NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE region_map_import;
DROP TABLE region_shapes;
