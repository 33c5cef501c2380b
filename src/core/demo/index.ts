/** Simulated observing night: raw FITS files plus the truth they were made from. */
export { generateDemoNight, type DemoFile } from './generate';
export { demoTruth, demoDetector, type DemoTruth, type DemoFrameTruth } from './truth';
export type { DemoOptions } from './options';
