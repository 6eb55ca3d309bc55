"""Readers of official sources: bytes from a URL or a local mirror in, validated frames out."""
