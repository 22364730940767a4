/**
 * prisma/schema.prisma and prisma/migrations must describe the same database. Prisma's own schema engine
 * (run as WASM, see scripts/lib/schema-engine.ts) does the comparison, as
 * `prisma migrate diff --from-config-datasource --to-schema prisma/schema.prisma --exit-code` would:
 * it knows every detail Prisma maps (types, defaults, indexes, foreign keys and their actions), which a
 * hand-written information_schema comparison would have to re-implement and would drift from.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diffDatabaseToSchema, SCHEMA_PATH } from "../../scripts/lib/schema-engine";
import { createTestDatabase, type TestDatabase } from "./helpers/test-db";

describe("schema drift", () => {
  let t: TestDatabase;
  let scratch: string;
  beforeAll(async () => {
    t = await createTestDatabase();
    scratch = mkdtempSync(path.join(os.tmpdir(), "sb-schema-"));
  });
  afterAll(async () => {
    await t.drop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("the migrations produce exactly the database that schema.prisma describes", async () => {
    const { empty, script } = await diffDatabaseToSchema(t.url);
    // On failure the message is the SQL a new migration needs: `npx tsx scripts/lib/new-migration.ts <name>`.
    expect(empty, `schema.prisma is ahead of the migrations by:\n${script}`).toBe(true);
  });

  it("notices a schema change that has no migration", async () => {
    const changed = path.join(scratch, "schema.prisma");
    const schema = readFileSync(SCHEMA_PATH, "utf8")
      .replace('@@map("artifact")', '@@index([createdAt])\n  @@map("artifact")')
      .concat("\nmodel Unmigrated {\n  id Int @id\n}\n");
    writeFileSync(changed, schema);
    const { empty, script } = await diffDatabaseToSchema(t.url, changed);
    expect(empty).toBe(false);
    expect(script).toContain('CREATE TABLE "Unmigrated"');
    expect(script).toContain('CREATE INDEX "artifact_created_at_idx"');
  });

  it("notices a database change that is not in the schema", async () => {
    await t.db.$executeRawUnsafe("ALTER TABLE workflow ALTER COLUMN description DROP NOT NULL");
    try {
      const { empty, script } = await diffDatabaseToSchema(t.url);
      expect(empty).toBe(false);
      expect(script).toMatch(/ALTER TABLE "workflow" ALTER COLUMN "description" SET NOT NULL/);
    } finally {
      await t.db.$executeRawUnsafe("ALTER TABLE workflow ALTER COLUMN description SET NOT NULL");
    }
  });
});
