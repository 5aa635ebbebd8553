/**
 * TensorFlow.js as this project uses it: tfjs-core (tensors, ops, engine), tfjs-layers (models)
 * and the plain-JavaScript cpu backend. Everything goes through this module.
 *
 * Why not `import ... from '@tensorflow/tfjs-core'`: these packages are CommonJS bundles of a few
 * MB, and Node 20's ES-module loader scans each one to detect its format and its export names
 * before running it, a large part of a one-image `cam` (docs/performance.md); `require` runs them
 * directly. So the packages are required,
 * their types re-exported, and the values this project uses exported by name; add a name here when
 * you need one (tsc says so). The `@tensorflow/tfjs` union package is not used at all: it would
 * also load the converter, tfjs-data and the WebGL backend. Without it the chained tensor methods
 * (`x.reshape()`) are not registered: use the functions (`tf.reshape(x)`).
 */
import { createRequire } from 'node:module';
import type * as Core from '@tensorflow/tfjs-core';
import type * as Layers from '@tensorflow/tfjs-layers';

export type * from '@tensorflow/tfjs-core';
export type * from '@tensorflow/tfjs-layers';

/** Types that live inside namespaces this module also exports as values (which hide them). */
export type Layer = Layers.layers.Layer;
export type ModelArtifacts = Core.io.ModelArtifacts;
export type WeightsManifestEntry = Core.io.WeightsManifestEntry;
export type ConfigDict = Core.serialization.ConfigDict;
export type Conv2DInfo = Core.backend_util.Conv2DInfo;

const load = createRequire(import.meta.url);
load('@tensorflow/tfjs-backend-cpu');
const core = load('@tensorflow/tfjs-core') as typeof Core;
const tfLayers = load('@tensorflow/tfjs-layers') as typeof Layers;

/** `require` for the other CommonJS packages of TensorFlow.js (backends), for the same reason. */
export const requirePackage = load;

export const {
  // engine, backends, kernels and gradients
  engine,
  env,
  getBackend,
  setBackend,
  findBackend,
  findBackendFactory,
  registerBackend,
  removeBackend,
  getKernel,
  registerKernel,
  unregisterKernel,
  getGradient,
  registerGradient,
  unregisterGradient,
  version_core,
  tidy,
  keep,
  dispose,
  grad,
  valueAndGrads,
  // kernel names
  BatchMatMul,
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  FusedBatchNorm,
  MaxPoolGrad,
  Relu,
  _FusedMatMul,
  // classes
  AdamOptimizer,
  // namespaces
  backend_util,
  fused,
  broadcast_util,
  util,
  image,
  io,
  losses,
  serialization,
  train,
  // ops
  add,
  addN,
  avgPool,
  broadcastTo,
  clipByValue,
  depthwiseConv2d,
  erf,
  exp,
  fill,
  leakyRelu,
  matMul,
  maxPool,
  minimum,
  ones,
  pad,
  pow,
  sigmoid,
  split,
  sqrt,
  stridedSlice,
  argMax,
  batchNorm,
  cast,
  concat,
  conv2d,
  div,
  dropout,
  equal,
  gather,
  greater,
  max,
  mean,
  min,
  moments,
  mul,
  neg,
  notEqual,
  oneHot,
  onesLike,
  randomNormal,
  relu,
  reverse,
  reshape,
  rsqrt,
  scalar,
  slice,
  softmax,
  square,
  stack,
  sub,
  sum,
  tensor,
  tensor1d,
  tensor2d,
  tensor3d,
  tensor4d,
  tile,
  topk,
  transpose,
  where,
  zeros,
  zerosLike,
} = core;

export const { initializers, layers, loadLayersModel, sequential } = tfLayers;
