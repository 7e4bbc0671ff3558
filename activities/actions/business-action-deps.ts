/** What the business-action activities need; a missing integration makes its actions `skipped`, visibly. */
import type { PrismaClient } from '../../prisma/generated/client';
import type { ArchiveStore } from '../archive-store';
import type { Mailer } from '../create-mailer';
import type { SageGatewayClient } from '../sage-gateway-client';
import type { UniversignClient } from '../universign-client';

export interface SageFreeFieldNames {
  status: string;
  date: string;
  transactionId: string;
}

export const DEFAULT_SAGE_FREE_FIELDS: SageFreeFieldNames = {
  status: 'STATUT_SIGNATURE',
  date: 'DATE_SIGNATURE',
  transactionId: 'ID_UNIVERSIGN',
};

export interface BusinessActionSettings {
  /** Who is told of SIGNE / REFUSE / EXPIRE. */
  notifyTo: string[];
  sageFreeFields: SageFreeFieldNames;
  /** Sage document types that are quotes, converted into an order once signed. */
  quoteTypes: string[];
  /** Cancel the Universign transaction on refusal, so nobody signs it later. */
  cancelOnRefusal: boolean;
}

/** Defaults where nothing is configured: nobody notified, `devis` are quotes, refusals cancelled. */
export const DEFAULT_BUSINESS_ACTION_SETTINGS: BusinessActionSettings = {
  notifyTo: [],
  sageFreeFields: DEFAULT_SAGE_FREE_FIELDS,
  quoteTypes: ['devis'],
  cancelOnRefusal: true,
};

export interface BusinessActionDeps {
  prisma: PrismaClient;
  universign: UniversignClient;
  sage: SageGatewayClient | null;
  mailer: Mailer | null;
  archive: ArchiveStore | null;
  settings: BusinessActionSettings;
  clock?: () => Date;
}
