/**
 * TensorFlow.js as this project uses it: tfjs-core (tensors, ops, engine), tfjs-layers (models)
 * and the plain-JavaScript cpu backend. The `@tensorflow/tfjs` package re-exports the same modules
 * but also loads the converter, tfjs-data and the WebGL backend, none of which a command-line tool
 * in Node uses; skipping them saves about 120 ms of every start-up. Without the union package
 * the chained tensor methods (`x.reshape()`) are not registered: use the functions (`tf.reshape(x)`).
 */
import '@tensorflow/tfjs-backend-cpu';

export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';
