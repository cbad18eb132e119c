// For a suite of browser tests on the real application: a fresh SQLite database, the app on it,
// and chromium.
import { chromium, type Browser } from 'playwright-core';
import type { App } from '../../bot/runtime/app';
import { startTestApp } from './app';
import { CHROMIUM_ARGS } from './browser';
import { createTempSqlite } from './databases';
import type { TempDatabase } from './postgres';

export interface BrowserApp {
  tmp: TempDatabase;
  app: App;
  browser: Browser;
}

/** A fresh SQLite database, the app on it, and chromium (the one at executablePath). */
export async function startBrowserApp(executablePath: string): Promise<BrowserApp> {
  const started: Partial<BrowserApp> = {};
  try {
    started.tmp = await createTempSqlite();
    started.app = await startTestApp(started.tmp.url);
    started.browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    return started as BrowserApp;
  } catch (err) {
    await stopBrowserApp(started);
    throw err;
  }
}

/** Closes what startBrowserApp started (the parts of it that did start): the browser, the app, the database. */
export async function stopBrowserApp(started: Partial<BrowserApp>): Promise<void> {
  await started.browser?.close();
  await started.app?.stop();
  await started.tmp?.drop();
}
