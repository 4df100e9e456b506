// Where the end-to-end suite keeps what it makes: the page's build, and the artifacts (screenshots,
// downloads) in test-results/, which git ignores and CI keeps.
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
/** LEVERET_E2E_DIST gives a run its own build folder, so two people's runs on one tree do not rebuild each other's page. */
export const E2E_DIST = process.env.LEVERET_E2E_DIST ? resolve(process.env.LEVERET_E2E_DIST) : resolve(ROOT, '.cache', 'e2e-dist');
export const ARTIFACTS = resolve(ROOT, 'test-results', 'e2e');
