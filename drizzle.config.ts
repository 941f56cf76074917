import { defineConfig } from 'drizzle-kit';

/** SQLite: the embedded default. `npm run db:generate` writes both dialects' migrations. */
export default defineConfig({
  dialect: 'sqlite',
  schema: './libs/store/schema/sqlite.ts',
  out: './migrations/sqlite',
});
