// Writes prisma/<provider>/schema.prisma for both providers from prisma/models.prisma, then runs
// `prisma generate` for each (clients in prisma/generated/<provider>; all of it ignored by git).
// Run by `npm install` (postinstall) and `npm run db:generate`.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { root, schemaText, prisma, placeholderUrls } from './prisma-schema.mjs';

const models = readFileSync(join(root, 'prisma', 'models.prisma'), 'utf8');
for (const provider of Object.keys(placeholderUrls)) {
  const dir = join(root, 'prisma', provider);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'schema.prisma'), schemaText(provider, models));
  prisma(provider, ['generate', '--schema', join(dir, 'schema.prisma')]);
  console.log(`prisma: client generated for ${provider}`);
}
