/**
 * SOURCE_DATE_EPOCH, read in one place: the seconds since 1970 that every date a build writes
 * (the PDF's dates, the EPUB's `dcterms:modified` and zip times) is set to, so that a rebuild is
 * byte-identical. Without it each stage falls back on the issue date.
 */

/** The SOURCE_DATE_EPOCH of `env` in seconds; undefined when unset or not a whole number of seconds. */
export function sourceDateEpoch(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = env.SOURCE_DATE_EPOCH;
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
}
