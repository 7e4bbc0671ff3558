-- CreateEnum
CREATE TYPE "SignatureStatus" AS ENUM ('EN_ATTENTE', 'EN_COURS', 'SIGNE', 'REFUSE', 'EXPIRE', 'ANNULE');

-- CreateTable
CREATE TABLE "signature_transactions" (
    "id" UUID NOT NULL,
    "universign_id" TEXT NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "sage_document_type" TEXT,
    "sage_document_number" TEXT,
    "name" TEXT,
    "universign_state" TEXT,
    "stalled" BOOLEAN NOT NULL DEFAULT false,
    "stalled_reason" TEXT,
    "status" "SignatureStatus" NOT NULL DEFAULT 'EN_ATTENTE',
    "sent_at" TIMESTAMP(3),
    "expires_at" TIMESTAMP(3),
    "signed_at" TIMESTAMP(3),
    "refused_at" TIMESTAMP(3),
    "expired_at" TIMESTAMP(3),
    "cancelled_at" TIMESTAMP(3),
    "signer_url" TEXT,
    "document_ids" TEXT[],
    "last_synced_at" TIMESTAMP(3),
    "sync_count" INTEGER NOT NULL DEFAULT 0,
    "webhook_received" BOOLEAN NOT NULL DEFAULT false,
    "last_sync_error" TEXT,
    "last_sync_error_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "signature_transactions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "signers" (
    "id" UUID NOT NULL,
    "transaction_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "state" TEXT NOT NULL,
    "url" TEXT,
    "position" INTEGER NOT NULL DEFAULT 0,
    "signed_at" TIMESTAMP(3),
    "refused_at" TIMESTAMP(3),
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "signers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sync_log" (
    "id" BIGSERIAL NOT NULL,
    "sync_key" TEXT NOT NULL,
    "transaction_id" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "previous_status" "SignatureStatus",
    "new_status" "SignatureStatus",
    "status_changed" BOOLEAN NOT NULL DEFAULT false,
    "universign_state" TEXT,
    "success" BOOLEAN NOT NULL,
    "error" TEXT,
    "details" JSONB,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sync_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "signature_transactions_universign_id_key" ON "signature_transactions"("universign_id");

-- CreateIndex
CREATE INDEX "signature_transactions_status_idx" ON "signature_transactions"("status");

-- CreateIndex
CREATE INDEX "signature_transactions_sage_document_type_sage_document_num_idx" ON "signature_transactions"("sage_document_type", "sage_document_number");

-- CreateIndex
CREATE UNIQUE INDEX "signers_transaction_id_email_key" ON "signers"("transaction_id", "email");

-- CreateIndex
CREATE UNIQUE INDEX "sync_log_sync_key_key" ON "sync_log"("sync_key");

-- CreateIndex
CREATE INDEX "sync_log_transaction_id_created_at_idx" ON "sync_log"("transaction_id", "created_at");

-- AddForeignKey
ALTER TABLE "signers" ADD CONSTRAINT "signers_transaction_id_fkey" FOREIGN KEY ("transaction_id") REFERENCES "signature_transactions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sync_log" ADD CONSTRAINT "sync_log_transaction_id_fkey" FOREIGN KEY ("transaction_id") REFERENCES "signature_transactions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
