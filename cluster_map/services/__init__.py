"""Services: one function per user question, composing sources, store, stats, maps and reports.

No SQL and no Streamlit here. ``ingest`` builds the store from the official sources; the others
answer questions over it.
"""
