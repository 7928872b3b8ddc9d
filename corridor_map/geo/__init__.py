"""Geodesy on WGS84, GCJ-02/BD-09 shifts and GeoJSON reading and writing."""
