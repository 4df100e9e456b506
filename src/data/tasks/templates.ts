// The default templates per layout: Jinja (rendered with @huggingface/jinja, which trims the newline after a
// block tag, so a line break that must survive sits before the tag). Several forms per layout, as HARE's D3
// varies them: prompt-style ("Question: ... Answer:"), prose ("the answer is"), explanations and plain
// completions, so that a model learns the task and not one template. One is chosen per row by the seed.
// Every rendered sample ends like a sentence (renderer.ts), so the cleaning's `incomplete` rule keeps it.
import type { TaskLayout } from './layouts';

/** The variables each layout's templates see, besides `row` (the original fields): for --help and errors. */
export const TEMPLATE_VARIABLES: Readonly<Record<TaskLayout, readonly string[]>> = {
  mc: ['question', 'choices', 'labels', 'answer', 'answer_label', 'answer_index', 'subject', 'fact'],
  qa: ['question', 'answer', 'context', 'title'],
  cloze: ['text', 'before', 'after', 'filled', 'answer', 'options'],
  summary: ['document', 'summary', 'title'],
  nli: ['premise', 'hypothesis', 'label'],
  classification: ['text', 'label'],
};

export const DEFAULT_TEMPLATES: Readonly<Record<TaskLayout, readonly string[]>> = {
  mc: [
    'Question: {{ question }}\n{% for c in choices %}{{ labels[loop.index0] }}. {{ c }}\n{% endfor %}Answer: {{ answer_label }}. {{ answer }}',
    '{{ question }}\nThe options are: {{ choices | join("; ") }}. The answer is {{ answer }}.',
    '{% if subject %}Here is a question about {{ subject }}. {% endif %}{{ question }} Choose one of:{% for c in choices %} ({{ labels[loop.index0] }}) {{ c }}{% endfor %}. The correct choice is ({{ answer_label }}), "{{ answer }}".',
    'Q: {{ question }}\nA: {{ answer }}',
    '{{ question }} Among {{ choices | join(", ") }}, the right answer is {{ answer }}{% if fact %}, because {{ fact }}{% endif %}.',
  ],
  qa: [
    '{% if context %}{{ context }}\n\n{% endif %}Question: {{ question }}\nAnswer: {{ answer }}',
    '{% if context %}Read the passage and answer the question.\n\n{{ context }}\n\n{% endif %}{{ question }} The answer is {{ answer }}.',
    'Q: {{ question }}\nA: {{ answer }}{% if context %}\n\nThis is stated in the following text{% if title %} about {{ title }}{% endif %}: {{ context }}{% endif %}',
    '{% if context %}Given that {{ context }}\n\n{% endif %}Someone asked: "{{ question }}" The reply is: {{ answer }}.',
  ],
  cloze: [
    'Fill in the blank: {{ text }}\nAnswer: {{ answer }}',
    '{{ filled }}',
    'In the sentence "{{ text }}", the blank stands for "{{ answer }}".',
    '{% if options %}Which of {{ options | join(" or ") }} fits here? {{ text }}\nThe right one is {{ answer }}: {{ filled }}{% else %}{{ before }} ... what comes next? The next word is "{{ answer }}".{% endif %}',
  ],
  summary: [
    '{{ document }}\n\nSummary: {{ summary }}',
    'Summarize the following text.\n\n{{ document }}\n\nIn short: {{ summary }}',
    '{% if title %}{{ title }}\n\n{% endif %}{{ document }}\n\nTL;DR: {{ summary }}',
    'Here is a short summary: {{ summary }}\n\nAnd here is the full text: {{ document }}',
  ],
  nli: [
    'Premise: {{ premise }}\nHypothesis: {{ hypothesis }}\nDoes the premise entail the hypothesis? {% if label == "entailment" %}Yes.{% elif label == "contradiction" %}No, it contradicts it.{% else %}It is not possible to tell.{% endif %}',
    '{{ premise }} Based on that, is it true that "{{ hypothesis }}"? The relation is {{ label | replace("_", " ") }}.',
    'Sentence one: {{ premise }} Sentence two: {{ hypothesis }} The first sentence {% if label == "entailment" %}implies the second{% elif label == "contradiction" %}contradicts the second{% else %}neither implies nor contradicts the second{% endif %}.',
  ],
  classification: [
    '{{ text }}\n\nCategory: {{ label }}',
    'Text: {{ text }}\nThe label of this text is "{{ label }}".',
    'What kind of text is this? {{ text }}\nIn one word: {{ label }}.',
  ],
};
