// Loads one local export in transformers.js (Node, onnxruntime-node, fp32) and prints what it computes as JSON.
//
//   echo '{"folder": "out/tiny-bert", "task": "masked-lm", "inputs": {"texts": ["a b"]}}' | node run.mjs
//
// The request comes on stdin (or as the first argument). Tasks are onnxcore feature names:
//   masked-lm                {texts}                          -> {input_ids, logits}      (a padded batch)
//   image-classification     {image: {width, height, data}}   -> {pixel_values, logits}   (data: RGB bytes, HWC)
//   causal-lm-with-past      {prompts, max_new_tokens}        -> {input_ids, sequences}   (one prompt at a time)
//   seq2seq-lm-with-past     {prompts, max_new_tokens}        -> {input_ids, sequences}   (one prompt at a time)
//     either, with {batch: true, padding_side}                -> {input_ids, attention_mask, sequences}
//                                                                 (all prompts in one padded batch, one generate())
//   speech2seq-lm-with-past  {audio, max_new_tokens}          -> {input_features, sequences}
// Models are read from FOLDER/onnx/, everything else from FOLDER; nothing is fetched. {"dtype": "q8"} (fp16, q4, ...)
// loads that --quantize variant instead of the fp32 files.
import { readFileSync } from "node:fs";
import path from "node:path";

import {
  AutoModelForCausalLM,
  AutoModelForImageClassification,
  AutoModelForSeq2SeqLM,
  AutoModelForMaskedLM,
  AutoModelForSpeechSeq2Seq,
  AutoProcessor,
  AutoTokenizer,
  RawImage,
  env,
} from "@huggingface/transformers";

env.allowRemoteModels = false;
env.allowLocalModels = true;

/** Options every from_pretrained call gets: the request's dtype (fp32 by default) from onnx/, on the CPU, one
 * thread. */
const MODEL_OPTIONS = {
  dtype: "fp32",
  device: "cpu",
  subfolder: "onnx",
  session_options: { intraOpNumThreads: 1, interOpNumThreads: 1 },
};

/** A tensor as plain JSON: nested lists of numbers (int64 as numbers). */
function toJSON(tensor) {
  return tensor.tolist().map(function convert(value) {
    if (Array.isArray(value)) return value.map(convert);
    return typeof value === "bigint" ? Number(value) : value;
  });
}

/** Point transformers.js at the export: localModelPath is its parent, the model id its folder name. */
function modelId(folder) {
  const absolute = path.resolve(folder);
  env.localModelPath = path.dirname(absolute) + path.sep;
  return path.basename(absolute);
}

async function maskedLM(id, { texts }) {
  const tokenizer = await AutoTokenizer.from_pretrained(id);
  const model = await AutoModelForMaskedLM.from_pretrained(id, MODEL_OPTIONS);
  const encoded = tokenizer(texts, { padding: true });
  const { logits } = await model(encoded);
  return { input_ids: toJSON(encoded.input_ids), logits: toJSON(logits) };
}

async function imageClassification(id, { image }) {
  const processor = await AutoProcessor.from_pretrained(id);
  const model = await AutoModelForImageClassification.from_pretrained(id, MODEL_OPTIONS);
  const raw = new RawImage(Uint8ClampedArray.from(image.data), image.width, image.height, 3);
  const { pixel_values } = await processor(raw);
  const { logits } = await model({ pixel_values });
  return { pixel_values: toJSON(pixel_values), logits: toJSON(logits) };
}

/** Greedy generation with transformers.js' own generate() and the export's past: each prompt alone, or with
 * `batch` all prompts at once, padded on `padding_side` ("left" as for decoder-only batched generation, "right"
 * T5's default), in one generate() call. */
function textGeneration(AutoModelClass) {
  return async (id, { prompts, max_new_tokens, batch = false, padding_side }) => {
    const tokenizer = await AutoTokenizer.from_pretrained(id);
    const model = await AutoModelClass.from_pretrained(id, MODEL_OPTIONS);
    const options = { max_new_tokens, do_sample: false, num_beams: 1 };
    if (batch) {
      if (padding_side) tokenizer.padding_side = padding_side;
      const encoded = tokenizer(prompts, { padding: true });
      const output = await model.generate({ ...encoded, ...options });
      return {
        input_ids: toJSON(encoded.input_ids),
        attention_mask: toJSON(encoded.attention_mask),
        sequences: toJSON(output),
      };
    }
    const input_ids = [];
    const sequences = [];
    for (const prompt of prompts) {
      const encoded = tokenizer(prompt);
      const output = await model.generate({ ...encoded, ...options });
      input_ids.push(toJSON(encoded.input_ids)[0]);
      sequences.push(toJSON(output)[0]);
    }
    return { input_ids, sequences };
  };
}

async function speechRecognition(id, { audio, max_new_tokens }) {
  const processor = await AutoProcessor.from_pretrained(id);
  const model = await AutoModelForSpeechSeq2Seq.from_pretrained(id, MODEL_OPTIONS);
  const { input_features } = await processor(Float32Array.from(audio));
  const output = await model.generate({ inputs: input_features, max_new_tokens, do_sample: false, num_beams: 1 });
  return { input_features: toJSON(input_features), sequences: toJSON(output) };
}

const TASKS = {
  "masked-lm": maskedLM,
  "image-classification": imageClassification,
  "causal-lm-with-past": textGeneration(AutoModelForCausalLM),
  "seq2seq-lm-with-past": textGeneration(AutoModelForSeq2SeqLM),
  "speech2seq-lm-with-past": speechRecognition,
};

const request = JSON.parse(process.argv[2] ?? readFileSync(0, "utf8"));
const run = TASKS[request.task];
if (!run) {
  console.error(`unknown task ${JSON.stringify(request.task)}; one of ${Object.keys(TASKS).join(", ")}`);
  process.exit(2);
}
MODEL_OPTIONS.dtype = request.dtype ?? "fp32";
const result = await run(modelId(request.folder), request.inputs);
process.stdout.write(JSON.stringify(result) + "\n");
