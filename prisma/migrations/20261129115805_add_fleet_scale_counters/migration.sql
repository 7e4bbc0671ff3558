-- DropIndex
DROP INDEX "webhook_events_status_received_at_idx";

-- AlterTable
ALTER TABLE "signature_transactions" ADD COLUMN     "last_sync_key" TEXT,
ADD COLUMN     "quiet_sync_count" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "webhook_events" ADD COLUMN     "next_delivery_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateTable
CREATE TABLE "transaction_status_counts" (
    "status" "SignatureStatus" NOT NULL,
    "transactions" BIGINT NOT NULL DEFAULT 0,
    "entered" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "transaction_status_counts_pkey" PRIMARY KEY ("status")
);

-- CreateIndex
CREATE INDEX "webhook_events_status_next_delivery_at_idx" ON "webhook_events"("status", "next_delivery_at");

-- Transactions by status, kept by triggers so that no writer can forget them and GET /metrics
-- reads six rows. A move takes the old status's row, then the new one's: moves only go forward,
-- so concurrent moves lock in the same order.
INSERT INTO "transaction_status_counts" ("status", "transactions", "entered")
SELECT s."status",
       (SELECT count(*) FROM "signature_transactions" t WHERE t."status" = s."status"),
       (SELECT count(*) FROM "sync_log" l WHERE l."status_changed" AND l."new_status" = s."status")
FROM unnest(enum_range(NULL::"SignatureStatus")) AS s("status");

CREATE FUNCTION "count_transaction_status"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE "transaction_status_counts" SET "transactions" = "transactions" - 1 WHERE "status" = OLD."status";
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    UPDATE "transaction_status_counts" SET "transactions" = "transactions" + 1, "entered" = "entered" + 1 WHERE "status" = NEW."status";
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "signature_transactions_count_created_deleted"
AFTER INSERT OR DELETE ON "signature_transactions"
FOR EACH ROW EXECUTE FUNCTION "count_transaction_status"();

CREATE TRIGGER "signature_transactions_count_moves"
AFTER UPDATE OF "status" ON "signature_transactions"
FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status") EXECUTE FUNCTION "count_transaction_status"();

-- Pending webhook events: taken by the background redelivery once their lease has passed.
UPDATE "webhook_events" SET "next_delivery_at" = "received_at" WHERE "status" = 'received';
