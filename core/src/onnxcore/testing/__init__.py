"""Test kit for onnxcore plugin authors: tiny offline checkpoints and the conformance suite.

Import it from tests only; it needs torch and pytest.
"""
