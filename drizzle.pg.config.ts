import { defineConfig } from 'drizzle-kit';

/** PostgreSQL: the store of many machines. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './libs/store/schema/pg.ts',
  out: './migrations/pg',
});
