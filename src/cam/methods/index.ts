/** The CAM methods by name: adding a method is one file plus one line here. */
import { gradcam } from './gradcam.js';
import type { CamMethod } from './method.js';

export const CAM_METHODS = { gradcam } satisfies Record<string, CamMethod>;
export type CamMethodName = keyof typeof CAM_METHODS;
export type { CamMethod };
