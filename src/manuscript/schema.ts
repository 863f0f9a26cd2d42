/**
 * One schema for the manuscript's configuration: issue.yaml, chapter front matter and
 * editorial.yaml. It gives the types, the validation and the documentation.
 */
import { z } from 'zod';

/** What a chapter is, which decides how it is typeset. */
export const chapterKind = z
  .enum(['article', 'news', 'back-matter', 'front-matter'])
  .describe('article: a titled article with byline; news: a run of short titled items; back-matter/front-matter: other pages');

/**
 * Where a chapter title came from: the source text, an editor, or the import, which supplies
 * one (`Untitled article by Wang Yi, pp. 33–38`) for a chapter the text gives none, so that
 * every table of contents, running head and metadata record has a title; a supplied title is
 * not printed as a heading. `none`: no title at all (older manuscripts).
 */
export const titleSource = z.enum(['text', 'editor', 'supplied', 'none']);

/** BCP 47 language tags the toolchain typesets. */
export const language = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a BCP 47 language tag such as en or zh-Hans');

const page = z.number().int().positive();

/** A DOI as registered (`10.NNNN/suffix`), never a resolver URL: Crossref and JATS want the bare name. */
export const doi = z.string().regex(/^10\.\d{4,9}\/\S+$/u, 'a DOI such as 10.1234/faj.2021.4.1, without https://doi.org/');

/** The fields of a chapter's front matter: what an editor edits at the top of a chapter file. */
const chapterFields = {
  slug: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lowercase words joined by hyphens'),
  title: z.string(),
  titleSource,
  shortTitle: z.string().optional().describe('short title for running heads'),
  authors: z.array(z.string()).default([]),
  authorNote: z.string().optional(),
  language,
  kind: chapterKind,
  firstPage: page,
  lastPage: page,
  translationOf: z.string().optional().describe('slug of the chapter this one translates'),
  doi: doi.optional().describe('the DOI registered for this article; never invented: without it no Crossref deposit is made'),
};

const pagesInOrder = { message: 'lastPage must not be before firstPage', path: ['lastPage'] };

/** Front matter of a chapter file. */
export const frontMatter = z
  .object(chapterFields)
  .strict()
  .refine((c) => c.lastPage >= c.firstPage, pagesInOrder);

export type FrontMatter = z.infer<typeof frontMatter>;

/** The metadata of one chapter in issue.yaml: the front matter's fields and the chapter file. */
export const chapterMeta = z
  .object({ file: z.string().describe('path of the chapter file, relative to the manuscript folder'), ...chapterFields })
  .strict()
  .refine((c) => c.lastPage >= c.firstPage, pagesInOrder);

export type ChapterMeta = z.infer<typeof chapterMeta>;

/** How much a full printed page of one script holds in the source, as the import measured it. */
export const scriptMeasure = z
  .object({
    linesPerPage: z.number().int().positive().describe('lines of text a full page holds, blank lines of single-spaced text included'),
    charsPerLine: z.number().int().positive().describe('characters a full line holds (the long lines of the running text)'),
  })
  .strict();

export type ScriptMeasure = z.infer<typeof scriptMeasure>;

/** The page geometry of the printed original, per script, measured by the import. */
export const measuredGeometry = z
  .object({
    latin: scriptMeasure.optional().describe('pages set in Latin script'),
    cjk: scriptMeasure.optional().describe('pages set in Chinese, Japanese or Korean'),
  })
  .strict();

export type MeasuredGeometry = z.infer<typeof measuredGeometry>;

const millimetres = z.number().positive().finite();
const points = z.number().positive().finite();

/** The type of one script on the page: body and footnotes, size and leading. */
export const scriptType = z
  .object({
    size: points.describe('body type size, in points'),
    leading: points.describe('body leading (baseline to baseline), in points: the line grid of the page'),
    noteSize: points.describe('footnote type size, in points'),
    noteLeading: points.describe('footnote leading, in points'),
  })
  .strict()
  .refine((t) => t.leading >= t.size && t.noteLeading >= t.noteSize, { message: 'a leading must not be less than its type size' });

