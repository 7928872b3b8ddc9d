"""The ``corridor-map`` command line: one module per command group."""
