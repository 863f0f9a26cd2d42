/**
 * The EPUB stage: a manuscript folder to an EPUB 3 of the issue, with the print page numbers,
 * linked footnotes, a generated cover and accessibility metadata, assembled by epub-gen-memory
 * through Folio's templates, re-zipped reproducibly, written atomically and then checked with
 * EPUBCheck and Ace by DAISY.
 */
import type { StageReport } from '../stage.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Element, Root } from 'hast';
import { toHtml } from 'hast-util-to-html';
import { EPub } from 'epub-gen-memory';
import { unified } from 'unified';
import { visit } from 'unist-util-visit';
import { renderChapter, xhtmlSerialization } from '../html/index.js';
import { chapterEdition, editionOf, type Manuscript } from '../manuscript/index.js';
import { refusedManuscript, type Resolved } from '../resolve/index.js';
import { message, reasonOf, rules, type Message, type Place } from '../messages.js';
import { dropInvalid, type KeptBrowser, setAsideInvalid, writeFileAtomic } from '../session/index.js';
import { pageListMessages } from '../check/fidelity.js';
import { renderCover, svgCover, type Cover } from './cover.js';
import type { AceServer } from './ace.js';
import type { EpubcheckServer } from './epubcheck.js';
import { articleEpubMetadata, editionMetadata, editionNoteBody, type ArticleEpubOptions, type EditionNote, type EditionOptions } from './editions.js';
import { collectImages, type EpubImage } from './images.js';
import { buildInstant, primaryLanguage, publicationMetadata, type PublicationMetadata } from './metadata.js';
import { assignPlayOrder, nestHeadings, outlineChapter, tocDepth, type Landmark, type PageTarget, type TocEntry } from './navigation.js';
import rehypeHeadingIds from './rehype-heading-ids.js';
import { unsafeContent } from './safety.js';
import { templatePath } from './templates.js';
import { validateEpub, type ValidationReuse } from './validation.js';
import { readZip, writeEpubZip } from './zip.js';

/** Options of `buildEpub`. */
export interface BuildEpubOptions {
  /** The run, resolved (`resolve()`): the manuscript, the EPUB's path, the Chromium, the build date, the EPUBCheck jar. */
  resolved: Resolved;
  /** Where to write the EPUB (default `settings.files.epub`; an edition's goes beside it). */
  out?: string;
  /** Run EPUBCheck and Ace on the written EPUB (default true). */
  validate?: boolean;
  /** What a rebuild may reuse is kept here (default `<folder of out>/cache/epub`, i.e. `build/cache/epub`). */
  cacheDir?: string;
  /** Told when the EPUB is written, before it is validated (the build checks it meanwhile). */
  onWritten?: (file: string) => void;
  /** Tools kept running between builds (a watch session): used, not stopped. */
  tools?: EpubTools;
  /**
   * Move an EPUB with errors to `<name>.invalid.epub`, never leaving it at `out` (default
   * true). `build()` passes false and does it itself, once its check has read the file.
   */
  setAsideInvalid?: boolean;
  /** Make the edition of one language instead of the whole issue (see `plannedEditions`). */
  edition?: EditionOptions;
  /** Make the EPUB of one article or section instead of the whole issue (see `plannedArticleEpubs`). */
  article?: ArticleEpubOptions;
}

/** The tools a watch session keeps for the EPUB stage: a browser (cover, Ace), EPUBCheck's JVM, Ace's worker. */
export interface EpubTools {
  browser?: KeptBrowser;
  epubcheck?: EpubcheckServer;
  ace?: AceServer;
}

/** What `buildEpub` did: every problem found, and the figures of the run. */
export interface BuildEpubResult extends StageReport {
  /** The EPUB written, when one was and it is valid. */
  out?: string;
  /** Where an EPUB that failed its validation was kept for inspection. */
  invalid?: string;
  /** Printed pages in the page-list. */
  pages?: number;
  /** Whether EPUBCheck's and Ace's results were reused from an earlier build of the same bytes. */
  validation?: ValidationReuse;
  /** Whether the cover was rendered now or reused from an earlier build (`svg`: drawn without a browser). */
  cover?: 'rendered' | 'reused' | 'svg';
}

