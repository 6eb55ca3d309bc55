"""Map builders: offline folium maps for the app and static matplotlib maps for reports.

Public API (see each module):

* :mod:`~cluster_map.maps.assets`: :func:`install_static_assets`, :func:`localise`, :func:`offsite_links`
* :mod:`~cluster_map.maps.escape`: :func:`esc`, :func:`fmt_number`, :func:`safe_url`, :func:`js_json`
* :mod:`~cluster_map.maps.classes`: :class:`Classes`, :func:`classes_for`, :func:`quantiles`,
  :func:`natural_breaks`, :func:`lq_classes`, :func:`star_classes`, :func:`boolean_classes`, ...
* :mod:`~cluster_map.maps.choropleth`: :func:`encode_geometry`, :func:`publish_geometry`,
  :func:`base_map`, :func:`paint` (-> :class:`Paint` with ``feature_group()``), :func:`choropleth`,
  :func:`clicked_region`
* :mod:`~cluster_map.maps.layers`: :func:`organisations_layer`, :func:`hotspot_layer`,
  :func:`star_layer`, :func:`layer_control`
* :mod:`~cluster_map.maps.static`: :func:`static_choropleth` (PNG bytes, no browser)
* :mod:`~cluster_map.maps.elements`: :class:`RawText`, :class:`RenderedOnce`: our map elements put
  their rendered text into the page as it is (branca would compile it as a Jinja template: data with
  ``{{ }}`` would run on the server)

Submodules are imported on use (folium and matplotlib are slow to import).
"""