export type ScriptType = z.infer<typeof scriptType>;

/**
 * The print geometry of the PDF: trim, margins and the type of each script. Headings, bylines
 * and the spaces around them keep the house design's proportions to the body type and leading
 * of their script; the running heads and folios stay at 9 pt. The measure (the width of the
 * text block) is the trim width less the inner and outer margins.
 */
export const printGeometry = z
  .object({
    trim: z
      .object({ width: millimetres.describe('trim width, in millimetres'), height: millimetres.describe('trim height, in millimetres') })
      .strict()
      .describe('the trim size of a page'),
    margins: z
      .object({
        top: millimetres.describe('above the text block, where the running heads stand'),
        bottom: millimetres.describe('below the text block, where the drop folio stands'),
        inner: millimetres.describe('at the spine: the left margin of a recto, the right of a verso'),
        outer: millimetres.describe('at the fore-edge'),
      })
      .strict()
      .describe('page margins, in millimetres'),
    latin: scriptType.describe('pages set in Latin script (also Greek and Cyrillic)'),
    cjk: scriptType.describe('pages set in Chinese, Japanese or Korean'),
  })
  .strict()
  .refine((g) => g.trim.width - g.margins.inner - g.margins.outer >= 40, { message: 'the measure (trim width less inner and outer margins) must be at least 40 mm', path: ['margins'] })
  .refine((g) => g.trim.height - g.margins.top - g.margins.bottom >= 40, { message: 'the text block (trim height less top and bottom margins) must be at least 40 mm high', path: ['margins'] });

export type PrintGeometry = z.infer<typeof printGeometry>;

/** The page geometry of an issue: what the original measured, and the print geometry derived from it or set by an editor. */
export const geometry = z
  .object({
    measured: measuredGeometry.optional().describe('what a full page of the original holds, as the import measured it'),
    print: printGeometry
      .optional()
      .describe('the PDF\'s trim, margins and type; absent, it is derived from `measured` (derivePrintGeometry), or the house geometry is used'),
  })
  .strict();

export type Geometry = z.infer<typeof geometry>;

/**
 * The outputs of `folio build` beyond the PDF and the issue's EPUB: per article (JATS, the
 * Crossref deposit, the landing pages), per article and section (the PDF offprints and EPUBs)
 * and per language (the EPUB editions), each
 * on unless turned off, but for the deposit: an issue that names no depositor and no DOI is not
 * deposited through Folio, and a deposit of it would be nothing but a warning on every build.
 */
export const articleOutputs = z
  .object({
    jats: z.boolean().default(true).describe('one JATS 1.3 XML file per article: build/articles/<slug>.jats.xml'),
    crossref: z
      .boolean()
      .optional()
      .describe('the Crossref 5.3.1 deposit of the issue: build/crossref.xml; unset, it is made when the issue names a depositor or any DOI'),
    landing: z.boolean().default(true).describe('one HTML landing page per article with Google Scholar tags: build/articles/<slug>.html'),
    // Optional rather than defaulted, like crossref: issue objects built in code need not name it.
    editions: z
      .boolean()
      .optional()
      .describe('of a bilingual issue, one EPUB per language beside the whole issue\'s: build/<issue>.<language>.epub; unset, on'),
    offprints: z
      .boolean()
      .optional()
      .describe('one PDF offprint per article and section, its pages cut from the issue PDF (page labels the printed folios, its own outline and metadata, tagged): build/articles/<slug>.pdf; unset, on'),
    articleEpubs: z
      .boolean()
      .optional()
      .describe('one EPUB per article and section, with its notes and a page-list of its printed pages: build/articles/<slug>.epub; unset, on'),
  })
  .strict();

export type ArticleOutputs = z.infer<typeof articleOutputs>;

