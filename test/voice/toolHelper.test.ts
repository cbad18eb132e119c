// The voice's tools (bot/voice/audioTools.ts) are started by a helper process, not by the server:
// starting a process from the server would stop its event loop while its page tables are copied
// (about 12 ms at the server's size under load). The answers, failures and time limits are the
// tools' own; a helper that dies is replaced at the next clip.
import { runTool, toolHelperPid } from '../../bot/voice/audioTools';

test('a tool runs as a child of the helper, its stdin in and its stdout out, bytes intact', async () => {
  const out = await runTool('sh', ['-c', 'echo $PPID; cat'], 'Merci, Amina !');
  const [parent, echoed] = out.toString().split('\n');
  expect(Number(parent)).toBe(toolHelperPid());
  expect(Number(parent)).not.toBe(process.pid);
  expect(echoed).toBe('Merci, Amina !');
  const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256));
  expect((await runTool('cat', [], bytes)).equals(bytes)).toBe(true);
});

test('a failure says which tool and its last line; a tool past its time limit is stopped', async () => {
  await expect(runTool('sh', ['-c', 'echo first >&2; echo last >&2; exit 3'], '')).rejects.toThrow(
    'sh failed (exit 3): last',
  );
  await expect(runTool('sleep', ['5'], '', 200)).rejects.toThrow('sleep failed (SIGTERM)');
  await expect(runTool('no-such-tool-here', [], '')).rejects.toThrow(/ENOENT/);
});

test('the tools of several clips run at once, each answer to its own request', async () => {
  const texts = Array.from({ length: 8 }, (_, i) => `clip ${i}`);
  const outs = await Promise.all(texts.map((t) => runTool('cat', [], t)));
  expect(outs.map((o) => o.toString())).toEqual(texts);
});

test('a helper that dies fails what it was running; the next tool gets a new helper', async () => {
  await runTool('true', [], '');
  const first = toolHelperPid()!;
  const running = runTool('sleep', ['5'], '');
  process.kill(first, 'SIGKILL');
  await expect(running).rejects.toThrow(/tool helper ended/);
  expect(toolHelperPid()).toBeUndefined();
  const out = await runTool('sh', ['-c', 'echo $PPID'], '');
  expect(Number(out.toString())).toBe(toolHelperPid());
  expect(toolHelperPid()).not.toBe(first);
});
