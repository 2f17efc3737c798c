/**
 * The config this repository runs with (`npm start`): the built-in set,
 * configured from the environment and `.env`. Copy it next to your own
 * project to change it; docs/config.md lists every key.
 */
import { defineConfig, defaults } from 'lynkr';

export default defineConfig({
  plugins: [...defaults()],
});