/** One content document as handed to epub-gen-memory (its `Chapter` plus Folio's fields). */
interface ContentDocument {
  id: string;
  filename: string;
  title: string;
  author: string[];
  /** Left empty: the body goes through `body`, past epub-gen-memory's lossy HTML clean-up. */
  content: string;
  body: string;
  language: string;
  kind: string;
  beforeToc: boolean;
  excludeFromToc: boolean;
  folioCover: { href: string; alt: string } | false;
}

/** Labels of the navigation document in the book's primary language. */
function navLabels(language: string) {
  if (/^zh\b/i.test(language)) return { contents: '目录', landmarks: '导览', pages: '页码', cover: '封面', start: '正文', back: '附录' };
  return { contents: 'Contents', landmarks: 'Landmarks', pages: 'Pages', cover: 'Cover', start: 'Start of content', back: 'Back matter' };
}

/** A chapter rendered for the EPUB: its XHTML body and what it adds to the navigation. */
interface RenderedDocument {
  file: string;
  /** The chapter file it comes from. */
  source: string;
  /** Where each element with an id stands in the chapter file. */
  places: Map<string, Place>;
  body: string;
  toc: TocEntry;
  pages: PageTarget[];
}

function renderDocuments(manuscript: Manuscript, language: string, images: Map<string, EpubImage>, messages: Message[]): RenderedDocument[] {
  const addIds = unified().use(rehypeHeadingIds);
  // The cover, the navigation and an edition's note have fixed names; a chapter never takes one, nor another's.
  const taken = new Set(['cover.xhtml', 'toc.xhtml', 'edition.xhtml']);
  return manuscript.chapters.map((chapter) => {
    const rendered = renderChapter(chapter, { target: 'epub' });
    messages.push(...rendered.messages);
    const tree = addIds.runSync(rendered.hast) as Root;
    for (const problem of unsafeContent(tree)) {
      messages.push(message('epub-005', `Unexpected ${problem} in the EPUB, expected sanitised content`, { file: chapter.path }));
    }
    collectImages(tree, chapter.path, manuscript.dir, images, messages);
    let file = `${chapter.slug}.xhtml`;
    for (let n = 2; taken.has(file); n += 1) file = `${chapter.slug}-${n}.xhtml`;
    taken.add(file);
    const outline = outlineChapter(tree);
    const toc: TocEntry = { label: chapter.title, href: file, children: nestHeadings(file, outline.headings), position: 0 };
    if (chapter.language !== language) toc.language = chapter.language;
    const pages = outline.pages.map((page) => ({ label: page.label, value: Number(page.label), href: `${file}#${page.id}`, position: page.position }));
    const places = new Map<string, Place>();
    visit(tree, 'element', (node: Element) => {
      const start = node.position?.start;
      if (typeof node.properties.id === 'string' && start) places.set(node.properties.id, { file: chapter.path, line: start.line, column: start.column });
    });
    return { file, source: chapter.path, places, body: toHtml(tree, xhtmlSerialization), toc, pages };
  });
}

