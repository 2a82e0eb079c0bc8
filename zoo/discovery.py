"""Finding the families: every package under zoo/families/, and every `zoo.families` entry point.

The core never imports a family by name (pyproject.toml's import contracts check it): families are
found here, at discovery time, by two conventions:
- the families zoo ships: each subpackage of `zoo.families` (found in a plain checkout too);
- other distributions' families: an entry point in the group `zoo.families` naming a module, the
  plug-in convention of pytest (`pytest11`) and of Python packaging. A lab publishes its own family
  without forking the zoo by declaring, in its pyproject.toml:

      [project.entry-points."zoo.families"]
      faces = "labzoo.faces"

A family module's contract: importing it registers its entries (zoo.registry.register) and gives
FAMILY (a zoo.family.Family); it imports no TensorFlow at import time, so `zoo list` stays instant.
Its optional submodule `layers` holds its serialisable Keras classes: `import_layers` imports it
before a `.keras` file is loaded. Two families of one name are an error, never a silent choice.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import entry_points
from importlib.util import find_spec
from pkgutil import iter_modules
from types import ModuleType

from zoo.errors import ZooError
from zoo.family import Family

GROUP = "zoo.families"  # the entry-point group other distributions declare their families in
SHIPPED = "zoo.families"  # the package whose subpackages are the families zoo ships
LAYERS = "layers"  # a family's optional module of serialisable Keras classes

_found: dict[str, ModuleType] | None = None


def family_modules() -> dict[str, str]:
    """name -> module path of every family, shipped and plugged in, sorted by name; a clash raises ZooError."""
    shipped = {m.name: f"{SHIPPED}.{m.name}" for m in iter_modules(import_module(SHIPPED).__path__) if m.ispkg}
    found = dict(shipped)
    for point in entry_points(group=GROUP):
        where = f"{point.dist.name if point.dist else 'an installed distribution'}'s entry point {point.name}"
        if point.attr:
            raise ZooError(f"{where} = {point.value!r}: a `{GROUP}` entry point names a module, not an object in one")
        known = found.get(point.name)
        if known is not None and known != point.module:
            raise ZooError(f"two families are called {point.name!r}: {known} and {point.module} ({where})")
        found[point.name] = point.module
    return dict(sorted(found.items()))


def discover(refresh: bool = False) -> dict[str, ModuleType]:
    """name -> imported family module; importing one registers its entries. Cached: `refresh` reads again."""
    global _found
    if _found is None or refresh:
        found = {}
        for name, path in family_modules().items():
            module = _import(name, path)
            if not isinstance(getattr(module, "FAMILY", None), Family):
                raise ZooError(f"family {name!r} ({path}) gives no FAMILY: a zoo.family.Family object")
            found[name] = module
        _found = found
    return _found


def _import(name: str, path: str) -> ModuleType:
    try:
        return import_module(path)
    except ImportError as err:
        if path.startswith(f"{SHIPPED}."):
            raise  # zoo's own code: a bug to see whole, not a user's mistake
        raise ZooError(f"family {name!r} ({path}) could not be imported: {err}") from None


def import_layers() -> list[str]:
    """Import every discovered family's `layers` module (where it has one): its classes can then load."""
    imported = []
    for module in discover().values():
        layers = f"{module.__name__}.{LAYERS}"
        if find_spec(layers) is not None:
            import_module(layers)
            imported.append(layers)
    return imported
