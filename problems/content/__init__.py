"""Curriculum content files (content/*.yaml): schema, loading and exporting."""
