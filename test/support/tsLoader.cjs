// Required first in a child process, lets it load the project's TypeScript sources directly
// (transpile only, as ts-jest does with diagnostics off). Each file's JavaScript is kept in a cache
// under the system's temp folder, by a hash of its source: transpiling the app takes seconds of
// CPU, and the tests that restart instances start many processes.
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const ts = require('typescript');

const cacheDir = path.join(os.tmpdir(), `passerelle-ts-cache-${ts.version}`);
fs.mkdirSync(cacheDir, { recursive: true });

function transpile(source, filename) {
  return ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      resolveJsonModule: true,
    },
  }).outputText;
}

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const hash = crypto.createHash('sha256').update(filename).update('\0').update(source).digest('hex');
  const cached = path.join(cacheDir, `${hash}.js`);
  let output;
  try {
    output = fs.readFileSync(cached, 'utf8');
  } catch {
    output = transpile(source, filename);
    // Written whole then renamed: a process reading it at the same time never sees half a file.
    const partial = `${cached}.${process.pid}`;
    fs.writeFileSync(partial, output);
    fs.renameSync(partial, cached);
  }
  module._compile(output, filename);
};
