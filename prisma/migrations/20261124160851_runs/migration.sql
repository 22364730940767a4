-- CreateTable
CREATE TABLE "run" (
    "id" UUID NOT NULL,
    "workflow_id" UUID,
    "workflow_version" INTEGER,
    "graph" JSONB NOT NULL,
    "mode" TEXT NOT NULL,
    "target" TEXT,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "error" JSONB,
    "stats" JSONB,
    "inputs" JSONB NOT NULL DEFAULT '{}',
    "provider" TEXT,
    "source" TEXT NOT NULL DEFAULT 'api',
    "worker_id" UUID,
    "job_id" TEXT,
    "cancel_requested" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "node_run" (
    "run_id" UUID NOT NULL,
    "node_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "duration_ms" DOUBLE PRECISION,
    "cache_key" TEXT,
    "cached" BOOLEAN NOT NULL DEFAULT false,
    "error" JSONB,
    "outputs" JSONB,
    "preview" JSONB,

    CONSTRAINT "node_run_pkey" PRIMARY KEY ("run_id","node_id")
);

-- CreateTable
CREATE TABLE "run_event" (
    "run_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "run_event_pkey" PRIMARY KEY ("run_id","seq")
);

-- CreateTable
CREATE TABLE "cache_entry" (
    "key" TEXT NOT NULL,
    "outputs" JSONB NOT NULL,
    "size_bytes" BIGINT NOT NULL,
    "hits" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cache_entry_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "worker" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "providers" JSONB NOT NULL,
    "device" TEXT NOT NULL,
    "memory_bytes" BIGINT NOT NULL,
    "concurrency" INTEGER NOT NULL DEFAULT 1,
    "status" TEXT NOT NULL DEFAULT 'alive',
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_heartbeat" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "stopped_at" TIMESTAMPTZ(3),

    CONSTRAINT "worker_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "run_workflow_id_created_at_idx" ON "run"("workflow_id", "created_at");

-- CreateIndex
CREATE INDEX "run_created_at_idx" ON "run"("created_at");

-- CreateIndex
CREATE INDEX "run_status_idx" ON "run"("status");

-- CreateIndex
CREATE INDEX "cache_entry_last_used_at_idx" ON "cache_entry"("last_used_at");

-- CreateIndex
CREATE INDEX "worker_status_last_heartbeat_idx" ON "worker"("status", "last_heartbeat");

-- AddForeignKey
ALTER TABLE "run" ADD CONSTRAINT "run_workflow_id_fkey" FOREIGN KEY ("workflow_id") REFERENCES "workflow"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run" ADD CONSTRAINT "run_worker_id_fkey" FOREIGN KEY ("worker_id") REFERENCES "worker"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "node_run" ADD CONSTRAINT "node_run_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_event" ADD CONSTRAINT "run_event_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
