import { defineConfig } from "prisma/config";

// The URL is only needed by commands that talk to a database (`prisma migrate deploy` for users with the
// native engine); `prisma generate` works without one.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/switchboard" },
});
