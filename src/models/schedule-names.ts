/** `--lr-schedule` choices, apart from schedule.ts so the CLI lists them without loading tfjs. */
export const LR_SCHEDULES = ['cosine', 'constant'] as const;
export type LearningRateSchedule = (typeof LR_SCHEDULES)[number];
