import time, numpy as np, os

os.environ["TF_USE_LEGACY_KERAS"] = "1"
import tensorflow as tf, tf2onnx, onnx, onnxruntime as ort
from tf2onnx.handler import tf_op
import numpy as _np


@tf_op("Erfc")
class Erfc:
    @classmethod
    def version_9(cls, ctx, node, **kwargs):
        # erfc(x) = 1 - erf(x)
        x = node.input[0]
        erf = ctx.make_node("Erf", [x])
        dtype = ctx.get_dtype(x)
        one = ctx.make_const(
            tf2onnx.utils.make_name("one"), _np.array(1, dtype=tf2onnx.utils.map_onnx_to_numpy_type(dtype))
        )
        ctx.remove_node(node.name)
        ctx.make_node("Sub", [one.output[0], erf.output[0]], outputs=node.output, name=node.name)


from transformers import TFBertModel, BertModel, AutoTokenizer

t0 = time.time()
m = TFBertModel.from_pretrained("/work/main/examples/tiny-bert", from_pt=True)
print("load", round(time.time() - t0, 1))
names = ["input_ids", "attention_mask", "token_type_ids"]
sig = [tf.TensorSpec([None, None], tf.int32, name=n) for n in names]


@tf.function(input_signature=sig)
def f(input_ids, attention_mask, token_type_ids):
    out = m(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
    return {"last_hidden_state": out.last_hidden_state}


t0 = time.time()
proto, _ = tf2onnx.convert.from_function(f, input_signature=sig, opset=14, output_path="/tmp/tfbert.onnx")
print("convert", round(time.time() - t0, 1))
g = onnx.load("/tmp/tfbert.onnx").graph
print(
    [
        (i.name, [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim], i.type.tensor_type.elem_type)
        for i in g.input
    ]
)
print([(o.name, [d.dim_param or d.dim_value for d in o.type.tensor_type.shape.dim]) for o in g.output])
print(sorted({n.op_type for n in g.node})[:40])
tok = AutoTokenizer.from_pretrained("/work/main/examples/tiny-bert")
enc = tok(["hello world the cat", "dog"], padding=True, return_tensors="np")
s = ort.InferenceSession("/tmp/tfbert.onnx")
got = s.run(None, {k: enc[k].astype(np.int32) for k in names})[0]
pt = BertModel.from_pretrained("/work/main/examples/tiny-bert").eval()
import torch

with torch.no_grad():
    ref = pt(**{k: torch.tensor(enc[k]) for k in names}).last_hidden_state.numpy()
print("pt vs tf-onnx", np.abs(got - ref).max())
