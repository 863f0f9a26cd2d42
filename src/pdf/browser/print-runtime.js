// @ts-check
/*
 * Runs inside the print page, injected before the Paged.js polyfill. Plain JavaScript kept
 * apart from the TypeScript build, so that no compiler helper leaks into browser code; tsc
 * checks it all the same, from the JSDoc types (`// @ts-check`).
 * It paginates with Paged.js and reports facts about every page: which printed pages start
 * and sit on it, what is clipped, where the headings are.
 */
/* global window, document, MessageChannel, performance */
/**
 * The page's window as this runtime sees it: the Paged.js polyfill, the progress hook Node may
 * expose, and what this runtime and the polyfill read and set.
 * @typedef {{ chunker: { q: TaskQueue; loadFonts: () => Promise<unknown[]>; on: (event: string, listener: () => void) => void }; preview: () => Promise<unknown> }} PagedPolyfill
 * @typedef {{ tick: (callback: (time: number) => void) => number }} TaskQueue
 * @typedef {Window & { PagedPolyfill: PagedPolyfill; folioPageRendered?: (done: number) => void; folioPrint?: unknown; PagedConfig?: { auto: boolean } }} PrintWindow
 */
(function () {
  'use strict';
  const host = /** @type {PrintWindow} */ (/** @type {unknown} */ (window));

  /** @param {Element} element */
  function folioOf(element) {
    return Number(element.getAttribute('data-folio'));
  }

  /** @param {Element} element */
  function text(element) {
    return (element.textContent || '').replace(/\u00AD/g, '').replace(/\s+/g, ' ').trim();
  }

  /**
   * Spans holding each character once, in the font stack of its language, for the glyph check.
   * @param {Array<{ lang: string; chars: string[] }>} groups
   */
  function addGlyphProbe(groups) {
    const probe = document.createElement('div');
    probe.id = 'folio-glyph-probe';
    probe.setAttribute('aria-hidden', 'true');
    probe.className = 'chapter';
    probe.style.cssText = 'position:absolute;left:0;top:0;width:100000px;';
    for (const group of groups) {
      const box = document.createElement('section');
      box.className = 'chapter';
      box.lang = group.lang;
      for (const char of group.chars) {
        const span = document.createElement('span');
        span.textContent = char;
        span.setAttribute('data-char', char);
        box.appendChild(span);
      }
      probe.appendChild(box);
    }
    document.body.appendChild(probe);
    // Lay the probe out now: that asks for the faces it needs. The tab is hidden and gets no
    // frames, so nothing else would before the fonts are said to be ready.
    probe.getBoundingClientRect();
    return document.fonts.ready.then(function () {
      return probe.querySelectorAll('span').length;
    });
  }

  function removeGlyphProbe() {
    const probe = document.getElementById('folio-glyph-probe');
    if (probe) probe.remove();
  }

  function pageFacts() {
    const pages = Array.prototype.slice.call(document.querySelectorAll('.pagedjs_page'));
    return pages.map(function (page, i) {
      const content = page.querySelector('.pagedjs_page_content');
      const contentBox = content.getBoundingClientRect();
      const pageBox = page.getBoundingClientRect();
      const starts = Array.prototype.map.call(content.querySelectorAll('[data-folio-start]:not([data-split-from])'), function (e) {
        return Number(e.getAttribute('data-folio-start'));
      });
      const folios = new Set();
      page.querySelectorAll('[data-folio]').forEach(function (/** @type {Element} */ e) {
        if (text(e) !== '') folios.add(folioOf(e));
      });
      const clipped = new Set();
      let bottom = contentBox.top;
      content.querySelectorAll('[data-folio]').forEach(function (/** @type {Element} */ e) {
        const box = e.getBoundingClientRect();
        if (box.height > 0 && box.bottom > contentBox.bottom + 1) clipped.add(folioOf(e));
        // Paged.js lays a page out in a CSS column: text that does not fit runs on into the next
        // column, to the right of the page, where it is never printed. Look for such fragments.
        Array.prototype.forEach.call(e.getClientRects(), function (r) {
          if (r.width > 0 && r.right > contentBox.right + 1) clipped.add(folioOf(e));
        });
        if (box.height > 0) bottom = Math.max(bottom, box.bottom);
      });
      const area = page.querySelector('.pagedjs_area').getBoundingClientRect();
      const noteArea = page.querySelector('.pagedjs_footnote_area');
      const notesHeight = noteArea ? noteArea.getBoundingClientRect().height : 0;
      const notes = page.querySelector('.pagedjs_footnote_inner_content');
      if (notes && notes.scrollHeight > notes.clientHeight + 1) {
        notes.querySelectorAll('[data-folio]').forEach(function (/** @type {Element} */ e) {
          clipped.add(folioOf(e));
        });
      }
      const headings = Array.prototype.filter
        .call(content.querySelectorAll('h1, h2, h3'), function (h) {
          return !h.hasAttribute('data-split-from');
        })
        .map(function (h) {
          const section = h.closest('section[data-chapter]');
          return {
            level: Number(h.tagName.slice(1)),
            text: text(h),
            // As a share of the page height: print media lays the page box out at another scale.
            top: (h.getBoundingClientRect().top - pageBox.top) / pageBox.height,
            chapter: section ? Number(section.getAttribute('data-chapter')) : 0,
          };
        });
      const opening = content.querySelector('h1:not([data-split-from])') !== null;
      if (opening) page.classList.add('folio-opening');
      return {
        index: i + 1,
        starts: starts,
        folios: Array.from(folios),
        clipped: Array.from(clipped),
        headings: headings,
        opening: opening,
        height: pageBox.height,
        // Share of the text area the page's text and notes take up: how tight the page is.
        fill: (bottom - contentBox.top + notesHeight) / area.height,
      };
    });
  }

  /**
   * The last line of a paragraph that a page ends is justified like a full line only when it is
   * nearly full already: our measure is not the original's, and a short line spread across the
   * measure would be worse than a ragged one. Changing the alignment never moves a line break.
   * @param {number} threshold
   */
  function settlePageEnds(threshold) {
    const ends = Array.prototype.filter.call(document.querySelectorAll('.pagedjs_page_content .page-end'), function (e) {
      return !e.hasAttribute('data-split-to');
    });
    // Measure all with ragged last lines first, then set: one layout, not one per paragraph.
    ends.forEach(function (e) {
      e.classList.add('page-end-short');
    });
    const fills = ends.map(function (e) {
      const range = document.createRange();
      range.selectNodeContents(e);
      const rects = Array.prototype.filter.call(range.getClientRects(), function (r) {
        return r.width > 0;
      });
      if (rects.length === 0) return 1;
      const bottom = Math.max.apply(null, rects.map(function (r) { return r.bottom; }));
      const last = rects.filter(function (r) { return r.bottom > bottom - 2; });
      const box = e.getBoundingClientRect();
      const style = window.getComputedStyle(e);
      const left = box.left + parseFloat(style.paddingLeft);
      const width = box.width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      const right = Math.max.apply(null, last.map(function (r) { return r.right; }));
      return (right - left) / width;
    });
    ends.forEach(function (e, i) {
      if (/** @type {number} */ (fills[i]) >= threshold) e.classList.remove('page-end-short');
    });
  }

  /**
   * Paged.js 0.4.3 runs its chunker's task queue on requestAnimationFrame, one frame per page:
   * at most ~60 pages a second whatever the work, and nothing at all in a tab that gets no
   * frames. A task's layout is synchronous DOM work that needs no frame, so the queue ticks on
   * a message channel instead: the next task runs as soon as the event loop is free (after
   * timers and font loads, unlike a resolved promise). Same layout, no frame wait.
   * @param {TaskQueue} queue
   */
  function tickWithoutFrames(queue) {
    const channel = new MessageChannel();
    /** @type {Array<(time: number) => void>} */
    const waiting = [];
    channel.port1.onmessage = function () {
      const callback = waiting.shift();
      if (callback) callback(performance.now());
    };
    queue.tick = function (callback) {
      waiting.push(callback);
      channel.port2.postMessage(null);
      return 0;
    };
  }

  /**
   * Content handed to Paged.js in its template is not laid out before pagination, so no font is
   * asked for by then. Every face the page declares is loaded for the characters of the content
   * and of the styles (running heads) before the first page is measured: a face that
   * arrived mid-flow would change lines already measured.
   */
  function loadFonts() {
    const template = /** @type {HTMLTemplateElement | null} */ (document.querySelector('template[data-ref="pagedjs-content"]'));
    if (!template) return document.fonts.ready;
    let text = template.content.textContent || '';
    document.querySelectorAll('style').forEach(function (style) {
      text += style.textContent || '';
    });
    const chars = Array.from(new Set(Array.from(text.replace(/\s+/g, '')))).join('');
    const faces = new Set();
    document.fonts.forEach(function (face) {
      faces.add(face.style + ' ' + String(face.weight).split(' ')[0] + ' 16px "' + face.family.replace(/^"|"$/g, '') + '"');
    });
    return Promise.all(
      Array.from(faces).map(function (font) {
        return document.fonts.load(font, chars);
      }),
    ).then(function () {
      return document.fonts.ready;
    });
  }

  /** Every face the page declares, as Paged.js's own loading would load them. */
  function loadAllFaces() {
    /** @type {Array<Promise<FontFace>>} */
    const loads = [];
    document.fonts.forEach(function (face) {
      loads.push(
        face.load().catch(function () {
          return face;
        }),
      );
    });
    return Promise.all(loads).then(function () {
      return document.fonts.ready;
    });
  }

  /** The font faces loaded, or loading, now. */
  function facesInUse() {
    const faces = new Set();
    document.fonts.forEach(function (face) {
      if (face.status === 'loaded' || face.status === 'loading') faces.add(face);
    });
    return faces;
  }

  /**
   * Paginates the document with Paged.js and resolves to the facts of every page, and to the
   * font faces that layout had to load on the way (`lateFaces`): a face that arrives mid-flow
   * may change lines already measured, so such a layout is not to be trusted.
   *
   * Paged.js loads every face the document declares before it lays out a page: all 200 and
   * more unicode-range slices of a CJK font, most of them for characters the issue never
   * uses, at about 40% of an English flow's time. `loadFonts` loads every face the content and
   * the styles need instead, unless `options.allFaces` asks for every face (the second try
   * after late faces); either way the loading is done before Paged.js starts.
   * @param {{ pageEndFill: number; allFaces?: boolean }} options
   */
  function paginate(options) {
    const chunker = host.PagedPolyfill.chunker;
    tickWithoutFrames(chunker.q);
    chunker.loadFonts = function () {
      return Promise.resolve([]);
    };
    // The page-rendered hook: Node exposes `folioPageRendered` only when someone shows progress.
    const pageRendered = host.folioPageRendered;
    if (typeof pageRendered === 'function') {
      let rendered = 0;
      host.PagedPolyfill.chunker.on('renderedPage', function () {
        rendered += 1;
        pageRendered(rendered);
      });
    }
    let before = new Set();
    return (options.allFaces ? loadAllFaces() : loadFonts())
      .then(function () {
        before = facesInUse();
        return host.PagedPolyfill.preview();
      })
      .then(function () {
        return document.fonts.ready;
      })
      .then(function () {
        let lateFaces = 0;
        facesInUse().forEach(function (face) {
          if (!before.has(face)) lateFaces += 1;
        });
        // Soft hyphens stay as they are: taking out the unused ones moved line breaks in
        // Chromium (its breaker is not purely greedy), so the PDF would not be what was measured.
        settlePageEnds(options.pageEndFill);
        return { facts: pageFacts(), lateFaces: lateFaces };
      });
  }

  host.folioPrint = { addGlyphProbe: addGlyphProbe, removeGlyphProbe: removeGlyphProbe, paginate: paginate };
  // The polyfill reads this when it loads: we start it ourselves, after the glyph check.
  host.PagedConfig = { auto: false };
})();
