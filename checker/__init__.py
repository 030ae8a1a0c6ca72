"""torchkata's checker: manifest, probe runtime, judges, runners and emitters.

Importing this package never imports torch by itself; modules that need torch import it,
so `kata --help` and `kata hint` stay instant.
"""
import warnings
from pathlib import Path

# torch prints this at import time when NumPy is absent; torchkata never needs NumPy.
warnings.filterwarnings("ignore", message="Failed to initialize NumPy")

__version__ = "0.1.0"

#: The repository root: manifest, solutions/ and exercises/ live beside the checker package.
ROOT = Path(__file__).resolve().parent.parent
