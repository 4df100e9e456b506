// A drop target with a file picker inside it: both hand File objects to `onFiles`.
import { h } from './dom';

export function dropZone(opts: { label: string; accept: string; multiple: boolean; testid: string; onFiles: (files: File[]) => void }): HTMLElement {
  const input = h('input', {
    type: 'file', accept: opts.accept, multiple: opts.multiple, hidden: true, 'aria-label': opts.label,
    'data-testid': `${opts.testid}-input`,
    onchange: () => {
      opts.onFiles([...(input.files ?? [])]);
      input.value = ''; // the same file can be picked again after removing it
    },
  });
  const zone = h('div', { class: 'drop-zone', 'data-testid': `${opts.testid}-zone` },
    input,
    h('button', { type: 'button', onclick: () => input.click() }, opts.label),
    h('span', { class: 'hint' }, ' or drop files here'));
  const over = (e: DragEvent) => { e.preventDefault(); zone.classList.add('over'); };
  zone.addEventListener('dragenter', over);
  zone.addEventListener('dragover', over);
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    opts.onFiles([...(e.dataTransfer?.files ?? [])]);
  });
  return zone;
}