async function assemble(manuscript: Manuscript, metadata: PublicationMetadata & { editionNote?: EditionNote }, documents: RenderedDocument[], images: EpubImage[], cover: Cover): Promise<Buffer> {
  const labels = navLabels(metadata.language);
  const landmarks: Landmark[] = [
    { type: 'cover', label: labels.cover, href: 'cover.xhtml' },
    { type: 'toc', label: labels.contents, href: 'toc.xhtml#toc' },
  ];
  const firstOf = (test: (kind: string) => boolean) => documents[manuscript.chapters.findIndex((c) => test(c.kind))];
  const body = firstOf((kind) => kind !== 'front-matter' && kind !== 'back-matter');
  const back = firstOf((kind) => kind === 'back-matter');
  if (body) landmarks.push({ type: 'bodymatter', label: labels.start, href: body.file });
  if (back) landmarks.push({ type: 'backmatter', label: labels.back, href: back.file });
  assignPlayOrder(documents);
  const pages = documents.flatMap((d) => d.pages);
  const toc = documents.map((d) => d.toc);
  const folio = {
    ...metadata,
    labels,
    toc,
    tocDepth: Math.max(1, tocDepth(toc)),
    landmarks,
    pages,
    maxPage: pages.reduce((max, p) => Math.max(max, p.value), 0),
    images: images.map((image, index) => ({ id: `image-${index + 1}`, href: image.href, mediaType: image.mediaType })),
  };
  const content: ContentDocument[] = [
    {
      id: 'cover',
      filename: 'cover.xhtml',
      // What the landmarks call it, in the book's language: the document is the same in every book
      // with the same cover (an article's EPUB has the issue's), so Ace's result for it is reused.
      title: labels.cover,
      author: [],
      content: '',
      body: '',
      language: metadata.language,
      kind: 'cover',
      beforeToc: true,
      excludeFromToc: true,
      folioCover: { href: `cover.${cover.extension}`, alt: cover.alt },
    },
    // An edition names the other books first of all, before its contents.
    ...(metadata.editionNote
      ? [{ id: 'edition-note', filename: 'edition.xhtml', title: metadata.editionNote.title, author: [], content: '', body: editionNoteBody(metadata.editionNote, metadata.language), language: metadata.language, kind: 'front-matter', beforeToc: true, excludeFromToc: true, folioCover: false as const }]
      : []),
    ...manuscript.chapters.map((chapter, index): ContentDocument => ({
      id: `chapter-${(documents[index]?.file ?? chapter.slug).replace(/\.xhtml$/, '')}`,
      filename: documents[index]?.file ?? `${chapter.slug}.xhtml`,
      title: chapter.title,
      author: chapter.authors,
      content: '',
      body: documents[index]?.body ?? '',
      language: chapter.language,
      kind: chapter.kind,
      beforeToc: false,
      excludeFromToc: false,
      folioCover: false,
    })),
  ];
  const [contentOPF, tocXHTML, tocNCX, chapterXHTML, css] = await Promise.all(
    ['content.opf.ejs', 'nav.xhtml.ejs', 'toc.ncx.ejs', 'chapter.xhtml.ejs', 'style.css'].map((name) => readFile(templatePath(name), 'utf8')),
  );
  const book = new EPub(
    {
      title: metadata.title,
      author: metadata.creators.map((c) => c.name),
      ...(metadata.publisher ? { publisher: metadata.publisher } : {}),
      ...(metadata.description ? { description: metadata.description } : {}),
      date: metadata.timestamp.toISOString(),
      lang: metadata.language,
      cover: new File([new Uint8Array(cover.data)], `cover.${cover.extension}`, { type: cover.mediaType }),
      css: css ?? '',
      contentOPF: contentOPF ?? '',
      tocXHTML: tocXHTML ?? '',
      tocNCX: tocNCX ?? '',
      chapterXHTML: chapterXHTML ?? '',
      prependChapterTitles: false,
      // Nothing is fetched: there are no remote images (the HTML stage removes them) and no fonts.
      fonts: [],
      verbose: false,
      // Template data: epub-gen-memory passes unknown options through to the templates.
      folio,
    } as ConstructorParameters<typeof EPub>[0],
    content,
  );
  return book.genEpub();
}

/**
 * Whether the messages find the EPUB itself invalid: an error that blames the input (EPUBCheck,
 * Ace, the page-list, an image type). A tool that could not run (`epub-004`: the cover drawn
 * without Chromium, a validator missing) fails the run with exit 2 but finds nothing wrong in the
 * book, which stays where it was asked for.
 */
export function knownInvalid(messages: readonly Message[]): boolean {
  return messages.some((m) => m.severity === 'error' && rules[m.ruleId].blame === 'input');
}

