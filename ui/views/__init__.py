"""Page bodies and the Streamlit pieces they draw: one module per page (or panel).

The page scripts in ``app_pages/`` read their widgets and call these; the drawing
itself (maps, slides, exports) lives in :mod:`ui.render`.
"""
