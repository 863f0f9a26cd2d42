/**
 * The schema of `catalogue.yaml`: the issues of a back catalogue, each a manuscript folder or a
 * source text to import, and where its outputs go. It gives the types, the validation (with
 * `validateYaml`, so a bad value is reported at its file, line and column) and the documentation.
 */
import { z } from 'zod';

/** An issue's name: it names its job on the queue and its row in the report, so it is kept plain. */
const issueName = z.string().regex(/^[a-z0-9]+([-_.][a-z0-9]+)*$/u, 'lowercase letters and digits joined by - _ or .');

/** One issue of the catalogue. Paths are relative to the folder of catalogue.yaml. */
export const catalogueIssue = z
  .object({
    name: issueName.describe('the issue in the report and on the queue; unique in the catalogue'),
    manuscript: z.string().min(1).optional().describe('a manuscript folder (issue.yaml, chapters/) to build as it is'),
    source: z.string().min(1).optional().describe('a raw issue text to import first, instead of a manuscript'),
    editorial: z.string().min(1).optional().describe('the editorial file the import reads (with `source` only)'),
    pages: z.number().int().positive().optional().describe('the printed page count, for the import (with `source` only)'),
    out: z.string().min(1).describe('the output folder: the build is published there only when it and its check pass'),
  })
  .strict()
  .superRefine((issue, context) => {
    if ((issue.manuscript === undefined) === (issue.source === undefined)) {
      context.addIssue({ code: z.ZodIssueCode.custom, message: 'Expected exactly one of `manuscript` and `source`', path: [] });
    }
    if (issue.manuscript !== undefined) {
      for (const key of ['editorial', 'pages'] as const) {
        if (issue[key] !== undefined) context.addIssue({ code: z.ZodIssueCode.custom, message: `Expected \`${key}\` only with \`source\`: a manuscript is built as it is`, path: [key] });
      }
    }
  });

export type CatalogueIssue = z.infer<typeof catalogueIssue>;

/** The whole of catalogue.yaml. */
export const catalogue = z
  .object({
    name: issueName.optional().describe('the catalogue, naming its queue jobs (default: the file name without .yaml)'),
    report: z.string().min(1).optional().describe('the folder the catalogue report is written to (default `catalogue-report` beside the file)'),
    issues: z.array(catalogueIssue).min(1).describe('the issues, built in this order when there is one worker'),
  })
  .strict()
  .superRefine((value, context) => {
    const seen = new Map<string, number>();
    const outs = new Map<string, number>();
    value.issues.forEach((issue, index) => {
      const first = seen.get(issue.name);
      if (first !== undefined) context.addIssue({ code: z.ZodIssueCode.custom, message: `Expected a name of its own, \`${issue.name}\` is issue ${first + 1}'s too`, path: ['issues', index, 'name'] });
      else seen.set(issue.name, index);
      const shared = outs.get(issue.out);
      if (shared !== undefined) context.addIssue({ code: z.ZodIssueCode.custom, message: `Expected an output folder of its own, \`${issue.out}\` is issue ${shared + 1}'s too`, path: ['issues', index, 'out'] });
      else outs.set(issue.out, index);
    });
  });

export type Catalogue = z.infer<typeof catalogue>;
