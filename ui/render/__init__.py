"""Streamlit-free renderers: maps, slides, the offline HTML, downloads, escaping, numbers.

Nothing here imports Streamlit (``tests/ui/test_layers.py`` checks it): each module
turns data into a folium map, an image, a PDF, an HTML file or a table, and is
tested without a server.
"""
