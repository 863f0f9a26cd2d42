/* global document, window, requestAnimationFrame */
/**
 * The page side of the reader proof (src/check/reader.ts): foliate-js opens an EPUB in a
 * `<foliate-view>`, paginates it in its own iframe, and is driven with its own API only: the
 * page-list as the engine parsed it (`book.pageList`), `view.goTo(href)` to an entry, a click
 * on a note call or a back link (the engine's own link handling navigates), and the range the
 * engine reports as shown (`view.lastLocation.range`, from its `relocate` event). What this
 * script returns is text as shown on screen; the words are compared in Node, with the check's
 * own tokeniser.
 */
import './foliate/view.js';

const view = document.createElement('foliate-view');
view.style.cssText = 'display:block;width:100vw;height:100vh';
document.body.append(view);
let relocations = 0;
view.addEventListener('relocate', () => {
  relocations += 1;
});

const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve(undefined)));

/**
 * Waits until the engine has stopped moving: its fonts loaded and no `relocate` for a few
 * frames (a section's first layout is followed by a re-layout when its fonts arrive, and the
 * engine then goes back to its anchor). `since` asks for at least one move after that count.
 */
async function settled(since) {
  const contents = view.renderer?.getContents?.()[0];
  await contents?.doc?.fonts?.ready;
  let last = relocations;
  let quiet = 0;
  for (let frames = 0; frames < 600; frames += 1) {
    await frame();
    if (since !== undefined && relocations === since && frames < 120) continue;
    if (relocations === last) quiet += 1;
    else {
      quiet = 0;
      last = relocations;
    }
    if (quiet >= 2) break;
  }
  return since === undefined || relocations !== since;
}

/** The document shown and the range of it on screen, as the engine reports them. */
function shown() {
  const contents = view.renderer.getContents()[0];
  const range = view.lastLocation?.range;
  // The range is the iframe's (another realm's Range): it is taken as it is.
  return { index: contents?.index, doc: contents?.doc, range: range ?? undefined };
}

/** Whether an element is on screen: inside the shown range, or just before it with nothing between. */
function onScreen(el, range) {
  if (!el || !range || el.ownerDocument !== range.startContainer.ownerDocument) return false;
  if (range.intersectsNode(el)) return true;
  if (range.comparePoint(el, 0) !== -1) return false;
  const gap = el.ownerDocument.createRange();
  gap.setStartAfter(el);
  gap.setEnd(range.startContainer, range.startOffset);
  return gap.toString().trim() === '';
}

/** The text on screen from `el` on (or the whole screen's text when `el` is not on it). */
function textFrom(el, range) {
  if (!range) return '';
  const from = el.ownerDocument.createRange();
  if (range.comparePoint(el, 0) === 1 || range.comparePoint(el, 0) === 0) from.setStart(el, 0);
  else from.setStart(range.startContainer, range.startOffset);
  from.setEnd(range.endContainer, range.endOffset);
  return from.toString();
}

function tokens(el, name) {
  const value = name === 'epub:type' ? (el.getAttributeNS('http://www.idpf.org/2007/ops', 'type') ?? el.getAttribute('epub:type')) : el.getAttribute(name);
  return (value ?? '').split(/\s+/).filter(Boolean);
}
const isNoteref = (el) => tokens(el, 'role').includes('doc-noteref') || tokens(el, 'epub:type').includes('noteref');
const isPagebreak = (el) => tokens(el, 'role').includes('doc-pagebreak') || tokens(el, 'epub:type').includes('pagebreak');
const isBacklink = (el) => tokens(el, 'role').includes('doc-backlink');

/** The element an href leads to in the shown document, as the engine resolves it. */
function targetOf(section, href) {
  const full = section?.resolveHref?.(href) ?? href;
  const resolved = view.book.resolveHref(full);
  const { index, doc } = shown();
  if (!resolved || resolved.index !== index || !doc) return { resolved: Boolean(resolved), el: null };
  const el = typeof resolved.anchor === 'function' ? resolved.anchor(doc) : null;
  return { resolved: true, el: el && el.nodeType === 1 ? el : null };
}

/** What the screen shows from `el` on, turning pages while fewer than `minChars` letters are shown. */
async function readFrom(el, minChars) {
  let { range } = shown();
  const inView = onScreen(el, range);
  let text = textFrom(el, range);
  for (let turns = 0; inView && text.replace(/\s+/g, '').length < minChars && turns < 3 && !view.renderer.atEnd; turns += 1) {
    const before = relocations;
    await view.next();
    if (!(await settled(before))) break;
    range = shown().range;
    text += ` ${range ? range.toString() : ''}`;
  }
  return { inView, text: text.replace(/\s+/g, ' ').trim() };
}

