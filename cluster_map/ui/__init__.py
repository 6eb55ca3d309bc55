"""The only Streamlit code of the package: cached data access, URL state, widgets.

``state``   the frozen ``Filters`` and its pure URL ``encode``/``decode``
``data``    the cached read-only store connection and cached service calls
``mapview`` the map widget (st_folium in a fragment) and its legend/table/downloads
``errors``  the one UI error handler
``startup`` build the store on first run and install the offline map assets
"""
