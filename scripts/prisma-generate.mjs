// Writes prisma/<provider>/schema.prisma (Prisma 7) and prisma/<provider>/cli6.prisma (the same
// models for the prisma6 CLI, see scripts/prisma-schema.mjs) for both providers from
// prisma/models.prisma, then runs `prisma generate` for each (clients in prisma/generated/<provider>;
// all of it ignored by git). Run by `npm install` (postinstall) and `npm run db:generate`.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { root, schemaText, cli6SchemaText, prisma, placeholderUrls, linkPrismaBin } from './prisma-schema.mjs';

linkPrismaBin();
const models = readFileSync(join(root, 'prisma', 'models.prisma'), 'utf8');
for (const provider of Object.keys(placeholderUrls)) {
  const dir = join(root, 'prisma', provider);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'schema.prisma'), schemaText(provider, models));
  writeFileSync(join(dir, 'cli6.prisma'), cli6SchemaText(provider, models));
  prisma(provider, ['generate', '--schema', join(dir, 'schema.prisma')]);
  console.log(`prisma: client generated for ${provider}`);
}