/** Builds the EPUB of a manuscript. Problems come back as messages; nothing is printed. */
export async function buildEpub(options: BuildEpubOptions): Promise<BuildEpubResult> {
  const timings: Record<string, number> = {};
  let started = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    timings[name] = Math.round(now - started);
    started = now;
  };
  // The manuscript was checked whole when it was resolved: a wrong one (a footnote call without
  // a note, a page marker repeated) makes no EPUB at all.
  const { resolved } = options;
  const out = options.out ?? resolved.settings.files.epub;
  if (resolved.failed) return { messages: [refusedManuscript(resolved, 'EPUB')], timings };
  const messages: Message[] = [];
  // An edition is the book of one language's chapters, an article's EPUB the book of its one
  // chapter, each checked whole with the others.
  const article = options.article ? chapterEdition(resolved.manuscript, options.article.slug) : undefined;
  const edition = options.edition ? editionOf(resolved.manuscript, options.edition.language) : article;
  const manuscript = edition?.manuscript ?? resolved.manuscript;
  const epoch = resolved.settings.environment.sourceDateEpoch;
  const images = new Map<string, EpubImage>();
  const documents = renderDocuments(manuscript, primaryLanguage(manuscript), images, messages);
  const whole = publicationMetadata(manuscript, buildInstant(manuscript, epoch), images.size);
  const metadata = options.edition ? editionMetadata(whole, options.edition) : article && options.article ? articleEpubMetadata(whole, article.chapter, options.article) : whole;
  const pages = documents.flatMap((d) => d.pages);
  const issueYaml = path.join(manuscript.dir, 'issue.yaml');
  messages.push(...(edition ? pageListMessages(pages, edition.pages.length, article ? 'its chapter' : 'its chapters', issueYaml) : pageListMessages(pages, manuscript.issue.pages, 'issue.yaml', issueYaml)));
  lap('render');
  // Unsafe content never reaches an output; other problems still give an EPUB to look at.
  if (messages.some((m) => m.ruleId === 'epub-005')) return { messages, timings };

  const chrome = resolved.settings.environment.chromePath;
  const cacheDir = path.resolve(options.cacheDir ?? path.join(path.dirname(out), 'cache', 'epub'));
  // An article's EPUB has the issue's cover, as its offprint comes from the issue. The same
  // image as the whole book's also lets Ace reuse the whole book's results for the chapter
  // (its cache keys hold every file a document may load).
  const coverOf = article ? { manuscript: resolved.manuscript, metadata: publicationMetadata(resolved.manuscript, buildInstant(resolved.manuscript, epoch)) } : { manuscript, metadata };
  let cover: Cover;
  let coverFrom: 'rendered' | 'reused' | 'svg';
  try {
    const rendered = await renderCover(coverOf.manuscript, coverOf.metadata, chrome, cacheDir, options.tools?.browser);
    cover = rendered;
    coverFrom = rendered.reused ? 'reused' : 'rendered';
  } catch (error) {
    // The book is still made, with a cover drawn without a browser; the build still fails.
    messages.push(message('epub-004', `Unexpected failure to render the cover with Chromium (${reasonOf(error)}), expected a working browser; the cover is drawn as SVG instead`, { file: out }));
    cover = svgCover(coverOf.manuscript, coverOf.metadata);
    coverFrom = 'svg';
  }
  lap('cover');

  let epub: Buffer;
  try {
    const packed = [...images.values()];
    const files = await readZip(await assemble(manuscript, metadata, documents, packed, cover));
    // Local images go in here rather than through epub-gen-memory, which would fetch them and
    // give them random names.
    for (const image of packed) files.set(`OEBPS/${image.href}`, await readFile(image.source));
    epub = await writeEpubZip(files, metadata.timestamp);
    await writeFileAtomic(out, epub);
    options.onWritten?.(out);
  } catch (error) {
    messages.push(message('epub-003', `Unexpected failure to write the EPUB: ${(error as Error).message}`, { file: out }));
    return { messages, timings };
  }
  lap('package');

  let validation: ValidationReuse | undefined;
  if (options.validate !== false) {
    // An Ace finding in a chapter points at the chapter file, at the line when the selector is an id.
    const locate = (document: string, selector: string | undefined): Place | undefined => {
      const found = documents.find((d) => d.file === document || document.endsWith(`/${d.file}`));
      if (!found) return undefined;
      const id = selector && /^#[A-Za-z][\w-]*$/.test(selector) ? selector.slice(1) : undefined;
      return (id ? found.places.get(id) : undefined) ?? { file: found.source };
    };
    const validated = await validateEpub(out, epub, { chromePath: chrome, cacheDir, locate, env: resolved.env, ...(options.tools ? { tools: options.tools } : {}) });
    messages.push(...validated.messages);
    validation = validated.reuse;
    lap('validate');
  }
  const result = { messages, pages: pages.length, timings, cover: coverFrom, ...(validation ? { validation } : {}) };
  if (options.setAsideInvalid !== false && knownInvalid(messages)) {
    // An EPUB found invalid never sits at the path the next step of a pipeline reads.
    const invalid = await setAsideInvalid(out);
    messages.push(message('epub-007', `The EPUB has errors: kept for inspection as \`${invalid}\`, not at \`${out}\``, { file: invalid }));
    return { ...result, invalid };
  }
  if (!knownInvalid(messages)) await dropInvalid(out);
  return { ...result, out: out };
}
