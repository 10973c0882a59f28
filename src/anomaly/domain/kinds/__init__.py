"""The model kinds a fit may ask for, by name: adding a kind is one module and one line here."""

from anomaly.domain.errors import InvalidInput
from anomaly.domain.kinds.gaussian.model import GAUSSIAN
from anomaly.domain.kinds.streaming.model import ROBUST, SEASONAL
from anomaly.domain.model_kind import ModelKind

# The kind of a fit that names none: the seed's model, so that earlier clients see no change.
DEFAULT_KIND = GAUSSIAN.name

KINDS: dict[str, ModelKind] = {kind.name: kind for kind in (GAUSSIAN, ROBUST, SEASONAL)}


def kind_named(name: str) -> ModelKind:
    """The kind called `name`; `InvalidInput` naming the field `kind` if there is none."""
    try:
        return KINDS[name]
    except KeyError:
        raise InvalidInput("kind", f"must be one of {', '.join(sorted(KINDS))}, got {name!r}") from None
