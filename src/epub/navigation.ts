/**
 * The navigation of the EPUB, read off the rendered chapters: a table of contents nested by
 * heading level, landmarks, and a page-list with every printed page in reading order.
 */
import type { Element, Root } from 'hast';
import { visit } from 'unist-util-visit';

/** One line of the table of contents and the lines nested under it. */
export interface TocEntry {
  label: string;
  href: string;
  /** Set when the entry's language differs from the navigation document's. */
  language?: string;
  children: TocEntry[];
  /** Where the target stands in its document (0 = its start), for the NCX play order. */
  position: number;
  /** Place in the NCX reading order, shared by every entry with the same target. */
  playOrder?: number;
}

/** One printed page: its label as printed and where its marker stands. */
export interface PageTarget {
  label: string;
  value: number;
  href: string;
  /** Where the marker stands in its document, for the NCX play order. */
  position: number;
  playOrder?: number;
}

/** A landmark of the book: cover, table of contents, start of the body. */
export interface Landmark {
  type: 'cover' | 'toc' | 'bodymatter' | 'backmatter';
  label: string;
  href: string;
}

/** What one chapter contributes to the navigation. */
export interface ChapterOutline {
  /** Headings below the chapter title (h2–h6), in document order. */
  headings: { level: number; id: string; label: string; position: number }[];
  /** Page markers in document order. */
  pages: { id: string; label: string; position: number }[];
  /** Headings that have no id and so cannot be linked. */
  unlinkedHeadings: string[];
}

const headingLevel: Record<string, number> = { h2: 2, h3: 3, h4: 4, h5: 5, h6: 6 };

function isPageBreak(node: Element): boolean {
  const role = node.properties.role;
  const roles = Array.isArray(role) ? role.map(String) : String(role ?? '').split(/\s+/);
  return roles.includes('doc-pagebreak');
}

/** A heading's text as the table of contents shows it: without its footnote call marks. */
function headingText(node: Element): string {
  return node.children
    .map((child) => {
      if (child.type === 'text') return child.value;
      if (child.type !== 'element') return '';
      const role = String(child.properties.role ?? '');
      if (role.split(/\s+/).includes('doc-noteref')) return '';
      if (child.tagName === 'sup' && child.children.every((c) => c.type === 'element' && String(c.properties.role ?? '').includes('doc-noteref'))) return '';
      return headingText(child);
    })
    .join('');
}

/** Reads the headings and page markers of a rendered chapter. */
export function outlineChapter(tree: Root): ChapterOutline {
  const outline: ChapterOutline = { headings: [], pages: [], unlinkedHeadings: [] };
  let position = 0;
  visit(tree, 'element', (node: Element) => {
    position += 1;
    const level = headingLevel[node.tagName];
    if (level !== undefined) {
      const label = headingText(node).replace(/\s+/g, ' ').trim();
      const id = node.properties.id;
      if (typeof id === 'string' && id !== '') outline.headings.push({ level, id, label, position });
      else outline.unlinkedHeadings.push(label);
      return 'skip';
    }
    if (isPageBreak(node)) {
      const id = node.properties.id;
      const label = node.properties.ariaLabel;
      if (typeof id === 'string' && label !== undefined && label !== null) outline.pages.push({ id, label: String(label), position });
    }
    return undefined;
  });
  return outline;
}

/** Nests headings by level under a chapter entry: an h3 goes under the h2 before it. */
export function nestHeadings(href: string, headings: ChapterOutline['headings']): TocEntry[] {
  const root: TocEntry[] = [];
  const stack: { level: number; entry: TocEntry }[] = [];
  for (const heading of headings) {
    const entry: TocEntry = { label: heading.label, href: `${href}#${heading.id}`, children: [], position: heading.position };
    while (stack.length > 0 && (stack.at(-1)?.level ?? 0) >= heading.level) stack.pop();
    const parent = stack.at(-1);
    if (parent) parent.entry.children.push(entry);
    else root.push(entry);
    stack.push({ level: heading.level, entry });
  }
  return root;
}

/** The depth of a table of contents, for the NCX. */
export function tocDepth(entries: readonly TocEntry[]): number {
  return entries.reduce((depth, entry) => Math.max(depth, 1 + tocDepth(entry.children)), 0);
}

/**
 * Numbers every navigation target in reading order for the NCX, where a page target and a
 * navigation point that lead to the same place must share one play order. `documents` gives
 * each document's TOC entry and page targets, in spine order.
 */
export function assignPlayOrder(documents: readonly { toc: TocEntry; pages: readonly PageTarget[] }[]): void {
  const targets: { document: number; position: number; target: TocEntry | PageTarget }[] = [];
  const addEntries = (document: number, entries: readonly TocEntry[]) => {
    for (const entry of entries) {
      targets.push({ document, position: entry.position, target: entry });
      addEntries(document, entry.children);
    }
  };
  documents.forEach((doc, document) => {
    addEntries(document, [doc.toc]);
    for (const page of doc.pages) targets.push({ document, position: page.position, target: page });
  });
  targets.sort((a, b) => a.document - b.document || a.position - b.position);
  const byHref = new Map<string, number>();
  for (const { target } of targets) {
    let order = byHref.get(target.href);
    if (order === undefined) {
      order = byHref.size + 1;
      byHref.set(target.href, order);
    }
    target.playOrder = order;
  }
}
