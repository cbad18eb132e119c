// Server-rendered pages: Eta templates (bot/dashboard/views, escaped by default) with the words of
// the locale files (dashboard.*, French or English).
import path from 'node:path';
import { Eta } from 'eta';
import { projectRoot } from '../runtime/paths';
import { textOf } from '../i18n/translator';
import type { DashboardLanguage } from './session';
import type { Staff } from '../services/staff';

const eta = new Eta({
  views: path.join(projectRoot, 'bot', 'dashboard', 'views'),
  cache: process.env.NODE_ENV === 'production',
  autoTrim: false,
});

/** The navigation's entries: each one's words are nav.<key>, its page /cip/<key> (home: /cip/). */
const NAV_KEYS = ['home', 'people', 'alerts', 'blockers', 'workshops', 'broadcasts', 'structures', 'stats'] as const;
export type NavKey = (typeof NAV_KEYS)[number];
export const NAV = NAV_KEYS.map((key) => ({ key, href: key === 'home' ? '/cip/' : `/cip/${key}` }));

export interface View {
  language: DashboardLanguage;
  staff?: Staff;
  /** the navigation entry of the page */
  current?: NavKey;
  title: string;
  alertCount?: number;
  /** where the language switch comes back to */
  back?: string;
}

export function words(language: DashboardLanguage) {
  // (Keys made from data: a stage, a status, a role.)
  return (key: string, values?: Record<string, unknown>) => textOf(language, `dashboard.${key}`, values);
}

/** Days and times as staff read them: 10/03/2025 14:30 in French, 2025-03-10 14:30 in English (Paris time). */
export function formats(language: DashboardLanguage, timeZone: string) {
  const locale = language === 'fr' ? 'fr-FR' : 'en-CA';
  const dayFormat = new Intl.DateTimeFormat(locale, { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const timeFormat = new Intl.DateTimeFormat(locale, {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  });
  const utcDay = new Intl.DateTimeFormat(locale, {
    timeZone: 'UTC',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  return {
    day: (d: Date | string | null | undefined) => (d ? dayFormat.format(new Date(d)) : ''),
    /** a day stored as midnight UTC (entry, exit, placement days) */
    utcDay: (d: Date | string | null | undefined) => (d ? utcDay.format(new Date(d)) : ''),
    time: (d: Date | string | null | undefined) => (d ? timeFormat.format(new Date(d)) : ''),
    iso: (d: Date | string | null | undefined) => (d ? new Date(d).toISOString().slice(0, 10) : ''),
  };
}

export function render(template: string, view: View, data: Record<string, unknown>, timeZone: string): string {
  return eta.render(template, {
    ...data,
    view,
    nav: NAV,
    t: words(view.language),
    f: formats(view.language, timeZone),
  });
}
