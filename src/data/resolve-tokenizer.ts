// The real tokenizers behind a TokenizerChoice. Each is imported on demand: the Mistral tokenizer's data is
// large, and a page that trains a BPE should not download it.
import type { ResolveTokenizer } from './tokenizer-choice';

export const resolveTokenizer: ResolveTokenizer = async (choice, trainingTexts, onProgress) => {
  switch (choice.kind) {
    case 'mistral':
      return (await import('./tokenizer/mistral')).mistralTokenizer();
    case 'bpe':
      return (await import('./tokenizer/train-bpe')).trainBpe(trainingTexts(), { vocabSize: choice.vocabSize, onProgress });
    case 'json':
      return (await import('./tokenizer/load-tokenizer-json')).loadTokenizerJSON(choice.json);
    default:
      throw new Error(`unknown tokenizer choice ${JSON.stringify(choice)}`);
  }
};
