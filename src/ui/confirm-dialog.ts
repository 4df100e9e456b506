// A question before something that cannot be undone (a new run replacing one that could continue, a run
// that would take hours): a modal <dialog> whose safe answer has the focus, so Enter or Escape keeps
// what the person has.
import { h } from './dom';

export interface Question {
  title: string;
  /** One paragraph each: what would be lost or what it costs, and what else the person can do. */
  lines: string[];
  confirm: string;
  cancel: string;
}

/** Resolves true only for the confirm button; Escape, the cancel button and closing all answer false. */
export function ask(q: Question): Promise<boolean> {
  const no = h('button', { type: 'button', class: 'primary', 'data-testid': 'confirm-no' }, q.cancel);
  const yes = h('button', { type: 'button', 'data-testid': 'confirm-yes' }, q.confirm);
  const title = h('h2', { id: 'confirm-title' }, q.title);
  const dialog = h('dialog', { class: 'confirm', 'data-testid': 'confirm-dialog', 'aria-labelledby': 'confirm-title' },
    title, ...q.lines.map((l) => h('p', {}, l)), h('div', { class: 'buttons' }, no, yes));
  document.body.appendChild(dialog);
  return new Promise<boolean>((resolve) => {
    let answer = false;
    yes.addEventListener('click', () => { answer = true; dialog.close(); });
    no.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => { dialog.remove(); resolve(answer); });
    dialog.showModal();
    no.focus();
  });
}
