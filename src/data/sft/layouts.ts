// Instruction-data rows in the conventional layouts, turned into one conversation each. The layout is fixed
// per file by its first row, so a file that mixes layouts reports the odd rows instead of guessing:
//   messages           {"messages": [{"role": "user", "content": "..."}, {"role": "assistant", ...}]}
//                      (ShareGPT's {"conversations": [{"from": "human", "value": "..."}]} is read the same way)
//   prompt-completion  {"prompt": "...", "completion": "..."}  -> user: prompt, assistant: completion
//   alpaca             {"instruction": "...", "input": "...", "output": "..."}
//                      -> user: instruction, a blank line and the input when there is one; assistant: output
// Every layout goes through the model's chat template (chat-template.ts), so the model sees one format.

export interface ChatMessage {
  role: string;
  content: string;
}

export const SFT_LAYOUTS = ['messages', 'prompt-completion', 'alpaca'] as const;
export type SftLayout = (typeof SFT_LAYOUTS)[number];

/** A row that does not fit its file's layout; the message says which field and why. */
export class SftRowError extends Error {}

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);
const SHAREGPT_ROLES: Record<string, string> = { system: 'system', human: 'user', user: 'user', gpt: 'assistant', assistant: 'assistant', tool: 'tool' };

/** The layout a row is in, or null when it is none of them. */
export function detectSftLayout(row: Record<string, unknown>): SftLayout | null {
  if (Array.isArray(row.messages) || Array.isArray(row.conversations)) return 'messages';
  if ('prompt' in row && 'completion' in row) return 'prompt-completion';
  if ('instruction' in row && 'output' in row) return 'alpaca';
  return null;
}

function text(row: Record<string, unknown>, field: string, optional = false): string {
  const v = row[field];
  if (v === undefined || v === null) {
    if (optional) return '';
    throw new SftRowError(`no "${field}" field`);
  }
  if (typeof v !== 'string') throw new SftRowError(`"${field}" is ${Array.isArray(v) ? 'an array' : typeof v}, not a string`);
  return v;
}

function messagesOf(row: Record<string, unknown>): ChatMessage[] {
  const list = Array.isArray(row.messages) ? row.messages : row.conversations;
  const field = Array.isArray(row.messages) ? 'messages' : 'conversations';
  if (!Array.isArray(list)) throw new SftRowError('no "messages" array');
  return list.map((m, i) => {
    if (!m || typeof m !== 'object') throw new SftRowError(`${field}[${i}] is not an object`);
    const o = m as Record<string, unknown>;
    const role = typeof o.role === 'string' ? o.role : typeof o.from === 'string' ? SHAREGPT_ROLES[o.from] : undefined;
    if (role === undefined || !ROLES.has(role)) throw new SftRowError(`${field}[${i}] has role ${JSON.stringify(o.role ?? o.from)}, not one of ${[...ROLES].join(', ')}`);
    const content = o.content ?? o.value;
    if (typeof content !== 'string') throw new SftRowError(`${field}[${i}].content is not a string`);
    return { role, content };
  });
}

/** The row as a conversation; throws SftRowError when it does not fit `layout` or has nothing to learn. */
export function sftMessages(row: Record<string, unknown>, layout: SftLayout): ChatMessage[] {
  let messages: ChatMessage[];
  switch (layout) {
    case 'messages': messages = messagesOf(row); break;
    case 'prompt-completion': messages = [{ role: 'user', content: text(row, 'prompt') }, { role: 'assistant', content: text(row, 'completion') }]; break;
    case 'alpaca': {
      const input = text(row, 'input', true);
      const user = input.trim() ? `${text(row, 'instruction')}\n\n${input}` : text(row, 'instruction');
      messages = [{ role: 'user', content: user }, { role: 'assistant', content: text(row, 'output') }];
      break;
    }
    default: throw new Error(`unknown SFT layout ${String(layout satisfies never)}`);
  }
  if (!messages.some((m) => m.role === 'assistant' && m.content.trim() !== '')) throw new SftRowError('no assistant turn with text: nothing to learn');
  return messages;
}
