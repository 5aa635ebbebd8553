/**
 * The input shape a model declares, read from model.json's `modelTopology` before TensorFlow.js
 * builds anything, so a command can check a requested size first; and for layers models, the
 * requested size written into the Keras topology. A model that accepts any size
 * (`batch_input_shape: [null, null, null, 3]`, a fully convolutional Keras model) has no output
 * shapes until a size is fixed, and Grad-CAM needs the target layer's [h, w, k]: fixing the size
 * in the topology makes TensorFlow.js compute every layer's shape for it, weights unchanged.
 * No TensorFlow.js here.
 */

/** Keras 2 and tf.keras write `batch_input_shape`; Keras 3 writes `batch_shape`. */
const SHAPE_KEYS = ['batch_input_shape', 'batch_shape'] as const;

interface LayerConfig {
  class_name?: unknown;
  config?: Record<string, unknown>;
}

/**
 * The declared input shape (with the batch axis, null where open) of a model with one input, or
 * undefined when the topology does not say it in a form this module knows.
 */
export function topologyInputShape(topology: unknown): (number | null)[] | undefined {
  const holder = inputShapeHolder(topology);
  if (!holder) return undefined;
  return [...(holder.config[holder.key] as (number | null)[])];
}

/**
 * A copy of `topology` whose input takes height × width images (batch and channels kept).
 * Returns the topology unchanged when its input shape is not found.
 */
export function withInputSize(topology: unknown, height: number, width: number): unknown {
  const copy = structuredClone(topology);
  const holder = inputShapeHolder(copy);
  if (!holder) return topology;
  const [batch, , , channels] = holder.config[holder.key] as (number | null)[];
  holder.config[holder.key] = [batch, height, width, channels];
  return copy;
}

/** The config object that holds the (single) input's batch shape, and under which key. */
function inputShapeHolder(
  topology: unknown,
): { config: Record<string, unknown>; key: (typeof SHAPE_KEYS)[number] } | undefined {
  // Converter output wraps the model in `model_config`; TensorFlow.js's own save does not.
  const wrapped = topology as { model_config?: unknown } | null;
  const model = (wrapped?.model_config ?? topology) as { class_name?: unknown; config?: unknown } | null;
  const config = model?.config;
  // Very old Keras Sequential configs are the bare list of layers.
  const layers = (Array.isArray(config) ? config : (config as { layers?: unknown } | undefined)?.layers) as
    | LayerConfig[]
    | undefined;
  if (!Array.isArray(layers)) return undefined;
  const inputs = layers.filter((layer) => layer?.class_name === 'InputLayer');
  // Functional models have an InputLayer per input; a Sequential model may instead put the
  // shape on its first layer.
  const candidates = inputs.length > 0 ? inputs : layers.slice(0, 1);
  if (candidates.length !== 1) return undefined;
  const layerConfig = candidates[0]?.config;
  if (typeof layerConfig !== 'object' || layerConfig === null) return undefined;
  const key = SHAPE_KEYS.find((name) => isShape(layerConfig[name]));
  return key ? { config: layerConfig, key } : undefined;
}

function isShape(value: unknown): value is (number | null)[] {
  return (
    Array.isArray(value) &&
    value.length === 4 &&
    value.every((d) => d === null || (typeof d === 'number' && Number.isFinite(d)))
  );
}

/**
 * A graph model's declared input shape: its one Placeholder's `shape` attribute, -1 (unknown) as
 * null. Undefined when there is not exactly one Placeholder with a 4-axis shape (graph-model.ts
 * then says what is wrong once the model is built).
 */
export function graphInputShape(topology: unknown): (number | null)[] | undefined {
  const nodes = (topology as { node?: unknown } | null)?.node;
  if (!Array.isArray(nodes)) return undefined;
  const placeholders = nodes.filter((node) => (node as { op?: unknown } | null)?.op === 'Placeholder');
  if (placeholders.length !== 1) return undefined;
  const dims = (placeholders[0] as { attr?: { shape?: { shape?: { dim?: unknown } } } }).attr?.shape?.shape?.dim;
  if (!Array.isArray(dims) || dims.length !== 4) return undefined;
  const sizes = dims.map((dim) => Number((dim as { size?: unknown } | null)?.size ?? Number.NaN));
  if (!sizes.every((size) => Number.isInteger(size) && size >= -1)) return undefined;
  return sizes.map((size) => (size === -1 ? null : size));
}
