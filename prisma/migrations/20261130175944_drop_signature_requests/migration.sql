-- DropTable
DROP TABLE "signature_requests";
