"""View models shared by the app and the outputs: panel, reader, travel, indicators."""
