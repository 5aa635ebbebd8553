/** Backend names, apart from backend.ts so the CLI can list them without loading TensorFlow.js. */
export const BACKEND_CHOICES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
