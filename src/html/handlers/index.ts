/**
 * The registry of handlers for Folio's custom Markdown nodes, one per node kind, given to
 * remark-rehype. Handlers are made per target so that none keeps state between renderings.
 */
import type { Handlers } from 'mdast-util-to-hast';
import type { Target } from '../target.js';
import { footnoteCall } from './footnote-call.js';
import { footnoteDefinition } from './footnote-definition.js';
import { openingBlock } from './opening-block.js';
import { pageMarker } from './page-marker.js';

/** The handlers for one target. */
export function createHandlers(target: Target): Handlers {
  return {
    pageMarker: pageMarker(target),
    byline: openingBlock('byline'),
    subtitle: openingBlock('subtitle'),
    footnoteReference: footnoteCall(target),
    footnoteDefinition: footnoteDefinition(target),
  } as Handlers;
}
