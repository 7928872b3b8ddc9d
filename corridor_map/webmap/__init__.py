"""The web map: styles, labels, basemaps and the folium bundle."""
