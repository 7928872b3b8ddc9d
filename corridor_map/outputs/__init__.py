"""Files for planners: GeoJSON, GeoPackage, KML, CSV, printed maps and briefs."""
