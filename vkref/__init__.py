"""vkref — offline evidence reference on vitamin K2 and bone health.

Public API::

    from vkref import Library
    lib = Library.open()            # or Library.open("path/to/library")
    page = lib.search("raloxifene femoral neck", filters={"species": ["Rat"]})
    page.to_dict()                  # exactly the JSON of ``vkref search --json``

``Library`` is imported lazily so that ``import vkref`` stays cheap (the GUI shows its window first).
"""
__version__ = "0.1.0"

__all__ = ["Library", "__version__"]


def __getattr__(name):
    if name == "Library":
        from vkref.library import Library

        return Library
    raise AttributeError(f"module 'vkref' has no attribute {name!r}")
