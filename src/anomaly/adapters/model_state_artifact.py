"""A model artifact's verified bytes as a model state, for every artifact store alike."""

from anomaly.domain.model import ModelState
from anomaly.domain.model_format import UnreadableModel, decode_model_state
from anomaly.ports.errors import ArtifactUnreadable


def model_state_in(content: bytes, location: str) -> ModelState:
    """The state `content` holds; `ArtifactUnreadable` naming `location` if it holds none."""
    try:
        return decode_model_state(content)
    except UnreadableModel as error:
        raise ArtifactUnreadable(location, f"is not a model state ({error})") from error
