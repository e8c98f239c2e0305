// The app's editor: CodeMirror 6 with YAML highlighting, line numbers, search, folding and
// one lint mark per finding. `build.mjs` bundles this file and its npm dependencies into
// web/js/editor.bundle.js, which the Rust side binds (web/src/components/code_editor.rs).
//
// Positions are UTF-16 code units, as in the DOM; colours come from the page's CSS
// variables, so the editor follows the light and dark themes. The editor lives in a shadow
// root of its host: there CodeMirror's styles go into a constructed style sheet, which the
// page's policy allows, instead of a <style> element, which it refuses.

import { Annotation, EditorState } from '@codemirror/state';
import {
  EditorView,
  crosshairCursor,
  drawSelection,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
  placeholder,
  rectangularSelection,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { highlightSelectionMatches, search, searchKeymap } from '@codemirror/search';
import {
  HighlightStyle,
  bracketMatching,
  foldGutter,
  foldKeymap,
  indentOnInput,
  syntaxHighlighting,
} from '@codemirror/language';
import { lintGutter, setDiagnostics } from '@codemirror/lint';
import { yaml } from '@codemirror/lang-yaml';
import { tags } from '@lezer/highlight';

/** Marks a change that came from the app (a sample, an applied fix), not from the person. */
const fromApp = Annotation.define();

// Severity by shape as well as colour, as in the findings list: a square for errors, a
// triangle for warnings, a circle for notes.
const marker = (shape) =>
  `url('data:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">${encodeURIComponent(shape)}</svg>')`;
const SHAPES = {
  error: marker('<rect x="6" y="6" width="28" height="28" fill="#d1242f"/>'),
  warning: marker('<path d="M20 4L37 35H3Z" fill="#bf8700"/>'),
  info: marker('<circle cx="20" cy="20" r="14" fill="#0969da"/>'),
};

const highlight = HighlightStyle.define([
  { tag: tags.definition(tags.propertyName), color: 'var(--hl-key)' },
  { tag: tags.string, color: 'var(--hl-string)' },
  { tag: [tags.special(tags.string), tags.typeName, tags.labelName], color: 'var(--hl-special)' },
  { tag: [tags.meta, tags.keyword], color: 'var(--hl-meta)', fontWeight: 'bold' },
  { tag: tags.lineComment, color: 'var(--hl-comment)', fontStyle: 'italic' },
  { tag: tags.separator, color: 'var(--muted)' },
]);

const theme = EditorView.theme({
  '&': { flex: '1', minWidth: '0', color: 'var(--text)', backgroundColor: 'var(--code-bg)' },
  '&.cm-focused': { outline: '2px solid var(--accent)', outlineOffset: '-2px' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '20px', fontSize: '13px', paddingBottom: '10px' },
  '.cm-placeholder': { color: 'var(--faint)' },
  '.cm-content': { caretColor: 'var(--text)' },
  '.cm-gutters': { backgroundColor: 'var(--gutter-bg)', color: 'var(--faint)', borderRight: '1px solid var(--border)' },
  '.cm-activeLine': { backgroundColor: 'var(--active-line)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--active-line)', color: 'var(--text)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': {
    backgroundColor: 'var(--highlight)',
  },
  '.cm-panels': { backgroundColor: 'var(--panel)', color: 'var(--text)' },
  '.cm-searchMatch': { backgroundColor: 'var(--search-match)' },
  // The search panel's fields and buttons take the page's colours in both themes.
  '.cm-textfield': {
    color: 'var(--text)',
    backgroundColor: 'var(--panel)',
    border: '1px solid var(--border-strong)',
    borderRadius: '4px',
  },
  '.cm-button': {
    color: 'var(--text)',
    backgroundColor: 'var(--panel)',
    backgroundImage: 'none',
    border: '1px solid var(--border-strong)',
    borderRadius: '4px',
  },
  '.cm-button:active': { backgroundColor: 'var(--hover)', backgroundImage: 'none' },
  '.cm-panel.cm-search [name=close]': { color: 'var(--muted)' },
  '.cm-lint-marker': { width: '0.9em', height: '0.9em' },
  '.cm-lint-marker-error': { content: SHAPES.error },
  '.cm-lint-marker-warning': { content: SHAPES.warning },
  '.cm-lint-marker-info': { content: SHAPES.info },
  '.cm-tooltip': { backgroundColor: 'var(--panel)', color: 'var(--text)', border: '1px solid var(--border)' },
});

/**
 * Makes an editor in `parent` holding `text`; `onChange(text)` hears the person's edits
 * (not the app's own `setText`). `label` names the editing area for screen readers.
 */
export function mount(parent, text, onChange, label, placeholderText, testId = 'editor') {
  const root = parent.shadowRoot ?? parent.attachShadow({ mode: 'open' });
  const view = new EditorView({
    parent: root,
    root,
    state: EditorState.create({
      doc: text,
      extensions: [
        lineNumbers(),
        foldGutter(),
        lintGutter(),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        history(),
        drawSelection(),
        rectangularSelection(),
        crosshairCursor(),
        indentOnInput(),
        bracketMatching(),
        highlightActiveLine(),
        highlightSelectionMatches(),
        search({ top: true }),
        yaml(),
        syntaxHighlighting(highlight),
        theme,
        EditorState.tabSize.of(2),
        // Tab is left to the browser, so the keyboard can leave the editor.
        keymap.of([...defaultKeymap, ...historyKeymap, ...searchKeymap, ...foldKeymap]),
        EditorView.contentAttributes.of({
          'aria-label': label,
          'data-testid': testId,
          // Focusable as it is anyway (contenteditable), said outright so that checkers
          // see the scrolling region's keyboard access.
          tabindex: '0',
          spellcheck: 'false',
          autocorrect: 'off',
          autocapitalize: 'off',
        }),
        placeholderText ? placeholder(placeholderText) : [],
        EditorView.updateListener.of((update) => {
          if (update.docChanged && !update.transactions.some((t) => t.annotation(fromApp))) {
            onChange(update.state.doc.toString());
          }
        }),
      ],
    }),
  });
  // Scripts that drive the page (its browser tests and benchmark) reach the editor here.
  parent.editor = {
    text: () => getText(view),
    setText: (next) => typeIn(view, next),
    selection: () => selection(view),
    scrollTop: () => view.scrollDOM.scrollTop,
  };
  return view;
}

/**
 * Makes the text `text` as the person would, by one edit of the part that differs (a keystroke
 * or a paste changes a range, not the whole document); the app hears it.
 */
function typeIn(view, text) {
  const doc = view.state.doc.toString();
  let from = 0;
  const shorter = Math.min(doc.length, text.length);
  while (from < shorter && doc.charCodeAt(from) === text.charCodeAt(from)) from++;
  let tail = 0;
  while (tail < shorter - from && doc.charCodeAt(doc.length - 1 - tail) === text.charCodeAt(text.length - 1 - tail)) tail++;
  view.dispatch({ changes: { from, to: doc.length - tail, insert: text.slice(from, text.length - tail) } });
}

/** Replaces the text unless it is already `text`; keeps the cursor where it can. */
export function setText(view, text) {
  const doc = view.state.doc;
  if (doc.length === text.length && doc.toString() === text) return;
  const head = Math.min(view.state.selection.main.head, text.length);
  view.dispatch({
    changes: { from: 0, to: doc.length, insert: text },
    selection: { anchor: head },
    annotations: fromApp.of(true),
  });
}

/** The editor's text. */
export function getText(view) {
  return view.state.doc.toString();
}

/**
 * Shows the findings as lint marks: `marks` is a JSON array of
 * `[from, to, severity, message]`, severity `error`, `warning` or `info`.
 */
export function setMarks(view, marks) {
  const length = view.state.doc.length;
  const diagnostics = JSON.parse(marks)
    .filter(([from]) => from <= length)
    .map(([from, to, severity, message]) => ({
      from,
      to: Math.min(Math.max(to, from), length),
      severity,
      message,
    }));
  view.dispatch(setDiagnostics(view.state, diagnostics));
}

/** Selects `from..to`, scrolls it to the middle and gives the editor the focus. */
export function reveal(view, from, to) {
  const length = view.state.doc.length;
  const anchor = Math.min(from, length);
  const head = Math.min(Math.max(to, from), length);
  view.dispatch({
    selection: { anchor, head },
    effects: EditorView.scrollIntoView(anchor, { y: 'center' }),
  });
  view.focus();
}

/** The selection: `[from, to]`. */
export function selection(view) {
  const { from, to } = view.state.selection.main;
  return [from, to];
}

/** Removes the editor. */
export function destroy(view) {
  view.destroy();
}
