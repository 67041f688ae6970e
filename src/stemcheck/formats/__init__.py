"""Output formats: one class per format behind `formats.base.Formatter`.

The name -> class mapping is `stemcheck.formats.registry.FORMATTERS`. This package imports
nothing itself: a scan's workers render findings with one format's function and import
only that format's module, not all six and their helpers.
"""
