export { defaultStageTimeoutMs, refusedManuscript, resolve, resolvedFor, settle, settleEnvironment, toolEnvironment, type ResolveInput, type Resolved } from './resolve.js';
export { environment, outputFiles, settings, type Environment, type OutputFiles, type Settings } from './settings.js';
