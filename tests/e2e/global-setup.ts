// Builds the page once for the whole end-to-end suite (every test file serves this build with `vite preview`):
// a build has no on-demand transforms and no dependency re-optimisation, so no page reloads itself mid-test.
import { build } from 'vite';
import { E2E_DIST } from './paths';

export default async function setup(): Promise<void> {
  await build({ logLevel: 'warn', build: { outDir: E2E_DIST, emptyOutDir: true, sourcemap: false } });
}
