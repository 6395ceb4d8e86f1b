"""``python -m onnxcore``."""

from .cli import main

raise SystemExit(main())
