"""The road and rail network, routing, isochrones and the documents' travel targets."""
