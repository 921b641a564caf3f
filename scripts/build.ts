// `npm run build`: bundles every action, the built-in kernels and the action runtime under build/.
import { buildAll } from '../host/bundling/build-actions.ts';

buildAll().catch((err) => {
  console.error(err);
  process.exit(1);
});
