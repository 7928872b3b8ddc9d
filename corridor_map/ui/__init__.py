"""The one package that imports Streamlit: the map component and widgets."""
