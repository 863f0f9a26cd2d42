/**
 * The custom Markdown nodes of a Folio manuscript. remark-directive parses `:page[N]`,
 * `:::byline` and `:::subtitle` as generic directives; `remarkFolioDirectives` turns them into
 * these nodes so that every later stage can handle each kind on its own.
 */
import type { BlockContent, Data, Node, Parent } from 'mdast';

/** `:page[N]`: printed page N begins right here. */
export interface PageMarker extends Node {
  type: 'pageMarker';
  /** The printed page number. */
  page: number;
  data?: Data;
}

/** `:::byline … :::`: the author line of an article opening. */
export interface Byline extends Parent {
  type: 'byline';
  children: BlockContent[];
}

/** `:::subtitle … :::`: the subtitle of an article opening. */
export interface Subtitle extends Parent {
  type: 'subtitle';
  children: BlockContent[];
}

declare module 'mdast' {
  interface PhrasingContentMap {
    pageMarker: PageMarker;
  }
  interface BlockContentMap {
    pageMarker: PageMarker;
    byline: Byline;
    subtitle: Subtitle;
  }
  interface RootContentMap {
    pageMarker: PageMarker;
    byline: Byline;
    subtitle: Subtitle;
  }
}
