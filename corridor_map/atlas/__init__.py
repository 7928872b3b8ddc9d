"""The curated atlas: model, published schemas, validation and the indicator register."""
