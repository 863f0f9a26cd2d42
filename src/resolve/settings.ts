/**
 * The settings of one run, in one schema: everything a stage would otherwise work out for
 * itself (file names, the build folder, the Chromium to run, the build date, the EPUBCheck jar,
 * the watchdog) settled once by `resolve()` and handed to every stage and command. Each field
 * says where its value comes from.
 */
import { z } from 'zod';

/** What the process environment and the command line settle for every tool a stage runs. */
export const environment = z
  .object({
    chromePath: z
      .string()
      .min(1)
      .describe('the Chromium every stage runs (print, cover, Ace): `chromePath` (`--chrome`), else CHROME_PATH, else the first of /usr/bin/chromium, chromium-browser, google-chrome that is installed'),
    sourceDateEpoch: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('SOURCE_DATE_EPOCH, in seconds since 1970: every date a build writes (PDF dates, EPUB dcterms:modified and zip times, the Crossref timestamp), so that a rebuild is byte-identical; unset, the issue date (PDF, EPUB) and the time of the run (Crossref)'),
    epubcheckJar: z.string().min(1).describe("the EPUBCheck jar: EPUBCHECK_JAR, else Debian's /usr/share/java/epubcheck.jar"),
  })
  .strict();

export type Environment = z.infer<typeof environment>;

/** Where each output of the issue goes: absolute paths, named after the slug unless a command names one. */
export const outputFiles = z
  .object({
    pdf: z.string().describe('the issue PDF: `<outDir>/<slug>.pdf`, or `folio pdf --out`'),
    printHtml: z.string().describe('the print HTML the PDF was paginated from, beside the PDF: `<slug>.print.html`'),
    epub: z.string().describe('the whole issue\'s EPUB: `<outDir>/<slug>.epub`, or `folio epub --out`; each language edition goes beside it as `<slug>.<language>.epub`'),
    articles: z.string().describe('the per-article files (JATS, landing pages): `<outDir>/articles/`'),
    crossref: z.string().describe('the Crossref deposit: `<outDir>/crossref.xml`'),
  })
  .strict();

export type OutputFiles = z.infer<typeof outputFiles>;

/** One run's settings. */
export const settings = z
  .object({
    manuscriptDir: z.string().describe('the manuscript folder (issue.yaml, chapters/), absolute'),
    outDir: z.string().describe('the build folder, absolute: outputs, caches (`cache/`) and reports go below it; `--out-dir`, default ./build'),
    slug: z.string().min(1).describe('the name of the issue\'s files: journal and issue, lowercase, accents folded (NFKD), words joined by hyphens (`issueSlug`)'),
    files: outputFiles,
    environment,
    stageTimeoutMs: z
      .number()
      .int()
      .positive()
      .describe('the watchdog of each build stage in milliseconds: a stage still running then is abandoned with build-003 (`--stage-timeout`, default 20 minutes)'),
  })
  .strict();

export type Settings = z.infer<typeof settings>;
