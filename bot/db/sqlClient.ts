// What SQL of our own needs of a client (bot/db/sqlTransaction.ts): Prisma's clients and
// transaction clients have it, and so do the transactions on a connection of our own.
export interface SqlClient {
  $queryRawUnsafe<T = unknown>(sql: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(sql: string, ...values: unknown[]): Promise<number>;
}
