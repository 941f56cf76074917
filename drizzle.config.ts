import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './libs/store/schema/index.ts',
  out: './migrations',
});
