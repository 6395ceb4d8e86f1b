import os, sys

os.environ["TF_USE_LEGACY_KERAS"] = "1"
sys.path.insert(0, "/work/main/core/tests")
from pathlib import Path
import numpy as np, onnx, onnxruntime as ort, torch
from transformers import TFBertModel, BertModel, AutoTokenizer
from throwaway import TinyTextOnnxConfig
from onnxcore.exporters.tensorflow import export_tensorflow

tok = AutoTokenizer.from_pretrained("/work/main/examples/tiny-bert")
m = TFBertModel.from_pretrained("/work/main/examples/tiny-bert", from_pt=True)
cfg = TinyTextOnnxConfig(m.config)
print(export_tensorflow(tok, m, cfg, 14, Path("/tmp/tfb.onnx")))
g = onnx.load("/tmp/tfb.onnx").graph
print(
    [
        (i.name, [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim], i.type.tensor_type.elem_type)
        for i in g.input
    ]
)
print([(o.name, [d.dim_param or d.dim_value for d in o.type.tensor_type.shape.dim]) for o in g.output])
enc = tok(["hello world the cat", "dog", "a b c"], padding=True, return_tensors="np")
got = ort.InferenceSession("/tmp/tfb.onnx").run(None, {k: enc[k].astype(np.int64) for k in cfg.inputs})[0]
pt = BertModel.from_pretrained("/work/main/examples/tiny-bert").eval()
with torch.no_grad():
    ref = pt(**{k: torch.tensor(enc[k]) for k in cfg.inputs}).last_hidden_state.numpy()
print("pt vs tf-onnx", np.abs(got - ref).max())
