/** The CAM methods by name: adding a method is one file, one line here and one name in src/choices.ts. */
import { eigencam } from './eigencam.js';
import { gradcam } from './gradcam.js';
import { gradcamPlusPlus } from './gradcam-plus-plus.js';
import { hirescam } from './hirescam.js';
import { layercam } from './layercam.js';
import type { CamMethod } from './method.js';
import type { CamMethodName } from '../../choices.js';
import { scorecam } from './scorecam.js';
import { xgradcam } from './xgradcam.js';

export const CAM_METHODS: Record<CamMethodName, CamMethod> = {
  gradcam,
  'gradcam++': gradcamPlusPlus,
  hirescam,
  xgradcam,
  layercam,
  scorecam,
  eigencam,
};
export { CAM_METHOD_NAMES, type CamMethodName } from '../../choices.js';
export type { CamMethod };
