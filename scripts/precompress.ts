// Run by scripts/build.mjs (so by `npm start`): compresses the web chat page's files once
// (brotli and gzip, the best settings) into dist/public/, named by content hash. Nothing to do
// when they are there already, so it costs a few milliseconds on a start where nothing changed.
import { CACHE_DIR, precompress } from '../bot/channels/webchat/assets';

const started = Date.now();
precompress()
  .then(({ written }) => {
    if (written.length)
      process.stderr.write(
        `Compressed ${written.length} web chat file(s) into ${CACHE_DIR} in ` +
          `${((Date.now() - started) / 1000).toFixed(1)} s.\n`,
      );
  })
  .catch((err) => {
    // The server still works without them (it compresses in memory, less tightly).
    process.stderr.write(`Could not precompress the web chat files: ${(err as Error).message}\n`);
  });
