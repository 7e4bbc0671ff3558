-- AlterTable
ALTER TABLE "business_actions" ADD COLUMN     "lease_until" TIMESTAMP(3);
