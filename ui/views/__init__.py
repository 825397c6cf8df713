"""Page bodies and the Streamlit pieces they draw: one module per page (or panel).

Each page script in ``app_pages/`` draws the frame and calls its view's
``render(lang)``, which reads the widgets and draws the page; the drawing
itself (maps, slides, exports) lives in :mod:`ui.render`.
"""
