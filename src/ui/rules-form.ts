// The cleaning rules as a form, built from the rule defaults themselves (src/data/rules/defaults.ts): one
// fieldset per rule group with its help line, a control per option shaped by the option's type. Reading the
// form gives the overrides the pipeline takes.
import { DEFAULT_RULES, RULE_HELP, type RuleOptions, type RuleOverrides } from '../data/rules/defaults';
import { h, labelled } from './dom';

type Value = boolean | number | string | number[] | string[] | { [k: string]: Value };
type Reader = () => Value;

/** 'maxSymbolDigitRatio' -> 'max symbol digit ratio'. */
const words = (key: string): string => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();

function control(group: string, key: string, value: Value, onChange: () => void): { el: HTMLElement; read: Reader } {
  const name = key === 'enabled' ? 'on' : words(key);
  const testid = `rule-${group}-${key}`;
  if (typeof value === 'boolean') {
    const input = h('input', { type: 'checkbox', 'data-testid': testid, onchange: onChange });
    input.checked = value;
    return { el: labelled(name, input), read: () => input.checked };
  }
  if (typeof value === 'number') {
    const input = h('input', { type: 'number', step: 'any', value: String(value), 'data-testid': testid, oninput: onChange });
    return { el: labelled(name, input), read: () => (input.value === '' ? value : Number(input.value)) };
  }
  if (typeof value === 'string') {
    if (key === 'mode') {
      const select = h('select', { 'data-testid': testid, onchange: onChange },
        h('option', { value: 'mask' }, 'mask'), h('option', { value: 'drop' }, 'drop the record'));
      select.value = value;
      return { el: labelled(name, select), read: () => select.value };
    }
    const input = h('input', { type: 'text', value, 'data-testid': testid, oninput: onChange });
    return { el: labelled(name, input), read: () => input.value };
  }
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) {
    const lo = h('input', { type: 'number', step: '1', value: String(value[0]), 'aria-label': `${name} minimum`, oninput: onChange });
    const hi = h('input', { type: 'number', step: '1', value: String(value[1]), 'aria-label': `${name} maximum`, oninput: onChange });
    return {
      el: h('div', { class: 'field range' }, h('span', { class: 'field-name' }, name), lo, '–', hi),
      read: () => [Number(lo.value), Number(hi.value)],
    };
  }
  if (Array.isArray(value)) {
    const input = h('input', { type: 'text', value: value.join(', '), 'data-testid': testid, oninput: onChange });
    return { el: labelled(`${name} (comma-separated)`, input), read: () => input.value.split(',').map((s) => s.trim()).filter(Boolean) };
  }
  const parts = Object.entries(value).map(([k, v]) => ({ key: k, ...control(`${group}-${key}`, k, v, onChange) }));
  return {
    el: h('fieldset', { class: 'sub' }, h('legend', {}, name), ...parts.map((p) => p.el)),
    read: () => Object.fromEntries(parts.map((p) => [p.key, p.read()])),
  };
}

export class RulesForm {
  readonly el: HTMLElement;
  private readonly readers: { group: keyof RuleOptions; key: string; read: Reader }[] = [];

  constructor(onChange: () => void) {
    const groups = (Object.keys(DEFAULT_RULES) as (keyof RuleOptions)[]).map((group) => {
      const options = DEFAULT_RULES[group] as unknown as Record<string, Value>;
      const controls = Object.entries(options).filter(([key]) => key !== 'enabled').map(([key, value]) => {
        const c = control(group, key, value, onChange);
        this.readers.push({ group, key, read: c.read });
        return c.el;
      });
      // A rule's on/off switch sits in its legend, named by the rule's title.
      let legend: HTMLElement = h('legend', {}, RULE_HELP[group].title);
      if (typeof options.enabled === 'boolean') {
        const toggle = h('input', { type: 'checkbox', 'data-testid': `rule-${group}-enabled`, onchange: onChange });
        toggle.checked = options.enabled;
        this.readers.push({ group, key: 'enabled', read: () => toggle.checked });
        legend = h('legend', {}, h('label', { class: 'rule-toggle' }, toggle, ` ${RULE_HELP[group].title}`));
      }
      return h('fieldset', { class: 'rule-group', 'data-testid': `rule-group-${group}` },
        legend, h('p', { class: 'help' }, RULE_HELP[group].help), ...controls);
    });
    this.el = h('div', { class: 'rules' }, ...groups);
  }

  /** Every option as the form shows it (complete, so the dataset's name depends on all of them). */
  read(): RuleOverrides {
    const out: Record<string, Record<string, Value>> = {};
    for (const r of this.readers) (out[r.group] ??= {})[r.key] = r.read();
    return out as RuleOverrides;
  }
}
