/**
 * The one sanitising schema: GitHub's default, less boolean attributes (not well-formed XML)
 * and remote resources, plus the attributes Folio's own nodes carry (page markers, notes,
 * opening blocks). Ids are kept as written: they are ours, not a user's to clobber.
 */
import { defaultSchema } from 'rehype-sanitize';
import type { Schema } from 'hast-util-sanitize';

const booleanAttributes = new Set(['checked', 'compact', 'isMap', 'multiple', 'noHref', 'noShade', 'noWrap', 'open', 'readOnly', 'selected']);

const base = defaultSchema.attributes ?? {};

/** The schema rehype-sanitize applies to every chapter, whatever the target. */
export const folioSchema: Schema = {
  ...defaultSchema,
  clobber: [],
  clobberPrefix: '',
  tagNames: [...(defaultSchema.tagNames ?? []).filter((name) => name !== 'input' && name !== 'picture' && name !== 'source'), 'aside', 'header'],
  attributes: {
    ...base,
    '*': [...(base['*'] ?? []).filter((name) => typeof name !== 'string' || !booleanAttributes.has(name)), 'role', 'ariaLabel', 'epub:type', 'className'],
    a: [...(base.a ?? []), 'role'],
    img: (base.img ?? []).filter((name) => name !== 'longDesc'),
    span: ['dataNoteLabel'],
  },
  required: {},
  protocols: {
    ...defaultSchema.protocols,
    href: ['http', 'https', 'mailto'],
    // Images may only be local files of the manuscript or inline data: nothing remote. (An
    // empty list would allow every protocol.)
    src: ['data'],
    longDesc: [],
    cite: ['http', 'https'],
  },
  strip: ['script', 'style'],
};
