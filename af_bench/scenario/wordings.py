"""The names a gate asked under several wordings of its system prompt (`--af-paraphrases`) uses
in its samples and its report; nothing here needs inspect, so the report side reads them too."""

PUBLISHED = "published"
"""The wording id of the shipped prompt itself."""

WORDING = "wording"
"""The sample metadata key naming the wording a sample's pair is asked under."""
