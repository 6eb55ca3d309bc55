"""Reports and exports: plain data objects in, files (CSV, XLSX, Parquet, GeoJSON, HTML, PDF) out.

Renderers never query the store: services assemble the tables first, then a renderer here turns them
into bytes (house style: build a plain object first, render second).
"""
