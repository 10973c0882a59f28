"""A model artifact's verified bytes as a model, for every artifact store alike."""

from anomaly.domain.model_format import UnreadableModel, decode_model
from anomaly.domain.model_kind import Model
from anomaly.ports.errors import ArtifactUnreadable


def model_in(content: bytes, location: str) -> Model:
    """The state `content` holds; `ArtifactUnreadable` naming `location` if it holds none."""
    try:
        return decode_model(content)
    except UnreadableModel as error:
        raise ArtifactUnreadable(location, f"is not a model ({error})") from error
