-- AlterTable
ALTER TABLE "signature_transactions" ADD COLUMN     "sage_order_number" TEXT,
ADD COLUMN     "sage_order_type" TEXT;

-- CreateTable
CREATE TABLE "business_actions" (
    "id" BIGSERIAL NOT NULL,
    "transaction_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "status" "SignatureStatus" NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'running',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "result" JSONB,
    "last_error" TEXT,
    "started_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMP(3),
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "business_actions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "archived_documents" (
    "id" BIGSERIAL NOT NULL,
    "transaction_id" UUID NOT NULL,
    "universign_document_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "size_bytes" INTEGER NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "archived_documents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "signature_requests" (
    "id" UUID NOT NULL,
    "idempotency_key" TEXT,
    "request_hash" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "sage_document_type" TEXT NOT NULL,
    "sage_document_number" TEXT NOT NULL,
    "file_id" TEXT,
    "transaction_id" TEXT,
    "document_id" TEXT,
    "progress" JSONB NOT NULL DEFAULT '{}',
    "workflow_id" TEXT,
    "last_error" TEXT,
    "locked_until" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "signature_requests_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "business_actions_transaction_id_kind_status_key" ON "business_actions"("transaction_id", "kind", "status");

-- CreateIndex
CREATE UNIQUE INDEX "archived_documents_transaction_id_universign_document_id_key" ON "archived_documents"("transaction_id", "universign_document_id");

-- CreateIndex
CREATE UNIQUE INDEX "signature_requests_idempotency_key_key" ON "signature_requests"("idempotency_key");

-- AddForeignKey
ALTER TABLE "business_actions" ADD CONSTRAINT "business_actions_transaction_id_fkey" FOREIGN KEY ("transaction_id") REFERENCES "signature_transactions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "archived_documents" ADD CONSTRAINT "archived_documents_transaction_id_fkey" FOREIGN KEY ("transaction_id") REFERENCES "signature_transactions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
