// The node options of the servers the benchmark starts in processes of their own: those it runs
// with itself (`npm run bench` passes package.json's config.node_flags, as `npm start` does:
// the same heap growth and WebAssembly tier), less profiling ones, which each process asks for itself.
export function serverFlags(): string[] {
  const flags = process.execArgv.filter((a) => !a.startsWith('--cpu-prof') && !a.startsWith('--heap-prof'));
  return flags.some((a) => a.startsWith('--disable-warning')) ? flags : ['--disable-warning=DEP0111', ...flags];
}