/** Who sends a Crossref deposit and who owns the DOIs in it (the `<head>` of a `doi_batch`). */
export const depositor = z
  .object({
    name: z.string().min(1).describe('the depositor, as Crossref knows the account'),
    email: z.string().regex(/^[^@\s]+@[^@\s]+$/u, 'an e-mail address').describe('where Crossref sends the deposit report'),
    registrant: z.string().min(1).optional().describe('the organisation that owns the DOIs (default: the publisher)'),
  })
  .strict();

export type Depositor = z.infer<typeof depositor>;

/**
 * The order of a person's names as the issue prints them in Latin script: `family-first` for
 * Chinese names in pinyin (`Wang Yi`: Wang is the family name), `given-first` otherwise. Names
 * in Han script are always family-first.
 */
export const nameOrder = z.enum(['given-first', 'family-first']);

/** The bibliographic fields of an issue that article metadata (JATS, Crossref, Google Scholar) needs beyond its title. */
const bibliographicFields = {
  issn: z.string().regex(/^\d{4}-\d{3}[\dX]$/u, 'an ISSN such as 1234-567X').optional().describe('the print ISSN of the journal'),
  volume: z.string().min(1).optional().describe('the volume, when the journal numbers them'),
  doi: doi.optional().describe('the DOI of the issue itself, if it has one'),
  nameOrder: nameOrder.optional().describe('the order of authors\' names in Latin script (default given-first)'),
  depositor: depositor.optional().describe('who deposits the DOIs with Crossref'),
  articlesUrl: z
    .string()
    .regex(/^https?:\/\/\S+\/$/u, 'an http(s) address ending in /')
    .optional()
    .describe('where build/articles/ is served: a DOI resolves to <articlesUrl><slug>.html, the PDF is <articlesUrl><slug>.pdf'),
  outputs: articleOutputs.optional().describe('the per-article outputs, each on unless set to false'),
};

/** issue.yaml: the issue's metadata and its ordered chapters. */
export const issueMeta = z
  .object({
    journal: z.string().min(1),
    issue: z.string().min(1),
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD').optional(),
    publisher: z.string().optional(),
    identifier: z.string().optional().describe('a stable identifier such as urn:issn:… or urn:folio:…'),
    description: z.string().optional(),
    ...bibliographicFields,
    languages: z.array(language).min(1),
    pages: page,
    source: z.string().optional().describe('the raw source text, relative to the manuscript folder'),
    geometry: geometry.optional().describe('the page geometry of the original; absent, the house geometry is used'),
    chapters: z.array(chapterMeta).min(1),
  })
  .strict();

export type IssueMeta = z.infer<typeof issueMeta>;

/** One editorial override of a chapter, matched by its slug or by its first page. */
export const chapterOverride = z
  .object({
    match: z
      .object({ slug: z.string().optional(), firstPage: page.optional() })
      .strict()
      .refine((m) => m.slug !== undefined || m.firstPage !== undefined, 'name a slug or a firstPage'),
    title: z.string().optional(),
    shortTitle: z.string().optional(),
    slug: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/).optional(),
    authors: z.array(z.string()).optional(),
    doi: doi.optional().describe('the DOI registered for the article'),
  })
  .strict();

/** A correction of the source text: an exact string replaced on one page. */
export const correction = z
  .object({
    page,
    find: z.string().min(1),
    replace: z.string(),
    why: z.string().optional(),
  })
  .strict();

/** editorial.yaml: what the text lacks or gets wrong, supplied by an editor. */
export const editorial = z
  .object({
    journal: z.string().optional(),
    issue: z.string().optional(),
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
    publisher: z.string().optional(),
    identifier: z.string().optional(),
    description: z.string().optional(),
    ...bibliographicFields,
    pages: page.optional().describe('the number of printed pages, which the import then holds to'),
    chapters: z.array(chapterOverride).default([]),
    corrections: z.array(correction).default([]),
  })
  .strict();

export type Editorial = z.infer<typeof editorial>;
