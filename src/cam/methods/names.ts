/**
 * The CAM method names, without loading TensorFlow.js: the CLI offers them as `--method`
 * choices before any command module is imported. index.ts checks that it implements exactly these.
 */
export const CAM_METHOD_NAMES = ['gradcam', 'gradcam++', 'hirescam', 'xgradcam', 'layercam', 'scorecam', 'eigencam'] as const;
export type CamMethodName = (typeof CAM_METHOD_NAMES)[number];
