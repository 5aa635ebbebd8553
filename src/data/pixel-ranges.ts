/** `--scale` choices, apart from model-input.ts so the CLI can list them without loading it. */
export const PIXEL_RANGES = ['0-1', '0-255', '-1-1'] as const;
export type PixelRange = (typeof PIXEL_RANGES)[number];