/** Opens the book; returns its page-list as the engine parsed it. */
async function open(url) {
  await view.open(url);
  return (view.book.pageList ?? []).map((item) => ({ label: String(item.label ?? '').trim(), href: item.href ?? '' }));
}

/** Goes to each page-list href and reads what is shown there. */
async function showPages(entries, minChars) {
  const out = [];
  for (const { page, href } of entries) {
    const before = relocations;
    const went = await view.goTo(href);
    if (!went) {
      out.push({ page, went: false, inView: false, text: '' });
      continue;
    }
    await settled(before);
    const { el } = targetOf(undefined, href);
    if (!el) {
      out.push({ page, went: true, found: false, inView: false, text: (shown().range?.toString() ?? '').replace(/\s+/g, ' ').trim().slice(0, 200) });
      continue;
    }
    const read = await readFrom(el, minChars);
    out.push({ page, went: true, found: true, ...read });
  }
  return out;
}

/** Every note call of the book in reading order, with the printed page it stands on. */
async function listCalls() {
  const calls = [];
  // A page runs on from one document into the next until its next page-break.
  let page = '';
  for (const [index, section] of view.book.sections.entries()) {
    const doc = await section.createDocument();
    if (!doc?.body) continue;
    const walker = doc.createTreeWalker(doc.body, 1);
    for (let el = walker.nextNode(); el; el = walker.nextNode()) {
      if (isPagebreak(el)) page = (el.getAttribute('aria-label') ?? el.getAttribute('title') ?? '').trim();
      else if (isNoteref(el)) calls.push({ index, section: section.id, id: el.getAttribute('id') ?? '', href: el.getAttribute('href') ?? '', label: el.textContent.trim(), page });
    }
  }
  return calls;
}

/** Follows a call to its note and the note's back link home again, as a reader clicks them. */
async function followCall(call, minChars) {
  const section = view.book.sections[call.index];
  const result = { call, atCall: false, moved: false, found: false, inView: false, text: '', backlink: false, backMoved: false, backInView: false, backAtCall: false, backText: '' };
  if (!call.id) return result;
  let before = relocations;
  if (!(await view.goTo(`${section.id}#${call.id}`))) return result;
  await settled(before);
  const link = shown().doc?.getElementById(call.id);
  result.atCall = onScreen(link, shown().range);
  if (!link) return result;
  before = relocations;
  link.click();
  result.moved = await settled(before);
  const note = targetOf(section, call.href).el;
  // The note may live in a document of its own (endnotes): its links are read from there.
  const noteSection = view.book.sections[shown().index] ?? section;
  if (!note) {
    result.text = (shown().range?.toString() ?? '').replace(/\s+/g, ' ').trim().slice(0, 200);
    return result;
  }
  result.found = true;
  Object.assign(result, await readFrom(note, minChars));
  // The engine may have turned pages to read the note; the back link is followed from the note.
  before = relocations;
  await view.goTo(`${noteSection.id}#${note.id}`);
  await settled(before);
  // Turning pages may have loaded the next section: the note is looked up in the document shown now.
  const shownNote = (note.id && shown().doc?.getElementById(note.id)) || note;
  const back = [...shownNote.querySelectorAll('a[href]')].find(isBacklink);
  if (!back) return result;
  result.backlink = true;
  before = relocations;
  back.click();
  result.backMoved = await settled(before);
  const home = targetOf(noteSection, back.getAttribute('href')).el;
  const { range } = shown();
  result.backText = (range?.toString() ?? '').replace(/\s+/g, ' ').trim().slice(0, 200);
  result.backInView = onScreen(home, range);
  // Home is this call, or the first call of the same note (a note called twice links back to its first call).
  result.backAtCall = Boolean(home) && (home.getAttribute('id') === call.id || (isNoteref(home) && home.getAttribute('href') === call.href));
  return result;
}

/** Follows the calls given (from `listCalls`), in order. */
async function followCalls(calls, minChars) {
  const out = [];
  for (const call of calls) out.push(await followCall(call, minChars));
  return out;
}

window.folioReader = { open, showPages, listCalls, followCalls };
window.folioReaderReady = true;
