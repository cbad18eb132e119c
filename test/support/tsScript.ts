import { spawn } from 'node:child_process';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');

/**
 * One of the project's scripts (`scripts/<name>.ts`, as `npm run` runs it) in a child process, from the
 * TypeScript sources: its exit code and its output (stdout and stderr together).
 */
export function runTsScript(
  name: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string }> {
  const load = `require(${JSON.stringify(path.join(__dirname, 'tsLoader.cjs'))});`;
  const script = `require(${JSON.stringify(path.join(root, 'scripts', `${name}.ts`))});`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', load + script, '--', ...args], {
      env: { ...process.env, ...env },
      cwd: root,
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, out }));
  });
}
