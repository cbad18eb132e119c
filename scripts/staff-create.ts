// npm run staff:create -- --email camille@example.org --role cip [--name "Camille Martin"]
// Creates a staff account (or gives an existing one a new password) in DATABASE_URL and prints a
// one-time password: the person signs in with it within 72 hours and must choose their own at once.
// Roles: cip (their own beneficiaries), coordinator and admin (all). Also how an admin lets back in
// someone whose account is locked after too many wrong passwords: the lock ends with the new password.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../bot/runtime/config';
import { openDatabase } from '../bot/db/client';
import { projectRoot } from '../bot/runtime/paths';
import { createStaff, ONE_TIME_PASSWORD_HOURS, ROLES, type Role } from '../bot/services/staff';

const USAGE = `usage: npm run staff:create -- --email <address> --role ${ROLES.join('|')} [--name "First Last"]`;

async function main() {
  const { values } = parseArgs({
    options: {
      email: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return void console.log(USAGE);
  const email = values.email?.trim();
  if (!email || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new Error(`--email needs an email address\n${USAGE}`);
  if (!(ROLES as readonly string[]).includes(values.role ?? ''))
    throw new Error(`--role must be one of ${ROLES.join(', ')}\n${USAGE}`);
  const envFile = path.join(projectRoot, '.env');
  if (fs.existsSync(envFile)) process.loadEnvFile(envFile);
  const config = loadConfig();
  const db = await openDatabase(config.databaseUrl);
  try {
    const { staff, password, created } = await createStaff(db.prisma, {
      email,
      role: values.role as Role,
      name: values.name,
    });
    console.log(`${created ? 'Created' : 'Reset'} ${staff.role} account ${staff.email} (id ${staff.id}).`);
    console.log(`One-time password: ${password}`);
    console.log(
      `Give it to the person privately; it works for ${ONE_TIME_PASSWORD_HOURS} hours, and at the first sign-in ` +
        `they must choose their own password.`,
    );
    if (!created) console.log('Their old password no longer works; a lock after wrong passwords, if any, is lifted.');
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error((err as Error).message);
  process.exit(1);
});
