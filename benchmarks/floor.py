"""The floor under every export: import torch and transformers and load the checkpoint, nothing else.

python benchmarks/floor.py CHECKPOINT AUTO_CLASS
"""

import sys

import torch  # noqa: F401  (transformers imports it too; named here so the floor is explicit)
import transformers

getattr(transformers, sys.argv[2]).from_pretrained(sys.argv[1])
