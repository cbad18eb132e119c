// Prisma CLI configuration for tests that run `prisma migrate diff` on PostgreSQL (pass it with
// --config): the prisma6 CLI's own (prisma/cli6.config.ts), whose pg pool lets its idle connection
// go at once, so the CLI exits about 10 s sooner (pg's default idle timeout).
export { default } from '../../prisma/cli6.config';
