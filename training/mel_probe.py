"""Prints a world tone and its encoder features as JSON, for check-mel.ts (Python ↔ executor parity)."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from models.encoders import audio_features  # noqa: E402
from world import World  # noqa: E402

s = World(0).audio(3)
print(json.dumps({"wave": s.data.tolist(), "features": audio_features(s.data).ravel().tolist()}))
